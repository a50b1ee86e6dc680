package io.meshsdk.core.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.metrics.MetricNames;
import io.meshsdk.core.observe.CallInfo;
import io.meshsdk.core.observe.CallObserver;
import io.meshsdk.core.observe.MeshObserver;
import io.meshsdk.core.sidecar.MigrationReport;
import io.meshsdk.core.sidecar.ReadinessProbe;
import io.meshsdk.core.sidecar.RouteMode;
import io.meshsdk.core.sidecar.RouteTransition;
import io.meshsdk.core.sidecar.SidecarConfig;
import io.meshsdk.testing.LoopbackBackend;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Migration plans wired into a mesh, time driven by a frozen ticker and {@code Mesh.evaluatePlansNow()}: loopback
 * servers stand for the backend and the sidecar (TCP readiness), so the guards judge real calls' outcomes.
 */
class MigrationPlanMeshTest {

  private final AtomicLong clock = new AtomicLong(1_000_000_000_000L);
  private LoopbackBackend backend;
  private LoopbackBackend sidecar;
  private @Nullable Mesh mesh;

  @BeforeEach
  void setUp() {
    backend = LoopbackBackend.start("orders-1");
    sidecar = LoopbackBackend.start("sidecar");
  }

  @AfterEach
  void tearDown() {
    if (mesh != null) {
      mesh.close();
    }
    backend.close();
    sidecar.close();
  }

  private static Map<String, String> planKeys() {
    Map<String, String> p = new HashMap<>();
    p.put("mesh.plans.canary.steps", "10,50,100");
    p.put("mesh.plans.canary.dwell", "10s");
    p.put("mesh.plans.canary.window", "5s");
    p.put("mesh.plans.canary.guard.error-rate.max-increase", "1");
    p.put("mesh.plans.canary.guard.error-rate.min-calls", "20");
    p.put("mesh.plans.canary.guard.p99.min-calls", "20");
    p.put("mesh.plans.canary.cool-down", "30s");
    p.put("mesh.plans.canary.max-retries", "1");
    return p;
  }

  private Mesh mesh(Map<String, String> properties, String... services) {
    return mesh(properties, b -> { }, services);
  }

  private Mesh mesh(Map<String, String> properties, Consumer<Mesh.Builder> more, String... services) {
    List<Endpoint> endpoints = new ArrayList<>();
    for (String s : services) {
      endpoints.add(Endpoint.of(s, backend.host(), backend.port()));
    }
    Mesh.Builder b = Mesh.builder()
        .discovery(StaticServiceDiscovery.of(endpoints.toArray(new Endpoint[0])))
        .config(MeshConfig.fromProperties(properties))
        .ticker(clock::get)
        .sidecar(SidecarConfig.builder().address("127.0.0.1", sidecar.port()).readiness(ReadinessProbe.TCP)
            .probeInterval(Duration.ofHours(1)).build());
    more.accept(b);
    Mesh m = b.build();
    mesh = m;
    return m;
  }

  private void advance(Duration d) {
    clock.addAndGet(d.toNanos());
  }

  private static void calls(OkHttpClient http, String service, int n) throws IOException {
    for (int i = 0; i < n; i++) {
      try (Response r = http.newCall(new Request.Builder().url("http://" + service + "/items/" + i).build())
          .execute()) {
        assertThat(r.code()).as("every call succeeds (sidecar 503s are retried direct)").isEqualTo(200);
      }
    }
  }

  private Map<String, String> orders() {
    Map<String, String> p = planKeys();
    p.put("mesh.services.orders.route.plan", "canary");
    p.put("mesh.services.orders.route.sidecar-retries", "sdk");
    p.put("mesh.services.orders.retry.max-attempts", "2");
    p.put("mesh.services.orders.outlier.enabled", "false");
    return p;
  }

