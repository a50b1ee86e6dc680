package io.meshsdk.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.internal.directory.TrackedEndpoint;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.endpoint.EndpointExclusion;
import io.meshsdk.core.endpoint.EndpointState;
import io.meshsdk.core.observe.EndpointStateChange;
import io.meshsdk.core.observe.MeshObserver;
import io.meshsdk.core.observe.RequestHeaders;
import io.meshsdk.core.resilience.BreakerState;
import io.meshsdk.core.observe.AttemptInfo;
import io.meshsdk.core.observe.AttemptResult;
import io.meshsdk.core.observe.CallInfo;
import io.meshsdk.core.observe.CallObserver;
import io.meshsdk.core.observe.CallResult;
import io.meshsdk.core.observe.MeshEvent;
import io.meshsdk.core.observe.OutboundHeaders;
import io.meshsdk.core.observe.Outcome;
import io.meshsdk.core.observe.Route;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.HttpUrl;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** Drives {@link MeshMetrics} the way the engine does and checks a {@link SimpleMeterRegistry}. */
class MeshMetricsTest {

  private static final HttpUrl URL = HttpUrl.get("http://inventory/items/1");
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private long version;

  /** What the engine tells observers when {@code service}'s endpoints change. */
  private EndpointSet endpointsChanged(MeshObserver metrics, List<TrackedEndpoint> states) {
    EndpointSet set = new EndpointSet("inventory", ++version, states);
    metrics.onEndpointsChanged("inventory", set);
    return set;
  }

  private static TrackedEndpoint tracked(Endpoint e) {
    return new TrackedEndpoint(e, 0);
  }

  private static CallInfo call(Route route) {
    return new CallInfo("inventory", "GET", URL, route, "round-robin", RequestHeaders.NONE);
  }

  private static void attempt(CallObserver obs, int n, @Nullable EndpointState e, Outcome outcome, int status) {
    AttemptInfo info = new AttemptInfo(n, e, e == null ? URL : ((TrackedEndpoint) e).baseUrl());
    obs.onAttemptStart(info, new MapHeaders());
    obs.onAttemptEnd(info, new AttemptResult(outcome, status, null, 1_000));
  }

  private Timer timer(String outcome, String status, String route) {
    return registry.get(MetricNames.CLIENT_REQUESTS)
        .tags("service", "inventory", "outcome", outcome, "status", status, "route", route)
        .timer();
  }

  @Test
  void callsAreTimedByOutcomeStatusClassAndRoute() {
    MeshMetrics metrics = MeshMetrics.create(registry);
    for (int i = 0; i < 3; i++) {
      CallObserver obs = metrics.onCallStart(call(Route.DIRECT));
      obs.onCallEnd(new CallResult(Outcome.SUCCESS, 200, null, 5_000_000, 1, Route.DIRECT));
    }
    CallObserver failed = metrics.onCallStart(call(Route.DIRECT));
    failed.onCallEnd(new CallResult(Outcome.SERVER_ERROR, 503, null, 7_000_000, 1, Route.DIRECT));
    CallObserver viaSidecar = metrics.onCallStart(call(Route.SIDECAR));
    viaSidecar.onCallEnd(new CallResult(Outcome.CLIENT_ERROR, 404, null, 1_000_000, 1, Route.SIDECAR));
    CallObserver reset = metrics.onCallStart(call(Route.DIRECT));
    reset.onCallEnd(new CallResult(Outcome.IO_ERROR, -1, new java.io.IOException("reset"), 2_000_000, 1,
        Route.DIRECT));

    assertThat(timer("success", "2xx", "direct").count()).isEqualTo(3);
    assertThat(timer("success", "2xx", "direct").totalTime(TimeUnit.MILLISECONDS)).isEqualTo(15.0);
    assertThat(timer("server_error", "5xx", "direct").count()).isEqualTo(1);
    assertThat(timer("client_error", "4xx", "sidecar").count()).isEqualTo(1);
    assertThat(timer("io_error", "none", "direct").count()).isEqualTo(1);
    assertThat(registry.get(MetricNames.CLIENT_REQUESTS).timers()).hasSize(4);
    assertThat(registry.get(MetricNames.CLIENT_ACTIVE).tag("service", "inventory").gauge().value()).isZero();
  }

