package io.meshsdk.core.internal.directory;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.endpoint.Endpoint;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.Test;

/** The per-endpoint rewrite of a logical URL to its physical one, and its cache. */
class UrlRewriteTest {

  private final TrackedEndpoint plain = new TrackedEndpoint(Endpoint.of("inventory", "10.0.0.7", 8080), 0);
  private final TrackedEndpoint secure =
      new TrackedEndpoint(Endpoint.builder("inventory", "::1", 8443).secure(true).build(), 0);

  @Test
  void keepsEncodedPathQueryAndUserInfoAndTakesSchemeHostPortFromTheEndpoint() {
    HttpUrl logical = HttpUrl.get("http://u:p%40ss@inventory:9999/a%2Fb/c%20d/?q=1&x=%26y#frag");
    HttpUrl physical = plain.urlFor(logical);
    assertThat(physical.toString()).isEqualTo("http://u:p%40ss@10.0.0.7:8080/a%2Fb/c%20d/?q=1&x=%26y");
    assertThat(secure.urlFor(HttpUrl.get("http://inventory")).toString())
        .isEqualTo("https://[::1]:8443/");
    assertThat(plain.urlFor(HttpUrl.get("http://inventory/x?")).encodedQuery()).isEmpty();
  }

  @Test
  void repeatedUrlsComeFromTheEndpointCacheAndCollisionsStillRewriteCorrectly() {
    HttpUrl logical = HttpUrl.get("http://inventory/items?page=1");
    HttpUrl first = plain.urlFor(logical);
    assertThat(plain.urlFor(HttpUrl.get("http://inventory/items?page=1"))).isSameAs(first);
    // more distinct URLs than slots: every answer is still right, whatever was evicted
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < TrackedEndpoint.REWRITE_CACHE_SLOTS * 4; i++) {
        HttpUrl u = HttpUrl.get("http://inventory/items/" + i + "?r=" + round);
        assertThat(plain.urlFor(u).toString())
            .isEqualTo("http://10.0.0.7:8080/items/" + i + "?r=" + round);
      }
    }
    // the cache is per endpoint: the same logical URL on another endpoint gets that endpoint's address
    assertThat(secure.urlFor(logical).toString()).isEqualTo("https://[::1]:8443/items?page=1");
    assertThat(plain.urlFor(logical).toString()).isEqualTo("http://10.0.0.7:8080/items?page=1");
  }
}
