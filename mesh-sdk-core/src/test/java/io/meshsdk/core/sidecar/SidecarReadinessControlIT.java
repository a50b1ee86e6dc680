package io.meshsdk.core.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.metrics.MetricNames;
import io.meshsdk.testing.LoopbackBackend;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Readiness controls without a proxy binary: TCP readiness, {@code probeNow}/{@code awaitReady}, a sidecar that
 * never becomes ready (loud: report, gauge, counter; calls still direct) and per-service readiness through a
 * loopback "sidecar" that has a route for one service and not for the other.
 */
class SidecarReadinessControlIT {

  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final RouteRecorder recorder = new RouteRecorder();
  private LoopbackBackend inventory;
  private LoopbackBackend orders;
  private Mesh mesh;
  private OkHttpClient http;

  @AfterEach
  void tearDown() throws Exception {
    if (mesh != null) {
      mesh.close();
    }
    for (AutoCloseable c : closeables) {
      c.close();
    }
  }

  private LoopbackBackend backend(String name) {
    LoopbackBackend b = LoopbackBackend.start(name);
    closeables.add(b);
    return b;
  }

  private void start(SidecarConfig sidecar, MeshConfig config) {
    inventory = backend("inventory-1");
    orders = backend("orders-1");
    mesh = Mesh.builder()
        .discovery(StaticServiceDiscovery.of(Endpoint.of("inventory", inventory.host(), inventory.port()),
            Endpoint.of("orders", orders.host(), orders.port())))
        .config(config)
        .sidecar(sidecar)
        .meterRegistry(registry)
        .observer(recorder)
        .build();
    http = mesh.newOkHttpClient();
  }

  private static MeshConfig bothOnSidecar(String healthPath) {
    return MeshConfig.builder()
        .service("inventory", s -> s.set("route.mode", "sidecar").set("route.sidecar-health-path", healthPath))
        .service("orders", s -> s.set("route.mode", "sidecar").set("route.sidecar-health-path", healthPath))
        .build();
  }

  private String call(String service) throws IOException {
    try (Response r = http.newCall(new Request.Builder().url("http://" + service + "/x").build()).execute()) {
      return r.code() + " " + r.header("x-backend");
    }
  }

  private static SidecarConfig.Builder tcp(int port) {
    return SidecarConfig.builder().address("127.0.0.1", port).readiness(ReadinessProbe.TCP)
        .probeInterval(Duration.ofMillis(20)).probeFailures(1);
  }

  private double gauge(String service) {
    var g = registry.find(MetricNames.SIDECAR_SERVICE_READY).tag(MetricNames.TAG_SERVICE, service).gauge();
    return g == null ? Double.NaN : g.value();
  }