  @Test
  void activeGaugeCountsCallsInFlight() {
    MeshMetrics metrics = MeshMetrics.create(registry);
    CallObserver a = metrics.onCallStart(call(Route.DIRECT));
    CallObserver b = metrics.onCallStart(call(Route.DIRECT));
    assertThat(registry.get(MetricNames.CLIENT_ACTIVE).gauge().value()).isEqualTo(2.0);
    a.onCallEnd(new CallResult(Outcome.SUCCESS, 200, null, 1, 1, Route.DIRECT));
    assertThat(registry.get(MetricNames.CLIENT_ACTIVE).gauge().value()).isEqualTo(1.0);
    b.onCallEnd(new CallResult(Outcome.SUCCESS, 200, null, 1, 1, Route.DIRECT));
    assertThat(registry.get(MetricNames.CLIENT_ACTIVE).gauge().value()).isZero();
  }

  @Test
  void withoutEndpointTagEveryCallOfAServiceSharesOneObserver() {
    MeshMetrics metrics = MeshMetrics.create(registry);
    assertThat(metrics.onCallStart(call(Route.DIRECT))).isSameAs(metrics.onCallStart(call(Route.SIDECAR)));
  }

  @Test
  void eventsAreCountedPerKind() {
    MeshMetrics metrics = MeshMetrics.create(registry);
    CallObserver obs = metrics.onCallStart(call(Route.DIRECT));
    obs.onEvent(MeshEvent.RETRY, "503");
    obs.onEvent(MeshEvent.RETRY, "reset");
    obs.onEvent(MeshEvent.RETRY_BUDGET_EXHAUSTED, "");
    obs.onEvent(MeshEvent.BREAKER_REJECTED, "open");
    obs.onEvent(MeshEvent.RATE_LIMITED, "");
    obs.onEvent(MeshEvent.BULKHEAD_REJECTED, "");
    obs.onEvent(MeshEvent.BULKHEAD_REJECTED, "");
    obs.onEvent(MeshEvent.DEADLINE_EXCEEDED, "");
    obs.onEvent(MeshEvent.SIDECAR_FALLBACK, "not ready");
    obs.onCallEnd(new CallResult(Outcome.REJECTED, -1, null, 1, 0, Route.DIRECT));

    assertThat(registry.get(MetricNames.CLIENT_RETRIES).counter().count()).isEqualTo(2);
    assertThat(registry.get(MetricNames.CLIENT_RETRY_BUDGET_EXHAUSTED).counter().count()).isEqualTo(1);
    assertThat(registry.get(MetricNames.CLIENT_REJECTIONS).tag("reason", "breaker").counter().count()).isEqualTo(1);
    assertThat(registry.get(MetricNames.CLIENT_REJECTIONS).tag("reason", "rate_limiter").counter().count())
        .isEqualTo(1);
    assertThat(registry.get(MetricNames.CLIENT_REJECTIONS).tag("reason", "bulkhead").counter().count())
        .isEqualTo(2);
    assertThat(registry.get(MetricNames.CLIENT_DEADLINE_EXCEEDED).counter().count()).isEqualTo(1);
    assertThat(registry.get(MetricNames.CLIENT_SIDECAR_FALLBACKS).counter().count()).isEqualTo(1);
    assertThat(timer("rejected", "none", "direct").count()).isEqualTo(1);
  }

