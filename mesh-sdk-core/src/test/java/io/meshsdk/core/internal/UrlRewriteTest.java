package io.meshsdk.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.endpoint.EndpointState;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.Test;

class UrlRewriteTest {

  private final EndpointState plain = new EndpointState(Endpoint.of("inventory", "10.0.0.7", 8080), 0);
  private final EndpointState secure =
      new EndpointState(Endpoint.builder("inventory", "::1", 8443).secure(true).build(), 0);

  @Test
  void keepsEncodedPathQueryAndUserInfoAndTakesSchemeHostPortFromTheEndpoint() {
    HttpUrl logical = HttpUrl.get("http://u:p%40ss@inventory:9999/a%2Fb/c%20d/?q=1&x=%26y#frag");
    HttpUrl physical = ServicePipeline.rewrite(logical, plain);
    assertThat(physical.toString()).isEqualTo("http://u:p%40ss@10.0.0.7:8080/a%2Fb/c%20d/?q=1&x=%26y");
    assertThat(ServicePipeline.rewrite(HttpUrl.get("http://inventory"), secure).toString())
        .isEqualTo("https://[::1]:8443/");
    assertThat(ServicePipeline.rewrite(HttpUrl.get("http://inventory/x?"), plain).encodedQuery()).isEmpty();
  }
}
