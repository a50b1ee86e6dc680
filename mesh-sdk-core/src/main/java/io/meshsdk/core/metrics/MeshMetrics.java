package io.meshsdk.core.metrics;

import static java.util.Objects.requireNonNull;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.meshsdk.core.config.ConfigException;
import io.meshsdk.core.discovery.ServiceDirectory;
import io.meshsdk.core.endpoint.EndpointState;
import io.meshsdk.core.observe.CallInfo;
import io.meshsdk.core.observe.CallObserver;
import io.meshsdk.core.observe.MeshObserver;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Micrometer metrics of the mesh, as a {@link MeshObserver}. Every meter is documented in
 * {@code docs/observability.md}; names are in {@link MetricNames}.
 *
 * <pre>{@code
 * Mesh mesh = Mesh.builder()
 *     .metrics(MeshMetrics.builder(registry).endpointTag(true).build())   // or .meterRegistry(registry)
 *     ...
 *     .build();
 * }</pre>
 *
 * <p>Meters of a service are created the first time the service is called and then kept in arrays indexed by
 * route, outcome and status class: a call does one map lookup (service name) and no registry lookup, no
 * string building and, without the endpoint tag, no allocation. With {@link Builder#endpointTag(boolean)}
 * one small object per call remembers the endpoint of the last attempt; at most
 * {@link Builder#maxEndpointTagValues(int)} endpoint ids per service get their own series (the rest share
 * {@code endpoint="other"}) and an endpoint's meters are removed when it leaves the service.
 *
 * <p>The endpoint-state gauges and the removal of endpoint meters need the directory:
 * {@link io.meshsdk.core.Mesh.Builder#metrics} binds it; standalone use calls {@link #bindTo}.
 * The registry is always passed in; the global registry is never used.
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
  private final ConcurrentHashMap<String, AtomicReference<CircuitBreaker>> breakers = new ConcurrentHashMap<>();
  private volatile @Nullable ServiceDirectory directory;

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

  /**
   * Binds the directory: registers the {@code mesh.endpoints} gauges of every service seen, and (with the
   * endpoint tag) removes an endpoint's meters when it leaves its service. Idempotent for one directory.
   */
  public synchronized void bindTo(ServiceDirectory directory) {
    requireNonNull(directory, "directory");
    ServiceDirectory current = this.directory;
    if (current == directory) {
      return;
    }
    if (current != null) {
      throw new IllegalStateException("MeshMetrics is already bound to another mesh's directory");
    }
    this.directory = directory;
    services.values().forEach(m -> m.bindDirectory(directory));
  }

  /**
   * Publishes the state of {@code breaker} as {@code mesh.client.breaker.state{service,state}} (1 for the
   * current state, 0 for the others). Binding a new breaker for the same service (after a config change)
   * replaces the old one behind the same gauges.
   */
  public void bindCircuitBreaker(String service, CircuitBreaker breaker) {
    requireNonNull(service, "service");
    requireNonNull(breaker, "breaker");
    AtomicReference<CircuitBreaker> ref = breakers.computeIfAbsent(service, s -> {
      AtomicReference<CircuitBreaker> r = new AtomicReference<>();
      for (CircuitBreaker.State state : CircuitBreaker.State.values()) {
        Gauge.builder(MetricNames.BREAKER_STATE, () -> {
              CircuitBreaker cb = r.get();
              return cb != null && cb.getState() == state ? 1 : 0;
            })
            .description("1 for the circuit breaker's current state, 0 for the others")
            .tags(MetricNames.TAG_SERVICE, s, MetricNames.TAG_STATE, state.name().toLowerCase(Locale.ROOT))
            .register(registry);
      }
      return r;
    });
    ref.set(breaker);
  }

  @Override
  public CallObserver onCallStart(CallInfo call) {
    ServiceMeters m = services.get(call.service());
    if (m == null) {
      m = services.computeIfAbsent(call.service(), this::newServiceMeters);
    }
    m.active.incrementAndGet();
    return endpointTag ? new EndpointCallObserver(m) : m.callObserver;
  }

  private ServiceMeters newServiceMeters(String service) {
    ServiceMeters m = new ServiceMeters(this, service);
    ServiceDirectory d = directory;
    if (d != null) {
      m.bindDirectory(d);
    }
    return m;
  }

  @Override
  public void onEndpointHealthChange(EndpointState endpoint, boolean ejected) {
    if (ejected) {
      String service = endpoint.endpoint().service();
      services.computeIfAbsent(service, this::newServiceMeters).ejections.increment();
    }
  }

  /** The per-service meters seen so far, for tests and the actuator. */
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