  @Test
  void ejectionsAreRecordedByReason() {
    MeshMetrics metrics = MeshMetrics.create(registry);
    EndpointState e = tracked(Endpoint.of("inventory", "127.0.0.1", 8080));
    metrics.onEndpointStateChanged(e, new EndpointStateChange(true, EndpointExclusion.Reason.CONSECUTIVE_FAILURES,
        "5 consecutive failures"));
    metrics.onEndpointStateChanged(e, new EndpointStateChange(false, EndpointExclusion.Reason.CONSECUTIVE_FAILURES,
        "ejection time over"));
    metrics.onEndpointStateChanged(e, new EndpointStateChange(true, EndpointExclusion.Reason.HEALTH_CHECK,
        "3 failed health checks"));
    assertThat(registry.get(MetricNames.ENDPOINT_EJECTIONS).tags("service", "inventory", "reason",
        "consecutive_failures").counter().count()).isEqualTo(1);
    assertThat(registry.get(MetricNames.ENDPOINT_EJECTIONS).tags("service", "inventory", "reason", "health_check")
        .counter().count()).isEqualTo(1);
  }

  @Test
  void endpointGaugesCountHealthyEjectedAndPanic() {
    MeshMetrics metrics = MeshMetrics.create(registry);
    List<TrackedEndpoint> states = List.of(tracked(Endpoint.of("inventory", "127.0.0.1", 1001)),
        tracked(Endpoint.of("inventory", "127.0.0.1", 1002)), tracked(Endpoint.of("inventory", "127.0.0.1", 1003)));
    endpointsChanged(metrics, states);
    assertThat(endpoints()).containsEntry("healthy", 3.0).containsEntry("ejected", 0.0).containsEntry("panic", 0.0);

    EndpointExclusion why = new EndpointExclusion(EndpointExclusion.Reason.CONSECUTIVE_FAILURES, "5", 0, 100);
    states.get(0).eject(why);
    assertThat(endpoints()).containsEntry("healthy", 2.0).containsEntry("ejected", 1.0).containsEntry("panic", 0.0);
    states.get(1).eject(why);
    states.get(2).eject(why);
    assertThat(endpoints()).containsEntry("healthy", 0.0).containsEntry("ejected", 0.0).containsEntry("panic", 3.0);
  }

  @Test
  void aRemovedServiceLeavesNoMeterBehind() {
    MeshMetrics metrics = MeshMetrics.builder(registry).endpointTag(true).build();
    EndpointSet set = endpointsChanged(metrics, List.of(tracked(Endpoint.of("inventory", "127.0.0.1", 1001))));
    metrics.onBreakerStateChanged("inventory", BreakerState.CLOSED);
    CallObserver obs = metrics.onCallStart(call(Route.DIRECT));
    attempt(obs, 0, set.get(0), Outcome.SUCCESS, 200);
    obs.onEvent(MeshEvent.RETRY, "503");
    obs.onCallEnd(new CallResult(Outcome.SUCCESS, 200, null, 1, 1, Route.DIRECT));
    metrics.onEndpointStateChanged(set.get(0), new EndpointStateChange(true,
        EndpointExclusion.Reason.FAILURE_RATE, "60% of 40 attempts failed"));
    assertThat(registry.getMeters()).isNotEmpty();
    metrics.onServiceRemoved("inventory");
    assertThat(registry.getMeters()).isEmpty();
    assertThat(metrics.services()).isEmpty();
  }

  private Map<String, Double> endpoints() {
    Map<String, Double> out = new HashMap<>();
    registry.get(MetricNames.ENDPOINTS).tag("service", "inventory").gauges()
        .forEach(g -> out.put(g.getId().getTag("state"), g.value()));
    return out;
  }

