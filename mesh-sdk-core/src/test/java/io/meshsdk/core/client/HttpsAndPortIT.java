package io.meshsdk.core.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.sidecar.SidecarConfig;
import io.meshsdk.testing.LoopbackBackend;
import java.io.IOException;
import java.time.Duration;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression tests (each failed before the fix): the scheme and the port of the logical URL are silently replaced by the endpoint's.
 *
 * <ul>
 *   <li>{@link #httpsUrlIsNeverSentAsPlaintextToANonSecureEndpoint}: {@code https://inventory/...} reaches a
 *       {@code secure=false} endpoint as a plaintext HTTP request (TLS downgrade).
 *   <li>{@link #httpsUrlIsNeverSentAsPlaintextViaTheSidecar}: the same on the sidecar route: the sidecar listener
 *       gets a plaintext request for an https URL.
 *   <li>{@link #portOfTheLogicalUrlIsNotSilentlyIgnored}: {@code http://inventory:<port>/} reaches the endpoint's
 *       own port as if no port had been given.
 * </ul>
 */
@Timeout(120)
class HttpsAndPortIT {

  private LoopbackBackend backend;
  private LoopbackBackend admin;
  private LoopbackBackend fakeSidecar;
  private @Nullable Mesh mesh;
  private OkHttpClient http;

  @BeforeEach
  void setUp() {
    backend = LoopbackBackend.start("inventory-1");
    admin = LoopbackBackend.start("sidecar-admin");
    fakeSidecar = LoopbackBackend.start("sidecar-outbound");
  }

  @AfterEach
  void tearDown() {
    if (mesh != null) {
      mesh.close();
    }
    backend.close();
    admin.close();
    fakeSidecar.close();
  }

  private void start(String routeMode) {
    Mesh m = Mesh.builder()
        .discovery(StaticServiceDiscovery.of(
            Endpoint.builder("inventory", backend.host(), backend.port()).secure(false).build()))
        .config(MeshConfig.builder().service("inventory", s -> s.set("route.mode", routeMode)).build())
        .sidecar(SidecarConfig.builder()
            .address("127.0.0.1", fakeSidecar.port())
            .readyUrl(admin.baseUrl() + "/ready")
            .probeInterval(Duration.ofMillis(200))
            .build())
        .build();
    mesh = m;
    if (!"direct".equals(routeMode)) {
      await().atMost(Duration.ofSeconds(20)).until(() -> m.sidecarBridge().isReady());
    }
    http = m.newOkHttpClient();
  }

  /** Runs a GET; returns the failure, or null when a response came (its status in {@code status[0]}). */
  private @Nullable Throwable get(String url, int[] status) {
    return catchThrowable(() -> {
      try (Response r = http.newCall(new Request.Builder().url(url).build()).execute()) {
        status[0] = r.code();
      }
    });
  }

  @Test
  void httpsUrlIsNeverSentAsPlaintextToANonSecureEndpoint() {
    start("direct");
    int[] status = {-1};
    Throwable failure = get("https://inventory/items/42", status);

    assertThat(backend.requests())
        .as("plaintext HTTP requests the secure=false endpoint received for https://inventory/items/42 "
            + "(call answered %d)", status[0])
        .isZero();
    assertThat(failure).as("the https call to a non-secure endpoint fails").isInstanceOf(IOException.class);
  }

  @Test
  void httpsUrlIsNeverSentAsPlaintextViaTheSidecar() {
    start("sidecar");
    int[] status = {-1};
    Throwable failure = get("https://inventory/items/42", status);

    assertThat(fakeSidecar.requests() + backend.requests())
        .as("plaintext HTTP requests received for https://inventory/items/42 on the sidecar route "
            + "(sidecar: %d, endpoint: %d, call answered %d)", fakeSidecar.requests(), backend.requests(), status[0])
        .isZero();
    assertThat(failure).as("the https call is not downgraded: it fails").isInstanceOf(IOException.class);
  }

  @Test
  void portOfTheLogicalUrlIsNotSilentlyIgnored() {
    start("direct");
    int port = LoopbackBackend.closedPort(); // nothing listens there: honouring it cannot reach the backend
    String url = "http://inventory:" + port + "/items/42";
    int[] status = {-1};
    Throwable failure = get(url, status);

    assertThat(backend.requests())
        .as("requests for %s that reached the endpoint's own port %d (call answered %d)", url, backend.port(),
            status[0])
        .isZero();
    assertThat(failure).as("the call to %s fails naming the port", url)
        .isInstanceOf(IOException.class)
        .hasMessageContaining(String.valueOf(port));
  }
}
