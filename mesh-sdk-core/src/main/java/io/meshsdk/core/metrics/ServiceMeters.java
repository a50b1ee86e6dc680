package io.meshsdk.core.metrics;

import io.meshsdk.core.endpoint.EndpointExclusion;
import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.endpoint.EndpointState;
import io.meshsdk.core.observe.CallObserver;
import io.meshsdk.core.observe.CallResult;
import io.meshsdk.core.observe.MeshEvent;
import io.meshsdk.core.observe.Outcome;
import io.meshsdk.core.observe.Route;
import io.meshsdk.core.resilience.BreakerState;
import io.meshsdk.core.sidecar.RouteTransition;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jspecify.annotations.Nullable;

/**
 * The meters of one service, created at first sight and then reached without registry lookups; every meter
 * registered here is remembered so that {@link #removeAll()} can take the service's meters out of the registry
 * when the mesh stops routing it.
 */
final class ServiceMeters {

  private static final Outcome[] OUTCOMES = Outcome.values();
  private static final Route[] ROUTES = Route.values();
  private static final MeshEvent[] EVENTS = MeshEvent.values();
  private static final EndpointExclusion.Reason[] REASONS = EndpointExclusion.Reason.values();
  static final int SLOTS = ROUTES.length * OUTCOMES.length * MetricNames.STATUS_CLASSES.length;

  private final MeshMetrics owner;
  final String service;
  final AtomicInteger active = new AtomicInteger();
  final CallObserver callObserver;
  private final ConcurrentLinkedQueue<Meter> registered = new ConcurrentLinkedQueue<>();
  private final AtomicReferenceArray<Timer> timers = new AtomicReferenceArray<>(SLOTS);
  private final AtomicReferenceArray<Counter> events = new AtomicReferenceArray<>(EVENTS.length);
  private final AtomicReferenceArray<Counter> ejections = new AtomicReferenceArray<>(REASONS.length);
  private final AtomicReferenceArray<Counter> shadowMismatches = new AtomicReferenceArray<>(2);
  private final ConcurrentHashMap<String, EndpointMeters> endpoints = new ConcurrentHashMap<>();
  private final EndpointMeters noEndpoint;
  private final EndpointMeters otherEndpoints;
  private final AtomicBoolean endpointGauges = new AtomicBoolean();
  private final AtomicBoolean breakerGauges = new AtomicBoolean();
  private final AtomicBoolean staleGauge = new AtomicBoolean();
  private volatile boolean stale;
  private final AtomicBoolean sidecarGauge = new AtomicBoolean();
  private static final String[] TRANSITION_BY = {"plan", "config", "api"};
  private static final String[] TRANSITION_DIRECTION = {"up", "down", "same"};
  private final AtomicReferenceArray<Counter> routeTransitions = new AtomicReferenceArray<>(9); // by x direction
  private final AtomicBoolean shareGauge = new AtomicBoolean();
  private volatile int sidecarShare;
  private volatile boolean sidecarReady;
  private volatile BreakerState breakerState = BreakerState.DISABLED;
  private volatile boolean removed;
  /** The service's endpoints as last reported, or null before the first report. */
  private volatile @Nullable EndpointSet current;

  ServiceMeters(MeshMetrics owner, String service) {
    this.owner = owner;
    this.service = service;
    keep(Gauge.builder(MetricNames.CLIENT_ACTIVE, active, AtomicInteger::get)
        .description("Client calls in flight")
        .tag(MetricNames.TAG_SERVICE, service)
        .strongReference(true)
        .register(owner.registry));
    this.noEndpoint = new EndpointMeters(MetricNames.NONE);
    this.otherEndpoints = new EndpointMeters(MetricNames.OTHER);
    this.callObserver = new ServiceCallObserver(this);
  }

  private <M extends Meter> M keep(M meter) {
    registered.add(meter);
    if (removed) { // the service was removed while this meter was being made
      owner.registry.remove(meter);
    }
    return meter;
  }

  static int slot(Route route, Outcome outcome, int status) {
    return (route.ordinal() * OUTCOMES.length + outcome.ordinal()) * MetricNames.STATUS_CLASSES.length
        + MetricNames.statusIndex(status);
  }

  /** Records a finished call without the endpoint tag. */
  void record(CallResult r) {
    active.decrementAndGet();
    int slot = slot(r.route(), r.outcome(), r.status());
    Timer t = timers.get(slot);
    if (t == null) {
      t = keep(timer(slot, null));
      timers.set(slot, t);
    }
    t.record(r.durationNanos(), TimeUnit.NANOSECONDS);
  }

