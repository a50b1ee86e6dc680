package io.meshsdk.core.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.common.Ticker;
import io.meshsdk.core.client.NoEndpointAvailableException;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.metrics.MeshMetrics;
import io.meshsdk.core.metrics.MetricNames;
import io.meshsdk.core.observe.CallResult;
import io.meshsdk.core.observe.Outcome;
import io.meshsdk.core.observe.Route;
import io.meshsdk.core.resilience.DeadlineExceededException;
import io.meshsdk.core.resilience.Deadlines;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.meshsdk.testing.LoopbackBackend;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the SDK keeps on the sidecar path (deadlines, per-call fallback events, attempt counts), against real
 * loopback servers: the sidecar's outbound listener and ready URL are loopback servers the test controls.
 */
class SidecarPathIT {

  private LoopbackBackend backend;
  private LoopbackBackend admin;
  private LoopbackBackend fakeSidecar;
  private final RouteRecorder recorder = new RouteRecorder();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private Mesh mesh;
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

  private void start(String callTimeout, int sidecarPort, List<Endpoint> endpoints) {
    mesh = Mesh.builder()
        .discovery(StaticServiceDiscovery.of(endpoints))
        .config(MeshConfig.builder().service("inventory", s -> s
            .set("route.mode", "sidecar")
            .set("timeout.call", callTimeout)).build())
        .sidecar(SidecarConfig.builder()
            .address("127.0.0.1", sidecarPort)
            .readyUrl(admin.baseUrl() + "/ready")
            .probeInterval(Duration.ofMillis(50))
            .build())
        .observer(recorder)
        .metrics(MeshMetrics.create(registry))
        .build();
    // OkHttp's own timeouts far beyond the mesh deadline: only the deadline can end a hanging call in time
    http = mesh.newOkHttpClient(new OkHttpClient.Builder()
        .readTimeout(Duration.ofMinutes(5))
        .writeTimeout(Duration.ofMinutes(5))
        .build());
  }

  private void start(String callTimeout) {
    start(callTimeout, fakeSidecar.port(), List.of(Endpoint.of("inventory", backend.host(), backend.port())));
  }

  private Response get(Request.Builder rb) throws IOException {
    return http.newCall(rb.url("http://inventory/x").build()).execute();
  }

  private CallResult lastResult() {
    return recorder.results.get(recorder.results.size() - 1);
  }

  private static long deadlineMillis(LoopbackBackend server) {
    String v = server.lastHeader(Deadlines.HEADER);
    assertThat(v).as("%s at %s", Deadlines.HEADER, server.name()).isNotNull();
    return Long.parseLong(v);
  }

  @Test
  void theCallTimeoutIsSentToTheSidecarAsTheRemainingDeadline() throws IOException {
    start("5s");
    try (Response r = get(new Request.Builder())) {
      assertThat(r.header("x-backend")).isEqualTo("sidecar-outbound");
    }
    assertThat(deadlineMillis(fakeSidecar)).isBetween(0L, 5000L);
    assertThat(lastResult().route()).isEqualTo(Route.SIDECAR);
  }

  @Test
  void anInboundDeadlineAndTheRequestsOwnHeaderBoundTheSidecarCall() throws IOException {
    start("0"); // no per-service deadline
    try (Response r = get(new Request.Builder())) {
      assertThat(r.code()).isEqualTo(200);
    }
    assertThat(fakeSidecar.lastHeader(Deadlines.HEADER)).isNull(); // no deadline anywhere: none sent
    try (Deadlines.Scope ignored = Deadlines.withRemaining(3000, Ticker.SYSTEM); // a server's inbound deadline
        Response r = get(new Request.Builder())) {
      assertThat(r.code()).isEqualTo(200);
    }
    assertThat(deadlineMillis(fakeSidecar)).isBetween(0L, 3000L);
    try (Response r = get(new Request.Builder().header(Deadlines.HEADER, "1500"))) {
      assertThat(r.code()).isEqualTo(200);
    }
    assertThat(deadlineMillis(fakeSidecar)).isBetween(0L, 1500L);
  }