  @Test
  void advancesOnItsOwnThenRollsBackWhenTheSidecarErrsAndTheReportShowsIt() throws IOException {
    Mesh m = mesh(orders(), "orders");
    OkHttpClient http = m.newOkHttpClient();
    assertThat(m.plan("orders")).get().extracting(PlanStatus::state).isEqualTo(PlanState.RUNNING);
    m.evaluatePlansNow();
    assertThat(m.route("orders")).isEqualTo(RouteMode.split(10));
    advance(Duration.ofSeconds(9)); // within the last 5 s window, after the step's first second
    calls(http, "orders", 400);
    advance(Duration.ofSeconds(1));
    m.evaluatePlansNow();
    assertThat(m.route("orders")).as("dwelt 10 s, guards held").isEqualTo(RouteMode.split(50));

    sidecar.mode(LoopbackBackend.flaky(503, 0.2));
    advance(Duration.ofSeconds(1));
    calls(http, "orders", 300);
    m.evaluatePlansNow();
    assertThat(m.route("orders")).as("rolled back one step").isEqualTo(RouteMode.split(10));

    PlanStatus status = m.plan("orders").orElseThrow();
    assertThat(status.state()).isEqualTo(PlanState.HOLDING);
    assertThat(status.rollbacks()).isEqualTo(1);
    MigrationReport.Service report = m.migrationReport().service("orders");
    assertThat(report).isNotNull();
    assertThat(report.plan()).isNotNull();
    assertThat(report.plan().state()).isEqualTo(PlanState.HOLDING);
    RouteTransition rollback = report.transitions().get(report.transitions().size() - 1);
    assertThat(rollback.by()).isEqualTo("plan:canary");
    assertThat(rollback.from()).isEqualTo(RouteMode.split(50));
    assertThat(rollback.to()).isEqualTo(RouteMode.split(10));
    assertThat(rollback.evidence()).isNotNull();
    assertThat(rollback.evidence().guard()).isEqualTo(GuardResult.ERROR_RATE);
    GuardFigures f = rollback.evidence().figures();
    assertThat(f).isNotNull();
    assertThat(f.sidecarErrors()).isPositive();
    assertThat(f.sidecarCalls()).isGreaterThanOrEqualTo(20);
    assertThat(f.directErrors()).as("the sidecar's 503s were retried direct, successfully").isZero();
    assertThat(rollback.reason()).contains("guard error-rate tripped");
    assertThat(m.migrationReport().render()).contains("plan canary HOLDING step 1/3 (10%)")
        .contains("error-rate tripped");
    assertThat(report.transitions()).extracting(RouteTransition::by)
        .containsSubsequence("config", "plan:canary", "plan:canary", "plan:canary");
  }

  @Test
  void everyTransitionReachesTheObserversAndTheMetricsCountARollbackAsPlanDown() throws IOException {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    List<RouteTransition> told = new CopyOnWriteArrayList<>();
    MeshObserver listener = new MeshObserver() {
      @Override
      public CallObserver onCallStart(CallInfo call) {
        return CallObserver.NOOP;
      }

      @Override
      public void onRouteTransition(RouteTransition transition) {
        told.add(transition);
      }
    };
    Mesh m = mesh(orders(), b -> b.meterRegistry(registry).observer(listener), "orders");
    OkHttpClient http = m.newOkHttpClient();
    m.evaluatePlansNow(); // direct -> split:10
    advance(Duration.ofSeconds(9));
    calls(http, "orders", 400);
    advance(Duration.ofSeconds(1));
    m.evaluatePlansNow(); // split:10 -> split:50
    assertThat(share(registry)).isEqualTo(50);
    sidecar.mode(LoopbackBackend.flaky(503, 0.2));
    advance(Duration.ofSeconds(1));
    calls(http, "orders", 300);
    m.evaluatePlansNow(); // rollback to split:10
    m.route("orders", "direct"); // a manual override: api, down (and the plan's pause entry)

    assertThat(told).as("the observer saw the audit trail as recorded")
        .containsExactlyElementsOf(m.migrationReport().service("orders").transitions());
    assertThat(transitions(registry, "plan", "up")).as("direct -> 10 -> 50").isEqualTo(2);
    assertThat(transitions(registry, "plan", "down")).as("the rollback").isEqualTo(1);
    assertThat(transitions(registry, "api", "down")).isEqualTo(1);
    assertThat(transitions(registry, "api", "same")).as("the plan paused by the override").isEqualTo(1);
    assertThat(transitions(registry, "config", "same")).as("the plan assigned by the initial config").isEqualTo(1);
    assertThat(share(registry)).isZero();
  }

