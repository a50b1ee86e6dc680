package io.meshsdk.core.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.sidecar.MigrationReport;
import io.meshsdk.core.sidecar.RouteMode;
import io.meshsdk.core.sidecar.RouteTransition;
import io.meshsdk.core.sidecar.SidecarConfig;
import io.meshsdk.testing.LoopbackBackend;
import io.meshsdk.testing.sidecar.LocalSidecar;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bar of "step only while healthy", with a real HAProxy sidecar: a plan 10 → 50 → 100 % under load from two
 * threads of idempotent GETs ({@code route.sidecar-retries=sdk}, two attempts). During the 50 % step HAProxy is
 * reloaded to answer 503 to 5 % of the service's requests: the plan rolls back to 10 % within one guard window of
 * the injection, at most 0.1 % of the calls fail (the direct path's retries absorb the sidecar's 503s), and the
 * audit entry names the guard with its figures. With the fault removed, the plan retries 50 % after its cool-down
 * and completes.
 */
class MigrationPlanHaproxyIT {

  private static final Logger log = LoggerFactory.getLogger(MigrationPlanHaproxyIT.class);
  private static final int WINDOW_SECONDS = 3;
  private static final Duration EVALUATION = Duration.ofSeconds(1);

  private LoopbackBackend a;
  private LoopbackBackend b;
  private LocalSidecar sidecar;
  private @Nullable Mesh mesh;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicLong calls = new AtomicLong();
  private final AtomicLong viaSidecar = new AtomicLong();
  private final List<String> failures = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() {
    a = LoopbackBackend.start("orders-a");
    b = LoopbackBackend.start("orders-b");
    sidecar = LocalSidecar.haproxy().routeToPorts("orders", a.port(), b.port()).start();
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    running.set(false);
    for (Thread t : threads) {
      t.join(10_000);
    }
    if (mesh != null) {
      mesh.close();
    }
    sidecar.close();
    a.close();
    b.close();
  }

  private void load(OkHttpClient http) {
    for (int t = 0; t < 2; t++) {
      Thread th = new Thread(() -> {
        long i = 0;
        while (running.get()) {
          calls.incrementAndGet();
          try (Response r = http.newCall(new Request.Builder().url("http://orders/items/" + i++).build()).execute()) {
            r.body().string();
            if (r.code() != 200) {
              failures.add(r.code() + " via " + r.header(LocalSidecar.VIA_HEADER));
            } else if (r.header(LocalSidecar.VIA_HEADER) != null) {
              viaSidecar.incrementAndGet();
            }
          } catch (IOException | RuntimeException e) {
            failures.add(e.toString());
          }
        }
      }, "load-" + t);
      th.start();
      threads.add(th);
    }
  }

  private static PlanStatus status(Mesh m) {
    return m.plan("orders").orElseThrow();
  }