  @Test
  @Timeout(60) // without the deadline the call would wait for OkHttp's 5-minute read timeout
  void aHangingSidecarIsCutAtTheDeadline() {
    start("300ms");
    fakeSidecar.mode(LoopbackBackend.hang());
    assertThatThrownBy(() -> get(new Request.Builder()).close())
        .isInstanceOf(DeadlineExceededException.class)
        .hasMessageContaining("passed while waiting for the sidecar's answer");
    CallResult result = lastResult();
    assertThat(result.outcome()).isEqualTo(Outcome.TIMEOUT);
    assertThat(result.route()).isEqualTo(Route.SIDECAR);
    assertThat(result.attempts()).isEqualTo(1);
    assertThat(backend.requests()).isZero(); // a timeout is not a sidecar failure: no direct fallback
  }

  @Test
  void noTimeLeftFailsBeforeTheSidecarWithDeadlineExceeded() {
    start("5s");
    assertThatThrownBy(() -> get(new Request.Builder().header(Deadlines.HEADER, "0")).close())
        .isInstanceOf(DeadlineExceededException.class)
        .hasMessageContaining("inventory");
    assertThat(fakeSidecar.requests()).isZero();
    assertThat(backend.requests()).isZero();
    CallResult result = lastResult();
    assertThat(result.attempts()).isZero();
    assertThat(result.outcome()).isEqualTo(Outcome.REJECTED);
    assertThat(result.route()).isEqualTo(Route.SIDECAR);
    assertThat(recorder.events).singleElement().asString().startsWith("DEADLINE_EXCEEDED");
    assertThat(registry.get(MetricNames.CLIENT_DEADLINE_EXCEEDED).tag(MetricNames.TAG_SERVICE, "inventory")
        .counter().count()).isEqualTo(1.0);
    assertThat(mesh.resilience("inventory").toString()).contains("deadline=1");
  }

  @Test
  void notReadyFallbacksEmitOneEventPerCallAndTheMetricMatchesTheBridgeCount() throws IOException {
    LoopbackBackend listener = LoopbackBackend.start("sidecar-listener");
    start("5s", listener.port(), List.of(Endpoint.of("inventory", backend.host(), backend.port())));
    assertThat(mesh.sidecarBridge().isReady()).isTrue();
    listener.close(); // the sidecar's outbound listener goes away between two probes: the next call is refused
    for (int i = 0; i < 4; i++) {
      try (Response r = get(new Request.Builder())) {
        assertThat(r.header("x-backend")).isEqualTo("inventory-1");
      }
    }
    assertThat(recorder.events).containsExactly( // a not-ready fallback is also told as SIDECAR_NOT_READY
        "SIDECAR_FALLBACK: sidecar refused the connection",
        "SIDECAR_FALLBACK: sidecar not ready", "SIDECAR_NOT_READY: sidecar not ready",
        "SIDECAR_FALLBACK: sidecar not ready", "SIDECAR_NOT_READY: sidecar not ready",
        "SIDECAR_FALLBACK: sidecar not ready", "SIDECAR_NOT_READY: sidecar not ready");
    double metric = registry.get(MetricNames.CLIENT_SIDECAR_FALLBACKS).tag(MetricNames.TAG_SERVICE, "inventory")
        .counter().count();
    assertThat(metric).isEqualTo(4.0).isEqualTo((double) mesh.migrationReport().service("inventory").fallbacks());
    assertThat(deadlineMillis(backend)).isBetween(0L, 5000L); // the direct fallback keeps the deadline too
  }

  @Test
  void aFallbackWithoutADirectEndpointCountsOnlyTheSidecarAttempt() {
    LoopbackBackend listener = LoopbackBackend.start("sidecar-listener");
    start("5s", listener.port(), List.of());
    assertThat(mesh.sidecarBridge().isReady()).isTrue();
    listener.close();
    assertThatThrownBy(() -> get(new Request.Builder()).close()).isInstanceOf(NoEndpointAvailableException.class);
    CallResult result = lastResult();
    assertThat(result.attempts()).isEqualTo(1); // the refused sidecar attempt; the direct one never started
    assertThat(result.outcome()).isEqualTo(Outcome.REJECTED);
    assertThat(result.route()).isEqualTo(Route.DIRECT);
  }
}