  private static double transitions(SimpleMeterRegistry registry, String by, String direction) {
    Counter c = registry.find(MetricNames.ROUTE_TRANSITIONS).tags(MetricNames.TAG_SERVICE, "orders",
        MetricNames.TAG_BY, by, MetricNames.TAG_DIRECTION, direction).counter();
    return c == null ? 0 : c.count();
  }

  private static double share(SimpleMeterRegistry registry) {
    Gauge g = registry.find(MetricNames.ROUTE_SIDECAR_SHARE).tag(MetricNames.TAG_SERVICE, "orders").gauge();
    assertThat(g).as("the sidecar share gauge").isNotNull();
    return g.value();
  }

  @Test
  void aManualOverridePausesThePlanAndResumeAlignsItAgain() throws IOException {
    Mesh m = mesh(orders(), "orders");
    m.evaluatePlansNow();
    m.route("orders", "split:25");
    PlanStatus paused = m.plan("orders").orElseThrow();
    assertThat(paused.state()).isEqualTo(PlanState.PAUSED);
    assertThat(paused.detail()).contains("manual override: route set to split:25 by api");
    advance(Duration.ofMinutes(5));
    m.evaluatePlansNow();
    assertThat(m.route("orders")).as("a paused plan moves nothing").isEqualTo(RouteMode.split(25));
    assertThat(m.resumePlan("orders").state()).isEqualTo(PlanState.RUNNING);
    m.evaluatePlansNow();
    assertThat(m.route("orders")).as("aligned to the highest step not above 25").isEqualTo(RouteMode.split(10));
    assertThat(m.pausePlan("orders", "change freeze").detail()).contains("change freeze");
    assertThat(m.abortPlan("orders", "manual migration").state()).isEqualTo(PlanState.ABORTED);
    assertThat(m.route("orders")).as("abort leaves the route").isEqualTo(RouteMode.split(10));
    List<RouteTransition> trail = m.migrationReport().service("orders").transitions();
    assertThat(trail).extracting(RouteTransition::reason).anyMatch(r -> r.contains("paused: manual override"))
        .anyMatch(r -> r.contains("aborted: manual migration"));
    assertThatThrownBy(() -> m.pausePlan("payments", "x")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("payments").hasMessageContaining("[orders]");
  }

  @Test
  void aHundredServicesUnderOnePlanEachMoveAtMostOnceAnEvaluation() throws IOException {
    Map<String, String> p = planKeys();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      names.add("svc-" + i);
    }
    p.put("mesh.plans.canary.services", String.join(",", names));
    Mesh m = mesh(p, names.toArray(new String[0]));
    assertThat(m.plans()).hasSize(100);
    m.evaluatePlansNow();
    assertThat(m.plans()).extracting(PlanStatus::sidecarPercent).containsOnly(10);
    int entries = 0;
    for (MigrationReport.Service s : m.migrationReport().services()) {
      entries += s.transitions().size();
    }
    advance(Duration.ofMinutes(1));
    m.evaluatePlansNow(); // no traffic: nobody has the calls to advance
    m.evaluatePlansNow();
    int after = 0;
    for (MigrationReport.Service s : m.migrationReport().services()) {
      after += s.transitions().size();
      assertThat(s.plan()).isNotNull();
      assertThat(s.plan().detail()).contains("0 of 20 sidecar calls");
    }
    assertThat(after).isEqualTo(entries);
    assertThat(m.plans()).extracting(PlanStatus::sidecarPercent).containsOnly(10);
  }

  @Test
  void aConfigWithoutThePlanDropsItAndAnotherPlanReplacesIt() {
    Mesh m = mesh(orders(), "orders");
    m.evaluatePlansNow();
    Map<String, String> p = orders();
    p.put("mesh.plans.fast.steps", "50,100");
    p.put("mesh.services.orders.route.plan", "fast");
    m.reconfigure(MeshConfig.fromProperties(p));
    assertThat(m.plan("orders").orElseThrow().plan()).isEqualTo("fast");
    p.remove("mesh.services.orders.route.plan");
    m.reconfigure(MeshConfig.fromProperties(p));
    assertThat(m.plan("orders")).isEmpty();
    assertThat(m.plans()).isEmpty();
  }
}
