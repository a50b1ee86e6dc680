package io.meshsdk.core.metrics;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.endpoint.EndpointState;
import io.meshsdk.core.observe.CallInfo;
import io.meshsdk.core.observe.CallObserver;
import io.meshsdk.core.observe.EndpointStateChange;
import io.meshsdk.core.observe.MeshObserver;
import io.meshsdk.core.resilience.BreakerState;
import io.meshsdk.core.sidecar.RouteTransition;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Micrometer metrics of the mesh, as a {@link MeshObserver}: it learns everything through the observer SPI (calls,
 * services added and removed, endpoint changes, breaker and sidecar state). Every meter is documented in
 * {@code docs/observability.md}; names are in {@link MetricNames}.
 *
 * <pre>{@code
 * Mesh mesh = Mesh.builder()
 *     .metrics(MeshMetrics.builder(registry).endpointTag(true).build())   // or .meterRegistry(registry)
 *     ...
 *     .build();
 * }</pre>
 *
 * <p>Meters of a service are created the first time the service is called or changes, then kept in arrays indexed
 * by route, outcome and status class: a call does one map lookup (service name) and no registry lookup, no string
 * building and, without the endpoint tag, no allocation. With {@link Builder#endpointTag(boolean)} one small
 * object per call remembers the endpoint of the last attempt; at most {@link Builder#maxEndpointTagValues(int)}
 * endpoint ids per service get their own series (the rest share {@code endpoint="other"}) and an endpoint's meters
 * are removed when it leaves the service. When the mesh stops routing a service (discovery deleted it) every meter
 * of that service is removed: nothing grows with services that come and go.
 *
 * <p>One instance serves one mesh. The registry is always passed in; the global registry is never used.
 */
public final class MeshMetrics implements MeshObserver {

  /** Default cap on distinct {@code endpoint} tag values per service: 100. */
  public static final int DEFAULT_MAX_ENDPOINT_TAG_VALUES = 100;

  final MeterRegistry registry;
  final boolean endpointTag;
  final int maxEndpointTagValues;
  final Duration[] slos;
  final boolean percentileHistogram;
  private final ConcurrentHashMap<String, ServiceMeters> services = new ConcurrentHashMap<>();
  private final AtomicBoolean sidecarBound = new AtomicBoolean();
  private final AtomicInteger sidecarReady = new AtomicInteger();
  private final AtomicLong sidecarTransitions = new AtomicLong();
  private final AtomicLong sidecarFallbacks = new AtomicLong();

  private MeshMetrics(Builder b) {
    this.registry = b.registry;
    this.endpointTag = b.endpointTag;
    this.maxEndpointTagValues = b.maxEndpointTagValues;
    this.slos = b.slos.clone();
    this.percentileHistogram = b.percentileHistogram;
  }

  /** Metrics into {@code registry} with the defaults (no endpoint tag, no histogram buckets). */
  public static MeshMetrics create(MeterRegistry registry) {
    return builder(registry).build();
  }

  /** A builder for metrics into {@code registry}. */
  public static Builder builder(MeterRegistry registry) {
    return new Builder(registry);
  }

  /** The registry meters go to. */
  public MeterRegistry registry() {
    return registry;
  }

  private ServiceMeters meters(String service) {
    ServiceMeters m = services.get(service);
    return m != null ? m : services.computeIfAbsent(service, s -> new ServiceMeters(this, s));
  }

  @Override
  public CallObserver onCallStart(CallInfo call) {
    ServiceMeters m = meters(call.service());
    m.active.incrementAndGet();
    return endpointTag ? new EndpointCallObserver(m) : m.callObserver;
  }

  @Override
  public void onEndpointsChanged(String service, EndpointSet endpoints) {
    meters(service).endpoints(endpoints);
  }

  @Override
  public void onEndpointStateChanged(EndpointState endpoint, EndpointStateChange change) {
    ServiceMeters m = meters(endpoint.endpoint().service());
    if (change.ejected()) {
      m.ejected(change.reason());
    }
  }

  @Override
  public void onBreakerStateChanged(String service, BreakerState state) {
    meters(service).breaker(state);
  }

  @Override
  public void onServiceSidecarReadinessChanged(String service, boolean ready, String reason) {
    meters(service).sidecarReady(ready);
  }

  @Override
  public void onShadowMismatch(String service, int directStatus, int shadowStatus) {
    meters(service).shadowMismatch(MetricNames.statusIndex(directStatus) == MetricNames.statusIndex(shadowStatus));
  }

  @Override
  public void onRouteTransition(RouteTransition transition) {
    meters(transition.service()).routeTransition(transition);
  }

  @Override
  public void onDiscoveryStale(String service, boolean stale, String reason) {
    meters(service).stale(stale);
  }

  @Override
  public void onServiceRemoved(String service) {
    ServiceMeters m = services.remove(service);
    if (m != null) {
      m.removeAll();
    }
  }

  @Override
  public void onSidecarReadinessChanged(boolean ready, String reason) {
    if (sidecarBound.compareAndSet(false, true)) {
      Gauge.builder(MetricNames.SIDECAR_READY, sidecarReady, AtomicInteger::get)
          .description("1 when the local sidecar is ready, 0 when sidecar-routed calls go direct")
          .register(registry);
      FunctionCounter.builder(MetricNames.SIDECAR_READINESS_TRANSITIONS, sidecarTransitions, AtomicLong::get)
          .description("Times the sidecar's readiness changed")
          .register(registry);
      FunctionCounter.builder(MetricNames.SIDECAR_FALLBACKS, sidecarFallbacks, AtomicLong::get)
          .description("Calls meant for the sidecar that went direct, over all services")
          .register(registry);
    } else {
      sidecarTransitions.incrementAndGet();
    }
    sidecarReady.set(ready ? 1 : 0);
  }

  /** Counts a sidecar fallback of any service (from the per-service event). */
  void sidecarFallback() {
    sidecarFallbacks.incrementAndGet();
  }

  /** The per-service meters, for tests. */
  Map<String, ServiceMeters> services() {
    return services;
  }

  Timer.Builder timerBuilder(String name) {
    Timer.Builder b = Timer.builder(name);
    if (slos.length > 0) {
      b.serviceLevelObjectives(slos);
    }
    if (percentileHistogram) {
      b.publishPercentileHistogram();
    }
    return b;
  }

  /** Builds {@link MeshMetrics}; every setter validates at once. */
  public static final class Builder {
    private final MeterRegistry registry;
    private boolean endpointTag;
    private int maxEndpointTagValues = DEFAULT_MAX_ENDPOINT_TAG_VALUES;
    private Duration[] slos = new Duration[0];
    private boolean percentileHistogram;

    private Builder(MeterRegistry registry) {
      this.registry = requireNonNull(registry, "registry");
    }

    /** Adds the {@code endpoint} tag to {@code mesh.client.requests} (default off: it multiplies series). */
    public Builder endpointTag(boolean enabled) {
      this.endpointTag = enabled;
      return this;
    }

    /** Cap on distinct endpoint tag values per service (default 100); the rest share {@code other}. */
    public Builder maxEndpointTagValues(int max) {
      if (max < 1 || max > 10_000) {
        throw new ConfigException("metrics.endpoint-tag.max", max, "1-10000");
      }
      this.maxEndpointTagValues = max;
      return this;
    }

    /** SLO buckets of {@code mesh.client.requests} (and the server timer), e.g. 50 ms, 100 ms, 250 ms. */
    public Builder serviceLevelObjectives(Duration... slos) {
      requireNonNull(slos, "slos");
      Duration[] copy = slos.clone();
      for (Duration d : copy) {
        requireNonNull(d, "slos contains null");
        if (d.isNegative() || d.isZero()) {
          throw new ConfigException("metrics.slos", d, "positive durations");
        }
      }
      Arrays.sort(copy);
      this.slos = copy;
      return this;
    }

    /** Publishes a percentile histogram (Prometheus {@code _bucket} series) for the timers. */
    public Builder percentileHistogram(boolean enabled) {
      this.percentileHistogram = enabled;
      return this;
    }

    /** Builds the observer. */
    public MeshMetrics build() {
      return new MeshMetrics(this);
    }
  }
}
