package io.meshsdk.core.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.metrics.MetricNames;
import io.meshsdk.testing.LoopbackBackend;
import io.meshsdk.testing.sidecar.LocalSidecar;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shadow mode end to end with a real HAProxy as the sidecar: the service's endpoint is backend {@code direct};
 * HAProxy routes {@code inventory} to backend {@code behind-sidecar}, which answers 503 to requests marked
 * {@code x-flip} (the sidecar path behaving differently for some requests). Every caller gets the direct answer;
 * the migration report shows the mismatches.
 */
class ShadowTrafficIT {

  private static final Logger log = LoggerFactory.getLogger(ShadowTrafficIT.class);
  private static final Duration AWAIT = Duration.ofSeconds(30);
  private static final int CALLS = 400;

  @RegisterExtension final SidecarExtension sidecars = new SidecarExtension(LocalSidecar::haproxy);

  private LoopbackBackend direct;
  private LoopbackBackend behind;
  private LocalSidecar haproxy;
  private Mesh mesh;
  private OkHttpClient http;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @BeforeEach
  void setUp() {
    direct = LoopbackBackend.start("direct");
    behind = LoopbackBackend.start("behind-sidecar");
    behind.gate((method, header) -> header.apply("x-flip") != null
        ? LoopbackBackend.Decision.refuse(503, Map.of()) : LoopbackBackend.Decision.serve(() -> { }));
    haproxy = sidecars.start(s -> s.routeToPorts("inventory", behind.port()));
    mesh = Mesh.builder()
        .discovery(StaticServiceDiscovery.of(Endpoint.of("inventory", direct.host(), direct.port())))
        .config(MeshConfig.builder().service("inventory", s -> s
            .set("route.mode", "direct")
            .set("route.shadow-max-concurrency", "1024")
            .set("route.shadow-max-cpu", "100")).build()) // every copy, however busy the test machine
        .sidecar(SidecarConfig.builder().address(haproxy.host(), haproxy.port()).readyUrl(haproxy.readyUrl())
            .probeInterval(Duration.ofMillis(200)).build())
        .meterRegistry(registry)
        .build();
    http = mesh.newOkHttpClient();
  }

  @AfterEach
  void tearDown() {
    if (mesh != null) {
      mesh.close();
    }
    direct.close();
    behind.close();
  }

  @Test
  void theReportShowsTheSidecarPathsMismatchesWhileEveryCallerGetsTheDirectAnswer() throws IOException {
    assertThat(mesh.route("inventory", "shadow:100")).isEqualTo(RouteMode.DIRECT);
    assertThat(mesh.sidecarBridge().awaitReady(AWAIT)).isTrue();
    SplittableRandom random = new SplittableRandom(11);
    int flipped = 0;
    for (int i = 0; i < CALLS; i++) {
      boolean flip = random.nextInt(4) == 0;
      Request.Builder rb = new Request.Builder().url("http://inventory/items/" + i)
          .header("traceparent", String.format(Locale.ROOT, "00-%016x%016x-%016x-01", random.nextLong(),
              random.nextLong(), random.nextLong()));
      if (flip) {
        rb.header("x-flip", "1");
        flipped++;
      }
      try (Response r = http.newCall(rb.build()).execute()) {
        assertThat(r.code()).isEqualTo(200);
        assertThat(r.header("x-backend")).isEqualTo("direct");
        assertThat(r.header(LocalSidecar.VIA_HEADER)).isNull();
        r.body().string();
      }
    }
    final int expectedMismatches = flipped;
    await().atMost(AWAIT).until(() -> shadow().pairs() == CALLS);

    MigrationReport report = mesh.migrationReport();
    log.info("migration report:\n{}", report.render());
    MigrationReport.Service service = report.service("inventory");
    assertThat(service).isNotNull();
    assertThat(service.mode()).isEqualTo(RouteMode.shadow(100));
    assertThat(service.direct().calls()).isEqualTo(CALLS);
    assertThat(service.sidecar().calls()).isZero();
    MigrationReport.Shadow s = service.shadow();
    assertThat(s.sent()).isEqualTo(CALLS);
    assertThat(s.dropped()).isZero();
    assertThat(s.statusMismatches()).isEqualTo(expectedMismatches);
    assertThat(s.statusClassMismatches()).isEqualTo(expectedMismatches);
    assertThat(s.statusMismatchRate()).isEqualTo((double) expectedMismatches / CALLS);
    assertThat(s.direct().errors()).isZero();
    assertThat(s.shadow().errors()).isEqualTo(expectedMismatches);
    assertThat(s.direct().p50Micros()).isPositive();
    assertThat(s.shadow().p99Micros()).isPositive();
    assertThat(s.inFlight()).isZero();
    assertThat(report.render()).contains("shadow:s").contains(String.format(Locale.ROOT,
        "status mismatch %.2f%%", 100.0 * expectedMismatches / CALLS));

    // the real sidecar forwarded every copy, marked, to the backend behind it
    assertThat(behind.requests()).isEqualTo(CALLS - expectedMismatches); // the refused ones never reach serve()
    List<Map<String, List<String>>> seen = behind.recentHeaders();
    assertThat(seen).allSatisfy(h -> {
      assertThat(h.get("x-mesh-shadow")).containsExactly("1");
      assertThat(h.get("host")).containsExactly("inventory");
    });
    assertThat(direct.requests()).isEqualTo(CALLS);
    Counter mismatches = registry.find(MetricNames.CLIENT_SHADOW_MISMATCHES)
        .tags("service", "inventory", "kind", "status_class").counter();
    assertThat(mismatches).isNotNull();
    assertThat(mismatches.count()).isEqualTo(expectedMismatches);
  }

  private MigrationReport.Shadow shadow() {
    MigrationReport.Service s = mesh.migrationReport().service("inventory");
    return s == null ? MigrationReport.Shadow.NONE : s.shadow();
  }
}
