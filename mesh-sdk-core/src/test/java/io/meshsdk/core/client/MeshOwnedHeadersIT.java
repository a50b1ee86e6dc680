package io.meshsdk.core.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.metrics.MeshServerMetrics;
import io.meshsdk.core.sidecar.SidecarConfig;
import io.meshsdk.testing.LoopbackBackend;
import java.io.IOException;
import java.time.Duration;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression tests (each failed before the fix): headers the mesh owns, when set by the application, reach the backend of a direct call
 * as if the mesh had set them.
 *
 * <ul>
 *   <li>{@link #callerSuppliedRouteMarkerDoesNotReachTheBackendOfADirectCall}: {@code x-mesh-route: sidecar}.
 *   <li>{@link #callerSuppliedCallerHeaderDoesNotReachTheBackendWithoutLocalService}: {@code x-mesh-caller: admin}
 *       when {@code Mesh.Builder.localService} is not set.
 * </ul>
 */
@Timeout(120)
class MeshOwnedHeadersIT {

  private static final String MARKER = SidecarConfig.DEFAULT_MARKER_HEADER; // x-mesh-route
  private static final String CALLER = MeshServerMetrics.CALLER_HEADER; // x-mesh-caller

  private LoopbackBackend backend;
  private LoopbackBackend admin;
  private LoopbackBackend fakeSidecar;
  private Mesh mesh;
  private OkHttpClient http;

  @BeforeEach
  void setUp() {
    backend = LoopbackBackend.start("inventory-1");
    admin = LoopbackBackend.start("sidecar-admin");
    fakeSidecar = LoopbackBackend.start("sidecar-outbound");
    // a sidecar is configured (so the marker header means something), the service runs direct; no localService
    mesh = Mesh.builder()
        .discovery(StaticServiceDiscovery.of(Endpoint.of("inventory", backend.host(), backend.port())))
        .config(MeshConfig.builder().service("inventory", s -> s.set("route.mode", "direct")).build())
        .sidecar(SidecarConfig.builder()
            .address("127.0.0.1", fakeSidecar.port())
            .readyUrl(admin.baseUrl() + "/ready")
            .probeInterval(Duration.ofMillis(200))
            .build())
        .build();
    http = mesh.newOkHttpClient();
  }

  @AfterEach
  void tearDown() {
    mesh.close();
    backend.close();
    admin.close();
    fakeSidecar.close();
  }

  private void directCall(String header, String value) throws IOException {
    try (Response r = http.newCall(new Request.Builder().url("http://inventory/items/42").header(header, value)
        .build()).execute()) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.header("x-backend")).isEqualTo("inventory-1"); // direct: the backend itself answered
    }
    assertThat(fakeSidecar.requests()).isZero();
  }

  @Test
  void callerSuppliedRouteMarkerDoesNotReachTheBackendOfADirectCall() throws IOException {
    directCall(MARKER, "sidecar");

    assertThat(backend.lastHeader(MARKER))
        .as("%s received by the backend of a direct call whose application set '%s: sidecar'", MARKER, MARKER)
        .isNull();
  }

  @Test
  void callerSuppliedCallerHeaderDoesNotReachTheBackendWithoutLocalService() throws IOException {
    directCall(CALLER, "admin");

    assertThat(backend.lastHeader(CALLER))
        .as("%s received by the backend of a direct call (no localService) whose application set '%s: admin'",
            CALLER, CALLER)
        .isNull();
  }
}