  @Test
  void endpointTagIsOptInCappedAndRemovedWhenTheEndpointLeaves() {
    MeshMetrics metrics = MeshMetrics.builder(registry).endpointTag(true).maxEndpointTagValues(2).build();
    Endpoint a = Endpoint.of("inventory", "127.0.0.1", 1001);
    Endpoint b = Endpoint.of("inventory", "127.0.0.1", 1002);
    Endpoint c = Endpoint.of("inventory", "127.0.0.1", 1003);
    EndpointSet set = endpointsChanged(metrics, List.of(tracked(a), tracked(b), tracked(c)));
    for (int i = 0; i < 3; i++) {
      CallObserver obs = metrics.onCallStart(call(Route.DIRECT));
      attempt(obs, 0, set.get(i), Outcome.SUCCESS, 200);
      obs.onCallEnd(new CallResult(Outcome.SUCCESS, 200, null, 1, 1, Route.DIRECT));
    }
    // a retried call counts once, under the endpoint of its last attempt
    CallObserver retried = metrics.onCallStart(call(Route.DIRECT));
    attempt(retried, 0, set.get(0), Outcome.SERVER_ERROR, 503);
    retried.onEvent(MeshEvent.RETRY, "503");
    attempt(retried, 1, set.get(1), Outcome.SUCCESS, 200);
    retried.onCallEnd(new CallResult(Outcome.SUCCESS, 200, null, 1, 2, Route.DIRECT));
    CallObserver rejected = metrics.onCallStart(call(Route.DIRECT));
    rejected.onCallEnd(new CallResult(Outcome.REJECTED, -1, null, 1, 0, Route.DIRECT));

    assertThat(endpointCount(a.id())).isEqualTo(1);
    assertThat(endpointCount(b.id())).isEqualTo(2);
    assertThat(endpointCount(MetricNames.OTHER)).isEqualTo(1); // c is past the cap of 2
    assertThat(registry.find(MetricNames.CLIENT_REQUESTS).tag("endpoint", c.id()).timers()).isEmpty();
    assertThat(registry.get(MetricNames.CLIENT_REQUESTS).tag("endpoint", "none").timer().count()).isEqualTo(1);

    endpointsChanged(metrics, List.of((TrackedEndpoint) set.get(1), (TrackedEndpoint) set.get(2)));

    assertThat(registry.find(MetricNames.CLIENT_REQUESTS).tag("endpoint", a.id()).timers()).isEmpty();
    assertThat(endpointCount(b.id())).isEqualTo(2);
    assertThat(metrics.services().get("inventory").taggedEndpoints()).containsExactly(b.id());
  }

  @Test
  void aCallThatOutlivesItsEndpointDoesNotBringItsMetersBack() {
    MeshMetrics metrics = MeshMetrics.builder(registry).endpointTag(true).build();
    Endpoint a = Endpoint.of("inventory", "127.0.0.1", 1001);
    Endpoint b = Endpoint.of("inventory", "127.0.0.1", 1002);
    EndpointSet set = endpointsChanged(metrics, List.of(tracked(a), tracked(b)));
    EndpointState stateA = set.get(0);
    CallObserver inFlight = metrics.onCallStart(call(Route.DIRECT));
    attempt(inFlight, 0, stateA, Outcome.SUCCESS, 200);

    endpointsChanged(metrics, List.of((TrackedEndpoint) set.get(1))); // a leaves while the call is in flight
    inFlight.onCallEnd(new CallResult(Outcome.SUCCESS, 200, null, 1, 1, Route.DIRECT));

    assertThat(registry.find(MetricNames.CLIENT_REQUESTS).tag("endpoint", a.id()).timers()).isEmpty();
    assertThat(endpointCount(MetricNames.OTHER)).isEqualTo(1);
    assertThat(metrics.services().get("inventory").taggedEndpoints()).isEmpty();
  }

  private long endpointCount(String endpoint) {
    return registry.get(MetricNames.CLIENT_REQUESTS).tag("endpoint", endpoint).timers().stream()
        .mapToLong(Timer::count).sum();
  }

  @Test
  void sloBucketsArePublished() {
    MeshMetrics metrics = MeshMetrics.builder(registry)
        .serviceLevelObjectives(Duration.ofMillis(100), Duration.ofMillis(10))
        .build();
    metrics.onCallStart(call(Route.DIRECT))
        .onCallEnd(new CallResult(Outcome.SUCCESS, 200, null, 50_000_000, 1, Route.DIRECT));
    var buckets = timer("success", "2xx", "direct").takeSnapshot().histogramCounts();
    assertThat(buckets).hasSize(2);
    assertThat(buckets[0].bucket(TimeUnit.MILLISECONDS)).isEqualTo(10.0);
    assertThat(buckets[0].count()).isZero();
    assertThat(buckets[1].count()).isEqualTo(1);
  }

