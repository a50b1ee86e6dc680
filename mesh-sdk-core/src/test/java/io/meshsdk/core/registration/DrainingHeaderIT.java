package io.meshsdk.core.registration;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.common.MeshHeaders;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.testing.LoopbackBackend;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Only {@code x-mesh-draining: true} promises that a request did not run: a 503 carrying the header with another
 * value is the application's answer, and a POST is not sent again.
 */
class DrainingHeaderIT {

  private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
  }

  private <T extends AutoCloseable> T closing(T c) {
    closeables.add(0, c);
    return c;
  }

  @Test
  void a503WithTheDrainingHeaderSetToAnythingButTrueIsNotResentForAPost() throws Exception {
    LoopbackBackend a = closing(LoopbackBackend.start("a"));
    LoopbackBackend b = closing(LoopbackBackend.start("b"));
    Mesh caller = closing(Mesh.builder().discovery(StaticServiceDiscovery.of(
        Endpoint.of("orders", a.host(), a.port()), Endpoint.of("orders", b.host(), b.port()))).build());
    OkHttpClient client = caller.newOkHttpClient();
    for (String value : List.of("false", "0", "", "no")) {
      java.util.concurrent.atomic.AtomicInteger seen = new java.util.concurrent.atomic.AtomicInteger();
      for (LoopbackBackend backend : List.of(a, b)) {
        backend.gate((method, header) -> {
          seen.incrementAndGet();
          return LoopbackBackend.Decision.refuse(503, Map.of(MeshHeaders.DRAINING, value));
        });
      }
      Request post = new Request.Builder().url("http://orders/o")
          .post(RequestBody.create("order", MediaType.get("text/plain"))).build();
      try (Response r = client.newCall(post).execute()) {
        assertThat(r.code()).isEqualTo(503);
      }
      assertThat(seen).as("x-mesh-draining: '%s': attempts of a POST answered 503", value).hasValue(1);
    }
  }
}
