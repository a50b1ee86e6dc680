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

  @Test
  void repeatedUrlsComeFromTheEndpointCacheAndCollisionsStillRewriteCorrectly() {
    HttpUrl logical = HttpUrl.get("http://inventory/items?page=1");
    HttpUrl first = ServicePipeline.rewrite(logical, plain);
    assertThat(ServicePipeline.rewrite(HttpUrl.get("http://inventory/items?page=1"), plain)).isSameAs(first);
    // more distinct URLs than slots: every answer is still right, whatever was evicted
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < EndpointState.REWRITE_CACHE_SLOTS * 4; i++) {
        HttpUrl u = HttpUrl.get("http://inventory/items/" + i + "?r=" + round);
        assertThat(ServicePipeline.rewrite(u, plain).toString())
            .isEqualTo("http://10.0.0.7:8080/items/" + i + "?r=" + round);
      }
    }
    // the cache is per endpoint: the same logical URL on another endpoint gets that endpoint's address
    assertThat(ServicePipeline.rewrite(logical, secure).toString()).isEqualTo("https://[::1]:8443/items?page=1");
    assertThat(ServicePipeline.rewrite(logical, plain).toString()).isEqualTo("http://10.0.0.7:8080/items?page=1");
  }
}
