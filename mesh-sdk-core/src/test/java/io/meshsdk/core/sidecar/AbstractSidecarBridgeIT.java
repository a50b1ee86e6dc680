package io.meshsdk.core.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.FileConfigSource;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.testing.LoopbackBackend;
import io.meshsdk.testing.sidecar.LocalSidecar;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sidecar bridge end to end: a real sidecar proxy process (HAProxy or nginx, per subclass) on loopback
 * routing by Host to two real loopback backends, and a mesh whose {@code inventory} service is switched
 * between paths. A response carries {@code x-via-sidecar} only when the real proxy handled it.
 */
abstract class AbstractSidecarBridgeIT {

  private static final Logger log = LoggerFactory.getLogger(AbstractSidecarBridgeIT.class);
  private static final Duration AWAIT = Duration.ofSeconds(20);

  @TempDir Path tmp;
  @RegisterExtension final SidecarExtension sidecars = new SidecarExtension(this::newSidecar);

  LoopbackBackend a;
  LoopbackBackend b;
  LocalSidecar sidecar;
  RouteRecorder recorder;
  Mesh mesh;
  OkHttpClient http;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  abstract LocalSidecar newSidecar();

  @BeforeEach
  void setUp() {
    a = LoopbackBackend.start("inventory-a");
    b = LoopbackBackend.start("inventory-b");
    sidecar = sidecars.start(s -> s
        .routeToPorts("inventory", a.port(), b.port())
        .routeToPorts("inventory.svc.test", a.port(), b.port()));
    recorder = new RouteRecorder();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    if (mesh != null) {
      mesh.close();
    }
    a.close();
    b.close();
  }

  SidecarConfig.Builder sidecarConfig() {
    return SidecarConfig.builder()
        .address(sidecar.host(), sidecar.port())
        .readyUrl(sidecar.readyUrl())
        .probeInterval(Duration.ofMillis(100))
        .probeTimeout(Duration.ofMillis(300));
  }

  void startMesh(String mode, SidecarConfig sidecarConfig) {
    startMesh(MeshConfig.builder().service("inventory", s -> s.set("route.mode", mode)).build(), sidecarConfig);
  }

  void startMesh(MeshConfig config, SidecarConfig sidecarConfig) {
    mesh = Mesh.builder()
        .discovery(StaticServiceDiscovery.of(
            Endpoint.of("inventory", a.host(), a.port()), Endpoint.of("inventory", b.host(), b.port())))
        .config(config)
        .sidecar(sidecarConfig)
        .observer(recorder)
        .build();
    http = mesh.newOkHttpClient();
  }

  static String traceparent(SplittableRandom random) {
    return String.format(Locale.ROOT, "00-%016x%016x-%016x-01", random.nextLong(), random.nextLong(), random.nextLong());
  }

  /** One GET; returns the sidecar that proxied it, or "" when it went direct. */
  String get(String traceparent) throws IOException {
    return get(traceparent, null);
  }

  /** One GET; a failure while reading the body (after the response headers came) is counted in {@code truncated}. */
  String get(String traceparent, AtomicLong truncated) throws IOException {
    Request.Builder rb = new Request.Builder().url("http://inventory/items/42");
    if (traceparent != null) {
      rb.header("traceparent", traceparent);
    }
    try (Response r = http.newCall(rb.build()).execute()) {
      assertThat(r.code()).isEqualTo(200);
      String via = r.header(LocalSidecar.VIA_HEADER);
      try {
        r.body().string();
      } catch (IOException e) {
        if (truncated == null) {
          throw e;
        }
        truncated.incrementAndGet();
      }
      return via == null ? "" : via;
    }
  }

  @Test
  void directSidecarAndSplitFiftyOverTwoThousandCallsWithAStablePathPerKey() throws IOException {
    startMesh("direct", sidecarConfig().build());
    assertThat(mesh.sidecarBridge().isReady()).isTrue();
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 200; i++) {
      assertThat(get(traceparent(random))).isEmpty();
    }
    assertThat(a.recentHeaders()).allSatisfy(h -> assertThat(h).doesNotContainKey("x-mesh-route"));

    mesh.reconfigure(MeshConfig.builder().service("inventory", s -> s.set("route.mode", "sidecar")).build());
    for (int i = 0; i < 200; i++) {
      assertThat(get(traceparent(random))).isEqualTo(sidecar.name());
    }
    assertThat(a.lastHeader("x-mesh-route")).isEqualTo("sidecar");
    assertThat(a.lastHeader("host")).isEqualTo("inventory");

