package io.meshsdk.core.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.metrics.MetricNames;
import io.meshsdk.core.sidecar.MigrationReport;
import io.meshsdk.core.sidecar.ReadinessProbe;
import io.meshsdk.core.sidecar.SidecarConfig;
import io.meshsdk.testing.LoopbackBackend;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Locale;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * 100,000 calls in {@code shadow:100} leave nothing behind: every permit back, no worker running, threads and
 * pooled connections bounded by the permits, not by the copies. An IT for its length (a minute or more on a busy
 * 2-vCPU machine), against two loopback backends like {@link ShadowTrafficTest}.
 */
class ShadowTrafficSoakIT {

  private static final Duration AWAIT = Duration.ofSeconds(60);

  private final LoopbackBackend direct = LoopbackBackend.start("direct");
  private final LoopbackBackend sidecar = LoopbackBackend.start("sidecar");
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Mesh mesh = Mesh.builder()
      .discovery(StaticServiceDiscovery.of(Endpoint.of("inventory", direct.host(), direct.port())))
      .config(MeshConfig.builder().service("inventory", s -> s.set("route.mode", "shadow:100")
          .set("route.shadow-max-cpu", "100")).build()) // no copy shed, however busy the test machine
      .sidecar(SidecarConfig.builder().address("127.0.0.1", sidecar.port()).readiness(ReadinessProbe.TCP)
          .probeInterval(Duration.ofMinutes(10)).build())
      .meterRegistry(registry)
      .build();
  private final OkHttpClient http = mesh.newOkHttpClient();

  @AfterEach
  void tearDown() {
    mesh.close();
    direct.close();
    sidecar.close();
  }

  private Response call(Request.Builder request) throws java.io.IOException {
    return http.newCall(request.build()).execute();
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

  private static MeshEngine engine(Mesh mesh) throws ReflectiveOperationException {
    return Engines.of(mesh);
  }

  @Test
  void aHundredThousandCopiesLeaveNothingBehind() throws Exception {
    int calls = 100_000;
    long t0 = System.nanoTime();
    for (int i = 0; i < calls; i++) {
      try (Response r = call(new Request.Builder().url("http://inventory/items/" + (i & 1023)))) {
        assertThat(r.code()).isEqualTo(200);
        r.body().source().skip(r.body().contentLength());
      }
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    await().atMost(AWAIT).until(() -> shadow().inFlight() == 0);
    double sent = counter(MetricNames.CLIENT_SHADOW_SENT);
    double dropped = counter(MetricNames.CLIENT_SHADOW_DROPPED, "reason", "concurrency");
    assertThat(sent + dropped).isEqualTo(calls);
    assertThat(sent).isGreaterThan(calls / 2.0);
    assertThat(counter(MetricNames.CLIENT_SHADOW_MISMATCHES, "kind", "status_class")).isZero();
    ShadowTraffic traffic = engine(mesh).shadowTrafficIfAny();
    assertThat(traffic).isNotNull();
    await().atMost(AWAIT).until(() -> traffic.activeWorkers() == 0);
    // bounded by the permits (16), not by the number of copies: threads and connections stay few
    assertThat(traffic.largestPoolSize()).isLessThanOrEqualTo(64);
    assertThat(traffic.connectionPool().connectionCount()).isLessThanOrEqualTo(64);
    MigrationStats stats = engine(mesh).migrationStats("inventory");
    assertThat(stats).isNotNull();
    assertThat(stats.shadowIfAny()).isNotNull();
    assertThat(shadow().maxConcurrency()).isEqualTo(16);
    System.out.printf(Locale.ROOT, "%d shadowed calls in %d ms (%d sent, %d dropped)%n", calls, ms, (long) sent,
        (long) dropped);
  }
}