  private double notReadyCount(String service) {
    var c = registry.find(MetricNames.CLIENT_SIDECAR_NOT_READY).tag(MetricNames.TAG_SERVICE, service).counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void tcpReadinessFollowsTheListenerWithoutAReadyUrl() throws IOException {
    LoopbackBackend listener = backend("sidecar");
    start(tcp(listener.port()).build(), MeshConfig.builder()
        .service("inventory", s -> s.set("route.mode", "sidecar")).build());
    assertThat(mesh.sidecarBridge().isReady()).isTrue(); // no HTTP ready URL was asked (the listener is all)
    assertThat(mesh.sidecarBridge().readinessDetail()).contains("accepts connections");
    assertThat(call("inventory")).isEqualTo("200 sidecar");
    assertThat(listener.recentHeaders()).noneMatch(h -> h.getOrDefault("host", List.of()).isEmpty());
    listener.close();
    await().atMost(Duration.ofSeconds(10)).until(() -> !mesh.sidecarBridge().isReady());
    assertThat(call("inventory")).isEqualTo("200 inventory-1");
  }

  @Test
  void probeNowAndAwaitReadyDoNotWaitForTheInterval() throws IOException {
    int port = LoopbackBackend.closedPort();
    start(tcp(port).probeInterval(Duration.ofHours(1)).build(), MeshConfig.builder()
        .service("inventory", s -> s.set("route.mode", "sidecar")).build());
    SidecarBridge bridge = mesh.sidecarBridge();
    assertThat(bridge.isReady()).isFalse();
    assertThat(bridge.probeNow()).isFalse();
    assertThat(bridge.awaitReady(Duration.ofMillis(100))).isFalse();

    closeables.add(LoopbackBackend.startOnPort("sidecar", 1, port)); // the sidecar comes up; next probe: 1 h away
    assertThat(bridge.probeNow()).isTrue();
    assertThat(call("inventory")).isEqualTo("200 sidecar");
    assertThat(bridge.probeRounds()).isEqualTo(4); // start, two probeNow, the probe awaitReady asked for
  }

  @Test
  void awaitReadyReturnsOnceALaterProbePasses() {
    int port = LoopbackBackend.closedPort();
    start(tcp(port).probeInterval(Duration.ofHours(1)).build(), MeshConfig.builder()
        .service("inventory", s -> s.set("route.mode", "sidecar")).build());
    closeables.add(LoopbackBackend.startOnPort("sidecar", 1, port));
    assertThat(mesh.sidecarBridge().awaitReady(Duration.ofSeconds(30))).isTrue(); // it asks for a probe itself
    assertThat(mesh.sidecarBridge().awaitReady("inventory", Duration.ofSeconds(30))).isTrue();
  }

  @Test
  void removingTheSidecarIsLoudForTheServicesSetToUseIt() throws IOException {
    LoopbackBackend listener = backend("sidecar");
    start(tcp(listener.port()).build(), MeshConfig.builder()
        .service("inventory", s -> s.set("route.mode", "sidecar")).build());
    await().atMost(Duration.ofSeconds(10)).until(() -> gauge("inventory") == 1.0);
    mesh.sidecar(null); // nothing probes any more: the removal itself must tell (observers hear it on the mesh's
    // control thread, hence the waits)
    await().atMost(Duration.ofSeconds(10)).until(() -> gauge("inventory") == 0.0);
    assertThat(mesh.migrationReport().service("inventory").runningDirectAgainstConfig()).isTrue();
    assertThat(call("inventory")).isEqualTo("200 inventory-1");
    mesh.route("inventory", "direct"); // routed back to direct: nothing to alert on
    await().atMost(Duration.ofSeconds(10)).until(() -> gauge("inventory") == 1.0);
    mesh.route("inventory", "split:50");
    await().atMost(Duration.ofSeconds(10)).until(() -> gauge("inventory") == 0.0);
    assertThat(recorder.serviceReadiness).containsExactly(Map.entry("inventory", true), Map.entry("inventory", false),
        Map.entry("inventory", true), Map.entry("inventory", false));
  }

  @Test
  void aSidecarThatNeverBecomesReadyIsLoudWhileCallsStillGoDirect() throws IOException {
    int port = LoopbackBackend.closedPort();
    start(tcp(port).notReadyWarnInterval(Duration.ofHours(1)).build(), MeshConfig.builder()
        .service("inventory", s -> s.set("route.mode", "split:100"))
        .service("orders", s -> s.set("route.mode", "direct"))
        .build());
    for (int i = 0; i < 10; i++) {
      assertThat(call("inventory")).isEqualTo("200 inventory-1"); // fail-open: direct
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> gauge("inventory") == 0.0);
    assertThat(notReadyCount("inventory")).isEqualTo(10.0);
    assertThat(registry.find(MetricNames.SIDECAR_SERVICE_READY).tag(MetricNames.TAG_SERVICE, "orders").gauge())
        .isNull(); // not set to use the sidecar: no gauge, no alert
    MigrationReport.Service s = mesh.migrationReport().service("inventory");
    assertThat(s.runningDirectAgainstConfig()).isTrue();
    assertThat(s.sidecarReady()).isFalse();
    assertThat(s.readiness()).startsWith("running direct for").contains("127.0.0.1:" + port).contains("not ready");
    assertThat(s.fallbacks()).isEqualTo(10);
    assertThat(mesh.migrationReport().render()).contains("!! NOT READY on the sidecar path, calls run DIRECT");
    assertThat(recorder.serviceReadiness).containsExactly(Map.entry("inventory", false));

    mesh.route("inventory", "direct"); // a rollback clears the alert...
    await().atMost(Duration.ofSeconds(10)).until(() -> gauge("inventory") == 1.0);
    assertThat(mesh.migrationReport().service("inventory").runningDirectAgainstConfig()).isFalse();
    mesh.route("inventory", "split:100"); // ...and going back raises it again
    await().atMost(Duration.ofSeconds(10)).until(() -> gauge("inventory") == 0.0);

    // it comes up: the gauge follows, the report clears, calls move to the sidecar
    closeables.add(LoopbackBackend.startOnPort("sidecar", 1, port));
    await().atMost(Duration.ofSeconds(10)).until(() -> gauge("inventory") == 1.0);
    assertThat(mesh.migrationReport().service("inventory").runningDirectAgainstConfig()).isFalse();
    assertThat(call("inventory")).isEqualTo("200 sidecar");
    assertThat(notReadyCount("inventory")).isEqualTo(10.0);
    assertThat(recorder.serviceReadiness).containsExactly(Map.entry("inventory", false), Map.entry("inventory", true),
        Map.entry("inventory", false), Map.entry("inventory", true));
  }

  @Test
  void perServiceReadinessSendsOnlyTheServiceWithoutASidecarRouteDirect() throws IOException {
    LoopbackBackend sidecar = backend("sidecar");
    // the "sidecar" routes orders only: inventory's probe (Host: inventory) gets the 404 of a missing route
    sidecar.gate((method, header) -> "inventory".equals(header.apply("host"))
        ? LoopbackBackend.Decision.refuse(404, Map.of()) : LoopbackBackend.Decision.serve(() -> { }));
    start(tcp(sidecar.port()).build(), bothOnSidecar("/healthz"));
    assertThat(mesh.sidecarBridge().awaitReady("orders", Duration.ofSeconds(10))).isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> gauge("inventory") == 0.0 && gauge("orders") == 1.0);
    assertThat(mesh.sidecarBridge().isReady()).isTrue();
    assertThat(mesh.sidecarBridge().isReady("inventory")).isFalse();
    assertThat(mesh.sidecarBridge().service("inventory").detail()).contains("404").contains("route");
    assertThat(call("inventory")).isEqualTo("200 inventory-1");
    assertThat(call("orders")).isEqualTo("200 sidecar");
    assertThat(sidecar.recentHeaders()).anySatisfy(h -> assertThat(h.get("host")).containsExactly("orders"));
    assertThat(mesh.migrationReport().service("inventory").readiness()).contains("404");

    sidecar.gate(null); // the route appears: inventory moves to the sidecar at the next probe
    await().atMost(Duration.ofSeconds(10)).until(() -> mesh.sidecarBridge().isReady("inventory"));
    assertThat(call("inventory")).isEqualTo("200 sidecar");
  }
}
