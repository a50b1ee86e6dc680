package io.meshsdk.core.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.metrics.MetricNames;
import io.meshsdk.core.sidecar.MigrationReport;
import io.meshsdk.core.sidecar.ReadinessProbe;
import io.meshsdk.core.sidecar.RouteMode;
import io.meshsdk.core.sidecar.SidecarConfig;
import io.meshsdk.testing.LoopbackBackend;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code route.mode=shadow:N} against two loopback backends: {@code direct} (the service's endpoint) and one that
 * stands in for the sidecar (it answers whatever Host it is sent). The caller always gets the direct answer; the
 * copies are counted in the migration report and the metrics.
 */
class ShadowTrafficTest {

  private static final Duration AWAIT = Duration.ofSeconds(30);
  private static final MediaType TEXT = MediaType.get("text/plain");

  private LoopbackBackend direct;
  private LoopbackBackend sidecar;
  private Mesh mesh;
  private OkHttpClient http;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @BeforeEach
  void setUp() {
    direct = LoopbackBackend.start("direct");
    sidecar = LoopbackBackend.start("sidecar");
  }

  @AfterEach
  void tearDown() {
    if (mesh != null) {
      mesh.close();
    }
    direct.close();
    sidecar.close();
  }

  private void start(String mode, int sidecarPort, String... routeKeys) {
    MeshConfig config = MeshConfig.builder().service("inventory", s -> {
      s.set("route.mode", mode);
      s.set("route.shadow-max-cpu", "100"); // deterministic whatever the machine's load; the CPU tests set theirs
      for (int i = 0; i < routeKeys.length; i += 2) {
        s.set(routeKeys[i], routeKeys[i + 1]);
      }
    }).build();
    mesh = Mesh.builder()
        .discovery(StaticServiceDiscovery.of(Endpoint.of("inventory", direct.host(), direct.port())))
        .config(config)
        .sidecar(SidecarConfig.builder().address("127.0.0.1", sidecarPort).readiness(ReadinessProbe.TCP)
            .probeInterval(Duration.ofMinutes(10)).build())
        .localService("shop")
        .meterRegistry(registry)
        .build();
    http = mesh.newOkHttpClient();
  }

  private Response call(Request.Builder request) throws IOException {
    return http.newCall(request.build()).execute();
  }

  /** One call; asserts the caller got the direct backend's answer. */
  private void callDirect(Request.Builder request) throws IOException {
    try (Response r = call(request)) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.header("x-backend")).isEqualTo("direct");
      r.body().string();
    }
  }

  private void get(String path) throws IOException {
    callDirect(new Request.Builder().url("http://inventory" + path));
  }

  private MigrationReport.Shadow shadow() {
    MigrationReport.Service s = mesh.migrationReport().service("inventory");
    assertThat(s).isNotNull();
    return s.shadow();
  }

  private double counter(String name, String... tags) {
    Counter c = registry.find(name).tags("service", "inventory").tags(tags).counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void safeMethodsWithoutABodyAreCopiedWithTheApplicationsHeadersAndTheShadowMarker() throws IOException {
    start("shadow:100", sidecar.port());
    callDirect(new Request.Builder().url("http://inventory/items/1?x=y").header("x-user", "u1")
        .header("x-mesh-shadow", "spoofed"));
    callDirect(new Request.Builder().url("http://inventory/items/2").head());
    callDirect(new Request.Builder().url("http://inventory/items/3").method("OPTIONS", null));

    await().atMost(AWAIT).until(() -> shadow().pairs() == 3);
    assertThat(sidecar.requests()).isEqualTo(3);
    List<Map<String, List<String>>> seen = sidecar.recentHeaders();
    assertThat(seen).allSatisfy(h -> {
      assertThat(h.get("x-mesh-shadow")).containsExactly("1");
      assertThat(h.get("x-mesh-route")).containsExactly("sidecar");
      assertThat(h.get("host")).containsExactly("inventory");
      assertThat(h.get("x-mesh-caller")).containsExactly("shop");
      assertThat(h).containsKey("x-mesh-deadline-ms");
    });
    assertThat(seen.stream().filter(h -> h.containsKey("x-user")).map(h -> h.get("x-user")))
        .containsExactly(List.of("u1"));
    assertThat(direct.recentHeaders()).allSatisfy(h -> assertThat(h).doesNotContainKey("x-mesh-route"));

    MigrationReport.Shadow s = shadow();
    assertThat(s.sent()).isEqualTo(3);
    assertThat(s.statusMismatches()).isZero();
    assertThat(s.direct().calls()).isEqualTo(3);
    assertThat(s.shadow().errors()).isZero();
    assertThat(counter(MetricNames.CLIENT_SHADOW_SENT)).isEqualTo(3);
    // the copies are not calls of the service: its call timer counts the three primary calls only
    long timed = registry.find(MetricNames.CLIENT_REQUESTS).tags("service", "inventory").timers().stream()
        .mapToLong(Timer::count).sum();
    assertThat(timed).isEqualTo(3);
  }

  @Test
  void copiesRunOnDaemonThreadsOfTheLowestPriority() throws IOException {
    start("shadow:100", sidecar.port());
    get("/items/1");
    await().atMost(AWAIT).until(() -> shadow().pairs() == 1);
    List<Thread> workers = Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("mesh-shadow-")).toList();
    assertThat(workers).as("the copy's worker is kept for the next copy").isNotEmpty()
        .allSatisfy(t -> {
          assertThat(t.isDaemon()).isTrue();
          assertThat(t.getPriority()).as("what -XX:ThreadPriorityPolicy=1 turns into a lower CPU share on Linux")
              .isEqualTo(Thread.MIN_PRIORITY);
        });
  }

  @Test
  void writesAndRequestsWithABodyAreNeverCopied() throws IOException {
    start("shadow:100", sidecar.port());
    callDirect(new Request.Builder().url("http://inventory/a").post(RequestBody.create("x", TEXT)));
    callDirect(new Request.Builder().url("http://inventory/a").put(RequestBody.create("x", TEXT)));
    callDirect(new Request.Builder().url("http://inventory/a").patch(RequestBody.create("x", TEXT)));
    callDirect(new Request.Builder().url("http://inventory/a").delete());
    callDirect(new Request.Builder().url("http://inventory/a").method("OPTIONS", RequestBody.create("x", TEXT)));
    assertThat(shadow().sent()).isZero();
    assertThat(shadow().dropped()).isZero();

    get("/b"); // a GET right after is copied: the writes were not skipped for want of a sidecar
    assertThat(shadow().sent()).isEqualTo(1);
    await().atMost(AWAIT).until(() -> shadow().pairs() == 1);
    assertThat(sidecar.requests()).isEqualTo(1);
    assertThat(sidecar.recentHeaders().get(0)).doesNotContainKey("content-length");
    assertThat(direct.requests()).isEqualTo(6);
  }

  @Test
  void httpsCallsAreNotCopied() {
    start("shadow:100", sidecar.port());
    // the endpoint is plaintext, so the https call fails direct; no copy is made on the way
    assertThatThrownBy(() -> call(new Request.Builder().url("https://inventory/items/1")).close())
        .isInstanceOf(IOException.class);
    assertThat(shadow().sent()).isZero();
    assertThat(shadow().dropped()).isZero();
  }

  @Test
  void theCopiedCallsAreTheKeysThatSplitWouldMove() throws IOException {
    start("shadow:30", sidecar.port(), "route.shadow-max-concurrency", "1024");
    SplittableRandom random = new SplittableRandom(7);
    Set<String> expected = new HashSet<>();
    for (int i = 0; i < 300; i++) {
      String tp = String.format(Locale.ROOT, "00-%016x%016x-%016x-01", random.nextLong(), random.nextLong(),
          random.nextLong());
      if (RouteKey.bucket(null, tp) < 30) {
        expected.add(tp);
      }
      callDirect(new Request.Builder().url("http://inventory/items/" + i).header("traceparent", tp));
    }
    assertThat(expected.size()).isBetween(60, 120);
    assertThat(shadow().sent()).isEqualTo(expected.size());
    await().atMost(AWAIT).until(() -> shadow().pairs() == expected.size());
    Set<String> copied = new HashSet<>();
    for (Map<String, List<String>> h : sidecar.recentHeaders()) {
      copied.add(h.get("traceparent").get(0));
    }
    assertThat(copied).isEqualTo(expected);
  }

  @Test
  void noCopyWhileTheSidecarIsNotReadyAndEachSkipIsCounted() throws IOException {
    start("shadow:100", LoopbackBackend.closedPort());
    for (int i = 0; i < 10; i++) {
      get("/items/" + i);
    }
    MigrationReport.Service s = mesh.migrationReport().service("inventory");
    assertThat(s.shadow().sent()).isZero();
    assertThat(s.shadow().droppedNotReady()).isEqualTo(10);
    assertThat(s.shadow().droppedConcurrency()).isZero();
    assertThat(s.runningDirectAgainstConfig()).isTrue();
    assertThat(counter(MetricNames.CLIENT_SHADOW_DROPPED, "reason", "not_ready")).isEqualTo(10);
    assertThat(mesh.migrationReport().render()).contains("no shadow copy is sent");
  }

  @Test
  void aBusyHostShedsTheCopiesAndCountsThemAndAQuietOneSendsThemAgain() throws Exception {
    start("shadow:100", sidecar.port(), "route.shadow-max-cpu", "60");
    ShadowTraffic traffic = engine().shadowTrafficIfAny();
    assertThat(traffic).isNotNull();
    traffic.cpuLoad(() -> 0.61);
    traffic.sampleCpu();
    for (int i = 0; i < 4; i++) {
      get("/items/" + i); // answered direct, no copy
    }
    MigrationReport.Shadow s = shadow();
    assertThat(s.sent()).isZero();
    assertThat(s.droppedCpu()).isEqualTo(4);
    assertThat(s.dropped()).isEqualTo(4);
    assertThat(counter(MetricNames.CLIENT_SHADOW_DROPPED, "reason", "cpu")).isEqualTo(4);
    assertThat(mesh.migrationReport().render()).contains("4 dropped (0 concurrency, 0 not ready, 4 cpu)");

    traffic.cpuLoad(() -> 0.60); // at the ceiling: copies go
    traffic.sampleCpu();
    get("/items/5");
    traffic.cpuLoad(() -> -1); // the platform cannot tell: nothing is shed
    traffic.sampleCpu();
    get("/items/6");
    await().atMost(AWAIT).until(() -> shadow().pairs() == 2);
    assertThat(sidecar.requests()).isEqualTo(2);
    assertThat(shadow().droppedCpu()).isEqualTo(4);
  }

  @Test
  void aCeilingOf100NeverShedsEvenOnAFullyBusyHost() throws Exception {
    start("shadow:100", sidecar.port(), "route.shadow-max-cpu", "100");
    ShadowTraffic traffic = engine().shadowTrafficIfAny();
    assertThat(traffic).isNotNull();
    traffic.cpuLoad(() -> 1.0);
    traffic.sampleCpu();
    get("/items/1");
    await().atMost(AWAIT).until(() -> shadow().pairs() == 1);
    assertThat(shadow().droppedCpu()).isZero();
  }

  private MeshEngine engine() throws ReflectiveOperationException {
    return Engines.of(mesh);
  }

  @Test
  void theOverflowIsDroppedAndCountedWhenTheSidecarNeverAnswers() throws IOException {
    sidecar.mode(LoopbackBackend.hang());
    start("shadow:100", sidecar.port(), "route.shadow-max-concurrency", "2", "route.shadow-timeout", "1h");
    for (int i = 0; i < 5; i++) {
      get("/items/" + i); // answered direct at once, whatever the copies do
    }
    MigrationReport.Shadow s = shadow();
    assertThat(s.sent()).isEqualTo(2);
    assertThat(s.droppedConcurrency()).isEqualTo(3);
    assertThat(s.inFlight()).isEqualTo(2);
    assertThat(s.maxConcurrency()).isEqualTo(2);
    assertThat(s.pairs()).isZero();
    assertThat(counter(MetricNames.CLIENT_SHADOW_DROPPED, "reason", "concurrency")).isEqualTo(3);
    assertThat(counter(MetricNames.CLIENT_SHADOW_SENT)).isEqualTo(2);
    assertThat(direct.requests()).isEqualTo(5);
  }

  @Test
  void copiesTimeOutAndFreeTheirPermit() throws IOException {
    sidecar.mode(LoopbackBackend.hang());
    start("shadow:100", sidecar.port(), "route.shadow-max-concurrency", "2", "route.shadow-timeout", "200ms");
    get("/items/1");
    get("/items/2");
    await().atMost(AWAIT).until(() -> shadow().inFlight() == 0);
    MigrationReport.Shadow s = shadow();
    assertThat(s.pairs()).isEqualTo(2);
    assertThat(s.shadow().errors()).isEqualTo(2);
    assertThat(s.statusClassMismatches()).isEqualTo(2);
    assertThat(s.direct().errors()).isZero();
    assertThat(counter(MetricNames.CLIENT_SHADOW_MISMATCHES, "kind", "status_class")).isEqualTo(2);

    get("/items/3"); // the permits are back: two more copies go
    get("/items/4");
    assertThat(shadow().sent()).isEqualTo(4);
    assertThat(shadow().droppedConcurrency()).isZero();
  }

  @Test
  void aRouteChangeOutOfShadowStopsTheCopies() throws IOException {
    start("shadow:100", sidecar.port());
    get("/a");
    assertThat(mesh.route("inventory", "direct")).isEqualTo(RouteMode.shadow(100));
    get("/b");
    assertThat(shadow().sent()).isEqualTo(1);
    await().atMost(AWAIT).until(() -> shadow().pairs() == 1);
    assertThat(shadow().maxConcurrency()).isZero();
  }
}
