package io.meshsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;

import okhttp3.HttpUrl;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SpringHttpCallTest {

  @ParameterizedTest
  @ValueSource(strings = {
      "http://10.0.0.1:8080/items/42",
      "http://10.0.0.1/items/42?a=1&b=two%20words",
      "https://inventory.example:8443/a%2Fb/c?q=x+y#frag",
      "http://[::1]:9000/",
      "http://user:pw@10.0.0.1:8080/p?x",
      "http://10.0.0.1:8080/items?filter={a|b}^`",
      "http://10.0.0.1:8080/caf\u00e9/\u00fcber?name=\u00e9t\u00e9",
  })
  void attemptUriIsWhatHttpUrlUriGives(String url) {
    HttpUrl parsed = HttpUrl.get(url);

    assertThat(UrlCache.toUri(parsed)).isEqualTo(parsed.uri());
    assertThat(UrlCache.toUri(parsed).toString()).isEqualTo(parsed.uri().toString());
  }
}