    mesh.reconfigure(MeshConfig.builder().service("inventory", s -> s.set("route.mode", "split:50")).build());
    long before = recorder.endedSidecar.get();
    int viaSidecar = 0;
    for (int key = 0; key < 1000; key++) {
      String tp = traceparent(random);
      String first = get(tp);
      String second = get(tp); // the same request key (a retry, the same trace) takes the same path
      assertThat(second).as("path of key %s", tp).isEqualTo(first);
      if (!first.isEmpty()) {
        viaSidecar += 2;
      }
    }
    double share = viaSidecar / 2000.0;
    log.info("{}: split:50 sent {} of 2000 calls ({}) via the sidecar", sidecar.name(), viaSidecar, share);
    assertThat(share).isBetween(0.45, 0.55);
    assertThat(recorder.endedSidecar.get() - before).isEqualTo(viaSidecar);

    MigrationReport.Service report = mesh.migrationReport().service("inventory");
    log.info("migration report:\n{}", mesh.migrationReport().render());
    assertThat(report).isNotNull();
    assertThat(report.mode()).isEqualTo(RouteMode.split(50));
    assertThat(report.sidecar().calls()).isEqualTo(200 + viaSidecar);
    // the first 200 direct calls preceded the service's first sidecar route: the report starts with the migration
    assertThat(report.direct().calls()).isEqualTo(2000 - viaSidecar);
    assertThat(report.fallbacks()).isZero();
    assertThat(report.sidecar().p50Micros()).isPositive();
  }

  @Test
  void switchingUnderLoadThroughTheConfigFileFailsNoCall() throws Exception {
    Path file = tmp.resolve("mesh.properties");
    Files.writeString(file, "mesh.services.inventory.route.mode=direct\n");
    FileConfigSource source = FileConfigSource.of(file);
    closeables.add(source);
    startMesh(source.current(), sidecarConfig().build());
    source.subscribe(mesh::reconfigure);

    try (Load load = new Load(this, 2)) {
      for (String mode : List.of("split:50", "sidecar", "direct")) {
        long sidecarBefore = load.viaSidecar.get();
        long directBefore = load.direct.get();
        Files.writeString(file, "mesh.services.inventory.route.mode=" + mode + "\n");
        assertThat(source.checkNow()).isTrue();
        assertThat(mesh.config().forService("inventory").route().mode()).isEqualTo(RouteMode.parse(mode));
        if (!mode.equals("direct")) {
          await().atMost(AWAIT).until(() -> load.viaSidecar.get() >= sidecarBefore + 100);
        }
        if (!mode.equals("sidecar")) {
          await().atMost(AWAIT).until(() -> load.direct.get() >= directBefore + 100);
        }
        if (mode.equals("sidecar")) { // every call after the switch settles goes via the sidecar
          long d = load.direct.get();
          long s = load.viaSidecar.get();
          await().atMost(AWAIT).until(() -> load.viaSidecar.get() >= s + 200);
          assertThat(load.direct.get()).isLessThanOrEqualTo(d + 2); // at most the calls in flight at the switch
        }
      }
      load.stop();
      assertThat(load.failures.get()).as("failed calls (first: %s)", load.firstFailure.get()).isZero();
      assertThat(load.truncated.get()).isZero();
      log.info("{}: switched direct -> split:50 -> sidecar -> direct under load: {} calls, 0 failed",
          sidecar.name(), load.viaSidecar.get() + load.direct.get());
    }
  }

  @Test
  void aBackendFailingViaTheSidecarIsNotRetriedByTheSdk() throws IOException {
    startMesh("sidecar", sidecarConfig().build());
    a.mode(LoopbackBackend.failing(503));
    b.mode(LoopbackBackend.failing(503));
    for (int i = 0; i < 20; i++) {
      try (Response r = http.newCall(new Request.Builder().url("http://inventory/x").build()).execute()) {
        assertThat(r.code()).isEqualTo(503);
        assertThat(r.header(LocalSidecar.VIA_HEADER)).isEqualTo(sidecar.name());
      }
    }
    assertThat(a.requests() + b.requests()).as("requests at the backends for 20 calls").isEqualTo(20);
    MigrationReport.Service report = mesh.migrationReport().service("inventory");
    assertThat(report.sidecar().calls()).isEqualTo(20);
    assertThat(report.sidecar().errorRate()).isEqualTo(1.0);
    assertThat(recorder.fallbackEvents.get()).isZero();
  }

  @Test
  void killedSidecarFallsBackDirectWithoutFailedCallsAndTrafficReturnsAfterRestart() throws Exception {
    startMesh("sidecar", sidecarConfig().build());
    SidecarBridge bridge = mesh.sidecarBridge();
    try (Load load = new Load(this, 2)) {
      await().atMost(AWAIT).until(() -> load.viaSidecar.get() >= 200);

      long killedAt = System.nanoTime();
      sidecar.kill();
      long exitedMicros = (System.nanoTime() - killedAt) / 1000;
      await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).atMost(AWAIT).until(() -> !bridge.isReady());
      long detectMicros = (System.nanoTime() - killedAt) / 1000;
      long directAtDetect = load.direct.get();
      await().atMost(AWAIT).until(() -> load.direct.get() >= directAtDetect + 200);

      sidecar.restart();
      long restartedAt = System.nanoTime();
      await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).atMost(AWAIT).until(bridge::isReady);
      long backMicros = (System.nanoTime() - restartedAt) / 1000;
      long sidecarAfter = load.viaSidecar.get();
      await().atMost(AWAIT).until(() -> load.viaSidecar.get() >= sidecarAfter + 200);
      load.stop();

      log.info("{} killed under load (SIGKILL; process gone after {} us): not ready after {} us, {} calls failed,"
              + " {} responses cut mid-body, {} fallbacks; restarted: ready again after {} us (probe every 100 ms)",
          sidecar.name(), exitedMicros, detectMicros, load.failures.get(), load.truncated.get(), mesh.migrationReport().service("inventory").fallbacks(),
          backMicros);
      assertThat(load.failures.get()).as("failed calls (first: %s)", load.firstFailure.get()).isZero();
      // a response whose headers had come through the sidecar when it died cannot be saved by any retry: at most
      // the calls in flight at the kill (one per load thread) may lose their body
      assertThat(load.truncated.get()).isLessThanOrEqualTo(2);
      assertThat(mesh.migrationReport().service("inventory").fallbacks()).isPositive();
      assertThat(recorder.readinessChanges).containsExactly(true, false, true);
      assertThat(bridge.readinessTransitions()).isEqualTo(3);
      MigrationReport.Service report = mesh.migrationReport().service("inventory");
      assertThat(report.fallbacks()).isEqualTo(mesh.migrationReport().service("inventory").fallbacks());
      assertThat(report.direct().errors() + report.sidecar().errors())
          .as("errors the migration report counts: exactly the responses cut mid-body")
          .isEqualTo(load.truncated.get());
    }
  }

  @Test
  void theBackendSeesTheSameTraceIdOnBothPaths() throws IOException {
    startMesh("split:50", sidecarConfig().build());
    SplittableRandom random = new SplittableRandom(11);
    Map<String, Integer> seenPaths = new HashMap<>();
    for (int i = 0; i < 40; i++) {
      String tp = traceparent(random);
      String via = get(tp);
      seenPaths.merge(via.isEmpty() ? "direct" : "sidecar", 1, Integer::sum);
      Map<String, List<String>> arrived = findByTraceparent(tp);
      assertThat(arrived).as("request with %s at a backend", tp).isNotNull();
      assertThat(arrived.get("traceparent")).containsExactly(tp);
      assertThat(arrived.containsKey("x-mesh-route")).isEqualTo(!via.isEmpty());
    }
    assertThat(seenPaths).containsKeys("direct", "sidecar");
  }

  @Test
  void httpProxyStyleSendsAbsoluteFormWithTheHostSuffixThroughTheSidecar() throws IOException {
    startMesh("sidecar", sidecarConfig().style(HandoffStyle.HTTP_PROXY).hostSuffix(".svc.test").build());
    for (int i = 0; i < 10; i++) {
      assertThat(get(null)).isEqualTo(sidecar.name());
    }
    assertThat(a.lastHeader("host")).isEqualTo("inventory.svc.test");
    assertThat(a.lastHeader("x-mesh-route")).isEqualTo("sidecar");
    assertThat(recorder.endedSidecar.get()).isEqualTo(10);
  }

  private Map<String, List<String>> findByTraceparent(String tp) {
    for (LoopbackBackend backend : List.of(a, b)) {
      for (Map<String, List<String>> h : backend.recentHeaders()) {
        List<String> v = h.get("traceparent");
        if (v != null && v.contains(tp)) {
          return h;
        }
      }
    }
    return null;
  }

  /** Continuous load from a few threads, each call with a fresh trace id; counts paths and failures. */
  static final class Load implements AutoCloseable {
    final AtomicLong viaSidecar = new AtomicLong();
    final AtomicLong direct = new AtomicLong();
    final AtomicLong failures = new AtomicLong();
    final AtomicLong truncated = new AtomicLong();
    final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();

    Load(AbstractSidecarBridgeIT test, int threadCount) {
      for (int t = 0; t < threadCount; t++) {
        SplittableRandom random = new SplittableRandom(100 + t);
        Thread th = new Thread(() -> {
          while (running.get()) {
            try {
              (test.get(traceparent(random), truncated).isEmpty() ? direct : viaSidecar).incrementAndGet();
            } catch (Throwable e) {
              failures.incrementAndGet();
              firstFailure.compareAndSet(null, e);
            }
          }
        }, "load-" + t);
        th.setDaemon(true);
        threads.add(th);
        th.start();
      }
    }

    void stop() throws InterruptedException {
      running.set(false);
      for (Thread t : threads) {
        t.join(10_000);
      }
    }

    @Override
    public void close() throws InterruptedException {
      stop();
    }
  }
}
