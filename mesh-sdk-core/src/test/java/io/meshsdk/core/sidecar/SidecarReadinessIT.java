package io.meshsdk.core.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.testing.LoopbackBackend;
import java.io.IOException;
import java.time.Duration;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Readiness and fail-open without a proxy binary: the "ready URL" is a real loopback server whose answers the
 * test switches, and the outbound listener is a closed port or another loopback server.
 */
class SidecarReadinessIT {

  private LoopbackBackend backend;
  private LoopbackBackend admin;
  private LoopbackBackend fakeSidecar;
  private RouteRecorder recorder;
  private Mesh mesh;
  private OkHttpClient http;

  @BeforeEach
  void setUp() {
    backend = LoopbackBackend.start("inventory-1");
    admin = LoopbackBackend.start("sidecar-admin");
    fakeSidecar = LoopbackBackend.start("sidecar-outbound");
    recorder = new RouteRecorder();
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

  private void start(String mode, int sidecarPort) {
    start(mode, sidecarPort, 1);
  }

  private void start(String mode, int sidecarPort, int probeFailures) {
    start(mode, sidecarPort, probeFailures, Duration.ofMillis(50));
  }

  private void start(String mode, int sidecarPort, int probeFailures, Duration probeInterval) {
    mesh = Mesh.builder()
        .discovery(StaticServiceDiscovery.of(Endpoint.of("inventory", backend.host(), backend.port())))
        .config(MeshConfig.builder().service("inventory", s -> s.set("route.mode", mode)).build())
        .sidecar(SidecarConfig.builder()
            .address("127.0.0.1", sidecarPort)
            .readyUrl(admin.baseUrl() + "/ready")
            .probeInterval(probeInterval)
            .probeFailures(probeFailures)
            .build())
        .observer(recorder)
        .build();
    http = mesh.newOkHttpClient();
  }

  private Response get() throws IOException {
    return http.newCall(new Request.Builder().url("http://inventory/x").build()).execute();
  }

  @Test
  void aRefusedConnectionIsRetriedOnceDirectAndMarksTheSidecarNotReadyAtOnce() throws IOException {
    LoopbackBackend listener = LoopbackBackend.start("sidecar-listener");
    // only the start-up probe runs: the call, not a racing probe, must be what finds the listener gone
    start("sidecar", listener.port(), 1, Duration.ofHours(1));
    assertThat(mesh.sidecarBridge().isReady()).isTrue();
    listener.close(); // the sidecar's outbound listener goes away between two probes
    try (Response r = get()) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.header("x-backend")).isEqualTo("inventory-1");
    }
    assertThat(recorder.fallbackEvents.get()).isEqualTo(1);
    assertThat(recorder.startedSidecar.get()).isEqualTo(1);
    assertThat(recorder.endedDirect.get()).isEqualTo(1); // CallResult.route says where it ended
    assertThat(backend.requests()).isEqualTo(1);
    assertThat(backend.lastHeader("x-mesh-route")).isNull();
    assertThat(mesh.sidecarBridge().isReady()).isFalse();

    // the next calls go straight to the direct path, each reporting a "sidecar not ready" fallback event (no
    // refused connect), and readiness does not flap
    for (int i = 0; i < 5; i++) {
      try (Response r = get()) {
        assertThat(r.code()).isEqualTo(200);
      }
    }
    assertThat(recorder.fallbackEvents.get()).isEqualTo(6); // one per fallback: as many as the bridge counts
    assertThat(recorder.events).filteredOn(e -> e.startsWith("SIDECAR_FALLBACK"))
        .containsExactly("SIDECAR_FALLBACK: sidecar refused the connection",
            "SIDECAR_FALLBACK: sidecar not ready", "SIDECAR_FALLBACK: sidecar not ready",
            "SIDECAR_FALLBACK: sidecar not ready", "SIDECAR_FALLBACK: sidecar not ready",
            "SIDECAR_FALLBACK: sidecar not ready");
    assertThat(recorder.startedDirect.get()).isEqualTo(5);
    assertThat(mesh.migrationReport().service("inventory").fallbacks()).isEqualTo(6);
    assertThat(mesh.migrationReport().service("inventory").fallbacks()).isEqualTo(6);
    assertThat(recorder.readinessChanges).containsExactly(true, false);
  }

  @Test
  void theProbeFollowsTheReadyUrlBothWays() throws IOException {
    start("sidecar", fakeSidecar.port(), 2); // one slow probe on a loaded machine must not flip readiness
    SidecarBridge bridge = mesh.sidecarBridge();
    assertThat(bridge.isReady()).isTrue();
    try (Response r = get()) {
      assertThat(r.header("x-backend")).isEqualTo("sidecar-outbound");
    }
    assertThat(fakeSidecar.lastHeader("host")).isEqualTo("inventory");
    assertThat(fakeSidecar.lastHeader("x-mesh-route")).isEqualTo("sidecar");

    admin.mode(LoopbackBackend.failing(503));
    await().atMost(Duration.ofSeconds(10)).until(() -> !bridge.isReady());
    try (Response r = get()) {
      assertThat(r.header("x-backend")).isEqualTo("inventory-1");
    }
    admin.mode(LoopbackBackend.healthy());
    await().atMost(Duration.ofSeconds(10)).until(bridge::isReady);
    try (Response r = get()) {
      assertThat(r.header("x-backend")).isEqualTo("sidecar-outbound");
    }
    assertThat(recorder.readinessChanges).containsExactly(true, false, true);
    assertThat(bridge.readinessTransitions()).isEqualTo(3);
  }

  @Test
  void failedProbesBelowTheThresholdDoNotFlipAReadySidecar() {
    start("sidecar", fakeSidecar.port(), 100);
    SidecarBridge bridge = mesh.sidecarBridge();
    assertThat(bridge.isReady()).isTrue();
    long probes = admin.requests();
    admin.mode(LoopbackBackend.failing(503));
    await().atMost(Duration.ofSeconds(10)).until(() -> admin.requests() >= probes + 5);
    assertThat(bridge.isReady()).isTrue();
    assertThat(bridge.readinessTransitions()).isEqualTo(1);
  }

  @Test
  void withNoSidecarConfiguredSidecarRoutedCallsRunDirectAndCountAsFallbacks() throws IOException {
    mesh = Mesh.builder()
        .discovery(StaticServiceDiscovery.of(Endpoint.of("inventory", backend.host(), backend.port())))
        .config(MeshConfig.builder().service("inventory", s -> s.set("route.mode", "sidecar")).build())
        .build();
    http = mesh.newOkHttpClient();
    try (Response r = get()) {
      assertThat(r.header("x-backend")).isEqualTo("inventory-1");
    }
    assertThat(mesh.sidecarBridge().isReady()).isFalse();
    assertThat(mesh.migrationReport().service("inventory").fallbacks()).isEqualTo(1);
    assertThat(mesh.migrationReport().sidecar()).isEmpty();
  }

  @Test
  void aNonIdempotentCallThatTheSidecarDropsIsNotRepeated() {
    start("sidecar", fakeSidecar.port());
    fakeSidecar.mode(LoopbackBackend.reset());
    Request post = new Request.Builder().url("http://inventory/orders")
        .post(okhttp3.RequestBody.create(new byte[] {1}, null)).build();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> http.newCall(post).execute().close())
        .isInstanceOf(IOException.class);
    assertThat(backend.requests()).isZero();
    assertThat(recorder.fallbackEvents.get()).isZero();
  }
}