  /** Records a finished call with the endpoint tag of {@code last} (null: no endpoint was picked). */
  void record(CallResult r, @Nullable EndpointState last) {
    active.decrementAndGet();
    EndpointMeters em = last == null ? noEndpoint : endpointMeters(last);
    int slot = slot(r.route(), r.outcome(), r.status());
    Timer t = em.timers.get(slot);
    if (t == null) {
      t = keep(timer(slot, em.tag));
      em.timers.set(slot, t);
      if (em.removed) { // the endpoint left while this first-sight timer was being made
        owner.registry.remove(t);
      }
    }
    t.record(r.durationNanos(), TimeUnit.NANOSECONDS);
  }

  private EndpointMeters endpointMeters(EndpointState state) {
    String id = state.endpoint().id();
    EndpointMeters em = endpoints.get(id);
    if (em != null) {
      return em;
    }
    if (endpoints.size() >= owner.maxEndpointTagValues) {
      return otherEndpoints;
    }
    em = endpoints.computeIfAbsent(id, EndpointMeters::new);
    EndpointSet set = current;
    if (set != null && set.find(id) == null) { // a call that outlived its endpoint: do not resurrect it
      if (endpoints.remove(id, em)) {
        em.removeFrom(owner);
      }
      return otherEndpoints;
    }
    return em;
  }

  private Timer timer(int slot, @Nullable String endpoint) {
    int statusIdx = slot % MetricNames.STATUS_CLASSES.length;
    int rest = slot / MetricNames.STATUS_CLASSES.length;
    Outcome outcome = OUTCOMES[rest % OUTCOMES.length];
    Route route = ROUTES[rest / OUTCOMES.length];
    Tags tags = Tags.of(
        MetricNames.TAG_SERVICE, service,
        MetricNames.TAG_OUTCOME, outcome.tag(),
        MetricNames.TAG_STATUS, MetricNames.STATUS_CLASSES[statusIdx],
        MetricNames.TAG_ROUTE, route.tag());
    if (endpoint != null) {
      tags = tags.and(MetricNames.TAG_ENDPOINT, endpoint);
    }
    return owner.timerBuilder(MetricNames.CLIENT_REQUESTS)
        .description("Logical client calls through the mesh, from start to the end of the response body or failure")
        .tags(tags)
        .register(owner.registry);
  }

  void event(MeshEvent event) {
    int i = event.ordinal();
    Counter c = events.get(i);
    if (c == null) {
      c = keep(counter(event));
      events.set(i, c);
    }
    c.increment();
    if (event == MeshEvent.SIDECAR_FALLBACK) {
      owner.sidecarFallback();
    }
  }

  private Counter counter(MeshEvent event) {
    Counter.Builder b = switch (event) {
      case RETRY -> Counter.builder(MetricNames.CLIENT_RETRIES).description("Attempts after the first");
      case RETRY_BUDGET_EXHAUSTED -> Counter.builder(MetricNames.CLIENT_RETRY_BUDGET_EXHAUSTED)
          .description("Retries refused because the retry budget was spent");
      case RETRY_SKIPPED -> Counter.builder(MetricNames.CLIENT_RETRY_SKIPPED)
          .description("Retries not made because the request body could not be sent again");
      case BREAKER_REJECTED -> rejection("breaker");
      case RATE_LIMITED -> rejection("rate_limiter");
      case BULKHEAD_REJECTED -> rejection("bulkhead");
      case DEADLINE_EXCEEDED -> Counter.builder(MetricNames.CLIENT_DEADLINE_EXCEEDED)
          .description("Calls whose deadline left no time for (another) attempt, or passed during the response");
      case SIDECAR_FALLBACK -> Counter.builder(MetricNames.CLIENT_SIDECAR_FALLBACKS)
          .description("Sidecar-routed calls that went direct (not ready, refused, crashed, or an https call)");
      case SIDECAR_NOT_READY -> Counter.builder(MetricNames.CLIENT_SIDECAR_NOT_READY)
          .description("Sidecar-routed calls that went direct because the sidecar, or its route for the service,"
              + " was not ready");
      case SHADOW_SENT -> Counter.builder(MetricNames.CLIENT_SHADOW_SENT)
          .description("Shadow copies handed to the sidecar path (route.mode=shadow:N)");
      case SHADOW_DROPPED -> shadowDropped("concurrency");
      case SHADOW_SKIPPED -> shadowDropped("not_ready");
      case SHADOW_SHED -> shadowDropped("cpu");
    };
    return b.tag(MetricNames.TAG_SERVICE, service).register(owner.registry);
  }