  @Test
  void badOptionsAreRejectedNamingTheKey() {
    assertThatThrownBy(() -> MeshMetrics.builder(registry).maxEndpointTagValues(0))
        .isInstanceOf(ConfigException.class)
        .hasMessage("metrics.endpoint-tag.max: 0 (expected: 1-10000)");
    assertThatThrownBy(() -> MeshMetrics.builder(registry).serviceLevelObjectives(Duration.ZERO))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("metrics.slos: PT0S");
  }

  @Test
  void breakerStateGaugeFollowsTheBreakerEvents() {
    MeshMetrics metrics = MeshMetrics.create(registry);
    metrics.onBreakerStateChanged("inventory", BreakerState.CLOSED);
    assertThat(breaker("closed")).isEqualTo(1.0);
    assertThat(breaker("open")).isZero();
    metrics.onBreakerStateChanged("inventory", BreakerState.OPEN);
    assertThat(breaker("closed")).isZero();
    assertThat(breaker("open")).isEqualTo(1.0);
    metrics.onBreakerStateChanged("inventory", BreakerState.HALF_OPEN);
    assertThat(breaker("half_open")).isEqualTo(1.0);
  }

  @Test
  void sidecarMetersFollowTheReadinessEvents() {
    MeshMetrics metrics = MeshMetrics.create(registry);
    metrics.onSidecarReadinessChanged(false, "first probe failed");
    assertThat(registry.get(MetricNames.SIDECAR_READY).gauge().value()).isZero();
    metrics.onSidecarReadinessChanged(true, "ready");
    assertThat(registry.get(MetricNames.SIDECAR_READY).gauge().value()).isEqualTo(1.0);
    assertThat(registry.get(MetricNames.SIDECAR_READINESS_TRANSITIONS).functionCounter().count()).isEqualTo(1);
    CallObserver obs = metrics.onCallStart(call(Route.DIRECT));
    obs.onEvent(MeshEvent.SIDECAR_FALLBACK, "sidecar not ready");
    obs.onCallEnd(new CallResult(Outcome.SUCCESS, 200, null, 1, 1, Route.DIRECT));
    assertThat(registry.get(MetricNames.SIDECAR_FALLBACKS).functionCounter().count()).isEqualTo(1);
  }

  private double breaker(String state) {
    return registry.get(MetricNames.BREAKER_STATE).tags("service", "inventory", "state", state).gauge().value();
  }

  @Test
  void serverRequestsAreTimedByCallerAndOutcomeWithACap() {
    MeshServerMetrics server = MeshServerMetrics.create(MeshMetrics.create(registry), 2);
    server.record("orders", 200, null, 1_000);
    server.record("orders", 200, null, 1_000);
    server.record("billing", 500, null, 1_000);
    server.record("shipping", 200, null, 1_000); // past the cap
    server.record(null, 404, null, 1_000);
    server.record("orders", -1, new IllegalStateException("boom"), 1_000);

    assertThat(server("orders", "success", "2xx")).isEqualTo(2);
    assertThat(server("orders", "server_error", "none")).isEqualTo(1);
    assertThat(server("billing", "server_error", "5xx")).isEqualTo(1);
    assertThat(server("other", "success", "2xx")).isEqualTo(1);
    assertThat(server("other", "client_error", "4xx")).isEqualTo(1); // "unknown" is past the cap too
    assertThat(registry.find(MetricNames.SERVER_REQUESTS).tag("caller", "shipping").timers()).isEmpty();
  }

  private long server(String caller, String outcome, String status) {
    return registry.get(MetricNames.SERVER_REQUESTS)
        .tags("caller", caller, "outcome", outcome, "status", status).timer().count();
  }

  private static final class MapHeaders implements OutboundHeaders {
    private final Map<String, String> map = new HashMap<>();

    @Override
    public @Nullable String get(String name) {
      return map.get(name);
    }

    @Override
    public void set(String name, String value) {
      map.put(name, value);
    }
  }
}