  @Test
  void fivePercent503sAtTheSidecarDuringTheFiftyPercentStepRollBackWithinOneGuardWindow() throws Exception {
    Map<String, String> p = new HashMap<>();
    p.put("mesh.plans.canary.steps", "10,50,100");
    p.put("mesh.plans.canary.dwell", "3s,10s,3s");
    p.put("mesh.plans.canary.window", WINDOW_SECONDS + "s");
    p.put("mesh.plans.canary.evaluation-interval", EVALUATION.toMillis() + "ms");
    p.put("mesh.plans.canary.guard.error-rate.max-increase", "1");
    p.put("mesh.plans.canary.guard.error-rate.min-calls", "50");
    p.put("mesh.plans.canary.guard.p99.max-ratio", "10"); // a loaded 2-vCPU box: latency is not what this tests
    p.put("mesh.plans.canary.guard.p99.min-increase", "250ms");
    p.put("mesh.plans.canary.guard.p99.min-calls", "50");
    p.put("mesh.plans.canary.cool-down", "4s");
    p.put("mesh.plans.canary.max-retries", "2");
    p.put("mesh.plans.canary.services", "orders");
    p.put("mesh.services.orders.route.sidecar-retries", "sdk");
    p.put("mesh.services.orders.retry.max-attempts", "2");
    p.put("mesh.services.orders.retry.backoff", "1ms");
    p.put("mesh.services.orders.outlier.enabled", "false");
    Mesh m = Mesh.builder()
        .discovery(StaticServiceDiscovery.of(Endpoint.of("orders", a.host(), a.port()),
            Endpoint.of("orders", b.host(), b.port())))
        .config(MeshConfig.fromProperties(p))
        .sidecar(SidecarConfig.builder().address(sidecar.host(), sidecar.port()).readyUrl(sidecar.readyUrl())
            .probeInterval(Duration.ofMillis(200)).build())
        .build();
    mesh = m;
    assertThat(m.sidecarBridge().awaitReady(Duration.ofSeconds(10))).isTrue();
    load(m.newOkHttpClient());

    await().atMost(Duration.ofSeconds(30)).until(() -> status(m).step() == 1 || !failures.isEmpty());
    assertThat(failures).isEmpty();
    assertThat(m.route("orders")).isEqualTo(RouteMode.split(50));
    long callsBefore = calls.get();
    sidecar.injectStatus("orders", 503, 5).reload();
    Instant injectedAt = Instant.now();
    long injectedNanos = System.nanoTime();
    log.info("injected 5 % 503s at the sidecar path");

    await().atMost(Duration.ofSeconds(20)).until(() -> status(m).rollbacks() >= 1);
    long rollbackNanos = System.nanoTime();
    sidecar.injectStatus("orders", 503, 0).reload(); // fault removed: the plan may retry after its cool-down
    long episodeCalls = calls.get() - callsBefore;

    MigrationReport.Service report = m.migrationReport().service("orders");
    assertThat(report).isNotNull();
    RouteTransition rollback = report.transitions().stream()
        .filter(t -> t.evidence() != null && !t.evidence().guard().isEmpty()).findFirst().orElseThrow();
    log.info("rollback entry: {}", rollback);
    assertThat(rollback.by()).isEqualTo("plan:canary");
    assertThat(rollback.from()).isEqualTo(RouteMode.split(50));
    assertThat(rollback.to()).as("back to the previous step").isEqualTo(RouteMode.split(10));
    PlanEvidence evidence = rollback.evidence();
    assertThat(evidence).isNotNull();
    assertThat(evidence.guard()).isEqualTo(GuardResult.ERROR_RATE);
    assertThat(evidence.state()).isEqualTo(PlanState.HOLDING);
    GuardResult tripped = evidence.result(GuardResult.ERROR_RATE);
    assertThat(tripped).isNotNull();
    assertThat(tripped.observed()).isGreaterThan(tripped.threshold());
    GuardFigures f = evidence.figures();
    assertThat(f).isNotNull();
    assertThat(f.sidecarCalls()).isGreaterThanOrEqualTo(50);
    assertThat(f.sidecarErrors()).as("the injected 503s").isPositive();
    assertThat(f.windowSeconds()).isBetween(1, WINDOW_SECONDS);
    assertThat(rollback.reason()).contains("guard error-rate tripped").contains("errors of")
        .contains("over " + f.windowSeconds() + " s");
    // within one guard window of the injection: the plan's own clock (its figures' end) against the injection,
    // at the granularity of one evaluation interval
    Duration took = Duration.between(injectedAt, f.to());
    log.info("rollback {} ms after the injection (caller's clock {} ms); figures {}; {} calls in the episode,"
        + " {} failed", took.toMillis(), (rollbackNanos - injectedNanos) / 1_000_000, f, episodeCalls,
        failures.size());
    assertThat(took).isLessThanOrEqualTo(Duration.ofSeconds(WINDOW_SECONDS).plus(EVALUATION));

    await().atMost(Duration.ofSeconds(60)).until(() -> status(m).state() == PlanState.DONE
        || status(m).state() == PlanState.FAILED);
    running.set(false);
    for (Thread t : threads) {
      t.join(10_000);
    }
    long total = calls.get();
    log.info("{}; {} calls, {} via the sidecar, {} failed: {}", status(m), total, viaSidecar.get(),
        failures.size(), failures.stream().limit(5).toList());
    assertThat(status(m).state()).as("retried after the cool-down, then completed").isEqualTo(PlanState.DONE);
    assertThat(m.route("orders")).isEqualTo(RouteMode.SIDECAR);
    assertThat(failures.size() * 1000L).as("at most 0.1 %% of %d calls failed: %s", total, failures)
        .isLessThanOrEqualTo(total);
    assertThat(report.transitions()).extracting(RouteTransition::by).contains("plan:canary");
    log.info("{}", m.migrationReport().render());
  }
}