  private static Counter.Builder shadowDropped(String reason) {
    return Counter.builder(MetricNames.CLIENT_SHADOW_DROPPED)
        .description("Calls picked for a shadow copy that got none (all copies in flight, the sidecar not ready, or"
            + " the host's CPU busier than route.shadow-max-cpu)")
        .tag(MetricNames.TAG_REASON, reason);
  }

  /** A direct answer and its shadow copy's answer differed. */
  void shadowMismatch(boolean sameClass) {
    int i = sameClass ? 0 : 1;
    Counter c = shadowMismatches.get(i);
    if (c == null) {
      c = keep(Counter.builder(MetricNames.CLIENT_SHADOW_MISMATCHES)
          .description("Direct and shadow answers whose statuses differed")
          .tag(MetricNames.TAG_SERVICE, service)
          .tag(MetricNames.TAG_KIND, sameClass ? "status" : "status_class")
          .register(owner.registry));
      shadowMismatches.set(i, c);
    }
    c.increment();
  }

  private static Counter.Builder rejection(String reason) {
    return Counter.builder(MetricNames.CLIENT_REJECTIONS)
        .description("Calls the mesh refused before any attempt")
        .tag(MetricNames.TAG_REASON, reason);
  }

  /** An endpoint was ejected for {@code reason}. */
  void ejected(EndpointExclusion.Reason reason) {
    int i = reason.ordinal();
    Counter c = ejections.get(i);
    if (c == null) {
      c = keep(Counter.builder(MetricNames.ENDPOINT_EJECTIONS)
          .description("Endpoints taken out of rotation, by reason")
          .tag(MetricNames.TAG_SERVICE, service)
          .tag(MetricNames.TAG_REASON, reason.tag())
          .register(owner.registry));
      ejections.set(i, c);
    }
    c.increment();
  }

  /** The breaker is now in {@code state}. */
  void breaker(BreakerState state) {
    breakerState = state;
    if (state != BreakerState.DISABLED && breakerGauges.compareAndSet(false, true)) {
      for (BreakerState s : BreakerState.values()) {
        if (s == BreakerState.DISABLED) {
          continue;
        }
        keep(Gauge.builder(MetricNames.BREAKER_STATE, this, m -> m.breakerState == s ? 1 : 0)
            .description("1 for the circuit breaker's current state, 0 for the others")
            .tags(MetricNames.TAG_SERVICE, service, MetricNames.TAG_STATE, s.tag())
            .register(owner.registry));
      }
    }
  }

  /** The service's sidecar-path readiness changed. */
  void sidecarReady(boolean now) {
    sidecarReady = now;
    if (sidecarGauge.compareAndSet(false, true)) {
      keep(Gauge.builder(MetricNames.SIDECAR_SERVICE_READY, this, m -> m.sidecarReady ? 1 : 0)
          .description("1 while the service's sidecar-routed calls go to the sidecar, 0 while they run direct"
              + " because the sidecar (or its route for the service) is not ready")
          .tag(MetricNames.TAG_SERVICE, service)
          .strongReference(true)
          .register(owner.registry));
    }
  }

  /** A route transition was recorded: count it, and follow the sidecar share it set. */
  void routeTransition(RouteTransition t) {
    sidecarShare = t.to().sidecarPercent();
    if (shareGauge.compareAndSet(false, true)) {
      keep(Gauge.builder(MetricNames.ROUTE_SIDECAR_SHARE, this, m -> m.sidecarShare)
          .description("The share of the service's calls routed to the sidecar, in %")
          .tag(MetricNames.TAG_SERVICE, service)
          .strongReference(true)
          .register(owner.registry));
    }
    int by = t.by().startsWith(RouteTransition.BY_PLAN_PREFIX) ? 0 : t.by().equals(RouteTransition.BY_CONFIG) ? 1 : 2;
    int from = t.from().sidecarPercent();
    int to = t.to().sidecarPercent();
    int direction = to > from ? 0 : to < from ? 1 : 2;
    int i = by * 3 + direction;
    Counter c = routeTransitions.get(i);
    if (c == null) {
      c = keep(Counter.builder(MetricNames.ROUTE_TRANSITIONS)
          .description("Route transitions of the service's audit trail, by who made them and which way they moved"
              + " the sidecar share")
          .tag(MetricNames.TAG_SERVICE, service)
          .tag(MetricNames.TAG_BY, TRANSITION_BY[by])
          .tag(MetricNames.TAG_DIRECTION, TRANSITION_DIRECTION[direction])
          .register(owner.registry));
      routeTransitions.set(i, c);
    }
    c.increment();
  }

