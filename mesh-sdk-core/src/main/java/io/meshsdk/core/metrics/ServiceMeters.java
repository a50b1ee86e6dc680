package io.meshsdk.core.metrics;

import io.meshsdk.core.discovery.ServiceDirectory;
import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.endpoint.EndpointState;
import io.meshsdk.core.observe.CallObserver;
import io.meshsdk.core.observe.CallResult;
import io.meshsdk.core.observe.MeshEvent;
import io.meshsdk.core.observe.Outcome;
import io.meshsdk.core.observe.Route;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jspecify.annotations.Nullable;

/** The meters of one service, created at first sight and then reached without registry lookups. */
final class ServiceMeters {

  private static final Outcome[] OUTCOMES = Outcome.values();
  private static final Route[] ROUTES = Route.values();
  private static final MeshEvent[] EVENTS = MeshEvent.values();
  static final int SLOTS = ROUTES.length * OUTCOMES.length * MetricNames.STATUS_CLASSES.length;

  private final MeshMetrics owner;
  final String service;
  final AtomicInteger active = new AtomicInteger();
  final Counter ejections;
  final CallObserver callObserver;
  private final AtomicReferenceArray<Timer> timers = new AtomicReferenceArray<>(SLOTS);
  private final AtomicReferenceArray<Counter> events = new AtomicReferenceArray<>(EVENTS.length);
  private final ConcurrentHashMap<String, EndpointMeters> endpoints = new ConcurrentHashMap<>();
  private final EndpointMeters noEndpoint;
  private final EndpointMeters otherEndpoints;
  private final AtomicBoolean directoryBound = new AtomicBoolean();
  /** The service's endpoints as last seen by the directory listener (endpoint tag only), or null. */
  private volatile @Nullable EndpointSet current;

  ServiceMeters(MeshMetrics owner, String service) {
    this.owner = owner;
    this.service = service;
    Gauge.builder(MetricNames.CLIENT_ACTIVE, active, AtomicInteger::get)
        .description("Client calls in flight")
        .tag(MetricNames.TAG_SERVICE, service)
        .strongReference(true)
        .register(owner.registry);
    this.ejections = Counter.builder(MetricNames.ENDPOINT_EJECTIONS)
        .description("Endpoints ejected by the outlier detector")
        .tag(MetricNames.TAG_SERVICE, service)
        .register(owner.registry);
    this.noEndpoint = new EndpointMeters(MetricNames.NONE);
    this.otherEndpoints = new EndpointMeters(MetricNames.OTHER);
    this.callObserver = new ServiceCallObserver(this);
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
      t = timer(slot, null);
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
      t = timer(slot, em.tag);
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
        .description("Logical client calls through the mesh, from start to final response or failure")
        .tags(tags)
        .register(owner.registry);
  }

  void event(MeshEvent event) {
    int i = event.ordinal();
    Counter c = events.get(i);
    if (c == null) {
      c = counter(event);
      events.set(i, c);
    }
    c.increment();
  }

  private Counter counter(MeshEvent event) {
    Counter.Builder b = switch (event) {
      case RETRY -> Counter.builder(MetricNames.CLIENT_RETRIES).description("Attempts after the first");
      case RETRY_BUDGET_EXHAUSTED -> Counter.builder(MetricNames.CLIENT_RETRY_BUDGET_EXHAUSTED)
          .description("Retries refused because the retry budget was spent");
      case BREAKER_REJECTED -> rejection("breaker");
      case RATE_LIMITED -> rejection("rate_limiter");
      case BULKHEAD_REJECTED -> rejection("bulkhead");
      case DEADLINE_EXCEEDED -> Counter.builder(MetricNames.CLIENT_DEADLINE_EXCEEDED)
          .description("Calls whose deadline left no time for (another) attempt");
      case SIDECAR_FALLBACK -> Counter.builder(MetricNames.CLIENT_SIDECAR_FALLBACKS)
          .description("Sidecar-routed calls that went direct because the sidecar was not ready");
    };
    return b.tag(MetricNames.TAG_SERVICE, service).register(owner.registry);
  }

  private static Counter.Builder rejection(String reason) {
    return Counter.builder(MetricNames.CLIENT_REJECTIONS)
        .description("Calls the mesh refused before any attempt")
        .tag(MetricNames.TAG_REASON, reason);
  }

  /** Registers the endpoint-state gauges and follows endpoint departures; once. */
  void bindDirectory(ServiceDirectory directory) {
    if (!directoryBound.compareAndSet(false, true)) {
      return;
    }
    for (String state : new String[] {"healthy", "ejected", "panic"}) {
      Gauge.builder(MetricNames.ENDPOINTS, () -> countEndpoints(directory.snapshot(service), state))
          .description("Endpoints of the service by state; panic = ejected but serving because too few are healthy")
          .tags(MetricNames.TAG_SERVICE, service, MetricNames.TAG_STATE, state)
          .register(owner.registry);
    }
    if (owner.endpointTag) {
      directory.watch(service).addListener(this::retainEndpoints);
    }
  }

  /**
   * Counts endpoints in {@code state}. The engine balances over every endpoint when all are ejected (panic);
   * then they count as {@code panic}, not {@code ejected}.
   */
  static int countEndpoints(EndpointSet set, String state) {
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

  /** Removes the meters of endpoints that left the service. Runs on the discovery thread. */
  void retainEndpoints(EndpointSet set) {
    current = set;
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
    public void onEvent(MeshEvent event, String detail) {
      m.event(event);
    }

    @Override
    public void onCallEnd(CallResult result) {
      m.record(result);
    }
  }
}