  /** The service is (or no longer is) served from last-known-good endpoints. */
  void stale(boolean now) {
    stale = now;
    if (now && staleGauge.compareAndSet(false, true)) {
      keep(Gauge.builder(MetricNames.DISCOVERY_STALE, this, m -> m.stale ? 1 : 0)
          .description("1 while the service is served from last-known-good endpoints (discovery failing or empty, or"
              + " the failsafe file)")
          .tags(MetricNames.TAG_SERVICE, service)
          .register(owner.registry));
    }
  }

  /** The service's endpoints changed: the gauges follow, the meters of endpoints that left go. */
  void endpoints(EndpointSet set) {
    current = set;
    if (endpointGauges.compareAndSet(false, true)) {
      for (String state : new String[] {"healthy", "ejected", "panic"}) {
        keep(Gauge.builder(MetricNames.ENDPOINTS, this, m -> countEndpoints(m.current, state))
            .description("Endpoints of the service by state; panic = ejected but serving because none is healthy")
            .tags(MetricNames.TAG_SERVICE, service, MetricNames.TAG_STATE, state)
            .register(owner.registry));
      }
    }
    if (owner.endpointTag) {
      retainEndpoints(set);
    }
  }

  /**
   * Counts endpoints in {@code state}. The engine balances over every endpoint when all are ejected (panic); then
   * they count as {@code panic}, not {@code ejected}.
   */
  static int countEndpoints(@Nullable EndpointSet set, String state) {
    if (set == null) {
      return 0;
    }
    int ejected = 0;
    for (int i = 0; i < set.size(); i++) {
      if (set.get(i).isEjected()) {
        ejected++;
      }
    }
    int healthy = set.size() - ejected;
    boolean panic = healthy == 0 && ejected > 0;
    return switch (state) {
      case "healthy" -> healthy;
      case "ejected" -> panic ? 0 : ejected;
      default -> panic ? ejected : 0;
    };
  }

  /** Removes the meters of endpoints that left the service. */
  void retainEndpoints(EndpointSet set) {
    if (endpoints.isEmpty()) {
      return;
    }
    Set<String> ids = new HashSet<>(set.size() * 2);
    for (int i = 0; i < set.size(); i++) {
      ids.add(set.get(i).endpoint().id());
    }
    for (String id : endpoints.keySet()) {
      if (!ids.contains(id)) {
        EndpointMeters gone = endpoints.remove(id);
        if (gone != null) {
          gone.removeFrom(owner);
        }
      }
    }
  }

  /** Endpoint ids that currently have their own meters. */
  Set<String> taggedEndpoints() {
    return endpoints.keySet();
  }

  /** Removes every meter of the service from the registry. */
  void removeAll() {
    removed = true;
    Meter m;
    while ((m = registered.poll()) != null) {
      owner.registry.remove(m);
    }
    endpoints.clear();
  }

  static final class EndpointMeters {
    final String tag;
    final AtomicReferenceArray<Timer> timers = new AtomicReferenceArray<>(SLOTS);
    volatile boolean removed;

    EndpointMeters(String tag) {
      this.tag = tag;
    }

    void removeFrom(MeshMetrics owner) {
      removed = true;
      for (int i = 0; i < timers.length(); i++) {
        Meter m = timers.getAndSet(i, null);
        if (m != null) {
          owner.registry.remove(m);
        }
      }
    }
  }

  /** The shared, stateless observer of every call of this service (no endpoint tag). */
  private static final class ServiceCallObserver implements CallObserver {
    private final ServiceMeters m;

    ServiceCallObserver(ServiceMeters m) {
      this.m = m;
    }

    @Override
    public boolean observesAttempts() {
      return false; // counts calls and events only
    }

    @Override
    public void onEvent(MeshEvent event, String detail) {
      m.event(event);
    }

    @Override
    public void onCallEnd(CallResult result) {
      m.record(result);
    }
  }
}
