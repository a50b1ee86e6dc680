package io.meshsdk.core;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.ServiceDirectory;
import io.meshsdk.core.discovery.ServiceDiscovery;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.internal.MeshEngine;
import io.meshsdk.core.internal.MeshInterceptor;
import io.meshsdk.core.metrics.MeshMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.meshsdk.core.observe.MeshObserver;
import io.meshsdk.core.sidecar.MigrationReport;
import io.meshsdk.core.sidecar.SidecarBridge;
import io.meshsdk.core.sidecar.SidecarConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

/**
 * The in-process service mesh: discovery, load balancing and call governance for HTTP calls to logical
 * service URLs such as {@code http://inventory/items/42}.
 *
 * <pre>{@code
 * try (Mesh mesh = Mesh.builder()
 *     .discovery(StaticServiceDiscovery.of(
 *         Endpoint.of("inventory", "10.0.0.1", 8080),
 *         Endpoint.of("inventory", "10.0.0.2", 8080)))
 *     .build()) {
 *   OkHttpClient http = mesh.newOkHttpClient();
 *   http.newCall(new Request.Builder().url("http://inventory/items/42").build()).execute();
 * }
 * }</pre>
 *
 * <p>Thread-safe; build one per process and share it. Closing it stops discovery watches.
 */
public final class Mesh implements AutoCloseable {

  private final MeshEngine engine;
  private final ServiceDirectory directory;
  private final Interceptor interceptor;
  private final SidecarBridge sidecar;
  private volatile @Nullable OkHttpClient defaultBase;

  private Mesh(Builder b) {
    this.directory = new ServiceDirectory(b.discovery, b.ticker);
    if (b.metrics != null) { // observability: endpoint gauges and endpoint-meter removal follow the directory
      b.metrics.bindTo(directory);
    }
    MeshObserver observer = MeshObserver.composite(b.observers);
    this.engine = new MeshEngine(directory, observer, b.ticker, b.discoveryWait);
    this.engine.localService(b.localService); // sent as x-mesh-caller on every mesh call
    this.sidecar = new SidecarBridge(b.sidecar, observer, b.ticker); // sidecar bridge (issue 5)
    this.engine.sidecarBridge(sidecar);
    if (b.metrics != null) { // breaker-state gauges follow each compiled pipeline; sidecar meters
      MeshMetrics metrics = b.metrics;
      engine.onPipelineInstalled(p -> {
        var breaker = p.circuitBreaker();
        if (breaker != null) {
          metrics.bindCircuitBreaker(p.service(), breaker);
        }
      });
      sidecar.bindTo(metrics.registry());
    }
    this.sidecar.start();
    try {
      this.engine.apply(b.config);
    } catch (RuntimeException e) { // leave no prober thread, watch or timer behind a failed build
      closeQuietly(e);
      throw e;
    }
    this.interceptor = new MeshInterceptor(engine);
  }

  private void closeQuietly(RuntimeException cause) {
    try {
      close();
    } catch (RuntimeException suppressed) {
      cause.addSuppressed(suppressed);
    }
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The OkHttp application interceptor that routes mesh calls; add it to your own client builder with
   * {@code addInterceptor}. Hosts that are not mesh services pass through untouched.
   */
  public Interceptor interceptor() {
    return interceptor;
  }

  /**
   * A mesh-aware {@link OkHttpClient} with OkHttp's defaults. Every client this returns shares one connection
   * pool and dispatcher (created on first use), so calling it often costs no sockets or threads; prefer
   * {@link #newOkHttpClient(OkHttpClient)} to share your application's own client's pools.
   *
   * <p>OkHttp's {@code retryOnConnectionFailure} stays on: it replays a request only when a pooled keep-alive
   * connection turns out to be dead before anything was read, which the mesh could not tell from a failing
   * endpoint. Real endpoint failures surface to the mesh and go through its retry budget.
   */
  public OkHttpClient newOkHttpClient() {
    OkHttpClient base = defaultBase;
    if (base == null) {
      synchronized (this) {
        base = defaultBase;
        if (base == null) {
          base = new OkHttpClient();
          defaultBase = base;
        }
      }
    }
    return newOkHttpClient(base);
  }

  /**
   * A mesh-aware client derived from {@code base} (sharing its connection pool and dispatcher), with the
   * mesh interceptor added first.
   */
  public OkHttpClient newOkHttpClient(OkHttpClient base) {
    requireNonNull(base, "base");
    OkHttpClient.Builder b = base.newBuilder();
    b.interceptors().add(0, interceptor);
    b.proxySelector(sidecar.proxySelector(base.proxySelector())); // sidecar bridge: http-proxy handoff style
    return b.build();
  }

  /** The config in force. */
  public MeshConfig config() {
    return engine.config();
  }

  /**
   * Applies a new config at run time: changed services get new pipelines, swapped atomically; calls in
   * flight finish on the pipeline they started on. Nothing restarts.
   */
  public void reconfigure(MeshConfig config) {
    engine.apply(requireNonNull(config, "config"));
  }

  /** The current endpoint snapshot of every watched service. */
  public Map<String, EndpointSet> endpoints() {
    return directory.snapshots();
  }

  /** The current endpoint snapshot of {@code service}. */
  public EndpointSet endpoints(String service) {
    return directory.snapshot(requireNonNull(service, "service"));
  }

  /**
   * Read-only view of {@code service}'s resilience policies at work (breaker state, rejections, retries,
   * ejections), for reports and health endpoints.
   *
   * @throws IllegalArgumentException if the mesh has no pipeline for {@code service}
   */
  public io.meshsdk.core.resilience.ResilienceView resilience(String service) {
    io.meshsdk.core.internal.ServicePipeline p = engine.pipeline(requireNonNull(service, "service"));
    if (p == null) {
      throw new IllegalArgumentException("service: \"" + service + "\" (expected: a declared or discovered service)");
    }
    return p.resilience();
  }

  /** The sidecar bridge: readiness, per-service routes, meters ({@code bindTo(registry)}). */
  public SidecarBridge sidecarBridge() {
    return sidecar;
  }

  /**
   * Where each migrating service's calls went over the last minute and how each path fared (calls, errors,
   * p50/p99, fallbacks); {@link MigrationReport#render()} prints it as a table.
   */
  public MigrationReport migrationReport() {
    return sidecar.report();
  }

  /** The engine behind this mesh. Internal API for the mesh's own modules; may change without notice. */
  public MeshEngine engine() {
    return engine;
  }

  @Override
  public void close() {
    sidecar.close();
    engine.close();
    directory.close();
    directory.discovery().close();
    OkHttpClient base = defaultBase;
    if (base != null) { // only the pools the mesh created itself; a caller's own client stays theirs
      base.dispatcher().executorService().shutdown();
      base.connectionPool().evictAll();
    }
  }

  /** Builds a {@link Mesh}. */
  public static final class Builder {
    private ServiceDiscovery discovery = StaticServiceDiscovery.create();
    private MeshConfig config = MeshConfig.ofDefaults();
    private Ticker ticker = Ticker.SYSTEM;
    private final List<MeshObserver> observers = new ArrayList<>();
    private Duration discoveryWait = DEFAULT_DISCOVERY_WAIT;
    private @Nullable SidecarConfig sidecar;
    private @Nullable MeshMetrics metrics;
    private @Nullable String localService;

    /** How long a first call to an undeclared service waits for discovery to answer: 2 s. */
    public static final Duration DEFAULT_DISCOVERY_WAIT = Duration.ofSeconds(2);

    private Builder() {}

    /** The discovery backend (default: an empty {@link StaticServiceDiscovery}). The mesh closes it. */
    public Builder discovery(ServiceDiscovery discovery) {
      this.discovery = requireNonNull(discovery, "discovery");
      return this;
    }

    /** The config (default {@link MeshConfig#ofDefaults()}). */
    public Builder config(MeshConfig config) {
      this.config = requireNonNull(config, "config");
      return this;
    }

    /** The time source (default {@link Ticker#SYSTEM}); tests inject a fake. */
    public Builder ticker(Ticker ticker) {
      this.ticker = requireNonNull(ticker, "ticker");
      return this;
    }

    /** Adds an observer (metrics, tracing...). */
    public Builder observer(MeshObserver observer) {
      this.observers.add(requireNonNull(observer, "observer"));
      return this;
    }

    /** Records Micrometer metrics into {@code registry} with the defaults; see {@link MeshMetrics}. */
    public Builder meterRegistry(MeterRegistry registry) {
      return metrics(MeshMetrics.create(requireNonNull(registry, "registry")));
    }

    /** Records metrics with {@code metrics} (an observer bound to this mesh's directory when built). */
    public Builder metrics(MeshMetrics metrics) {
      if (this.metrics != null) {
        throw new IllegalStateException("metrics already set");
      }
      this.metrics = requireNonNull(metrics, "metrics");
      return observer(metrics);
    }

    /** How long a first call to an undeclared mesh-domain service waits for discovery (default 2 s). */
    public Builder discoveryWait(Duration wait) {
      requireNonNull(wait, "wait");
      if (wait.isNegative()) {
        throw new IllegalArgumentException("discoveryWait: " + wait + " (expected: >= 0)");
      }
      this.discoveryWait = wait;
      return this;
    }

    /**
     * The local sidecar that services with {@code route.mode} {@code sidecar} or {@code split:N} hand calls to
     * (default none: such services run direct). See {@code docs/migration.md}.
     */
    public Builder sidecar(@Nullable SidecarConfig sidecar) {
      this.sidecar = sidecar;
      return this;
    }

    /**
     * The name of the service this process runs (default none). When set, every mesh call, direct or via the
     * sidecar, carries header {@code x-mesh-caller: <name>}, which {@code InboundGuard} and
     * {@code MeshServerMetrics} use to tell callers apart on the server side.
     *
     * @param name a lower-case service name without '/', ':' or spaces, as a declared service, in ASCII
     * @throws io.meshsdk.core.config.ConfigException if {@code name} is not a valid service name
     */
    public Builder localService(String name) {
      requireNonNull(name, "name");
      if (name.isBlank() || !name.equals(name.trim().toLowerCase(java.util.Locale.ROOT))
          || name.chars().anyMatch(c -> c == '/' || c == ':' || c <= ' ' || c >= 0x7f)) {
        throw new io.meshsdk.core.config.ConfigException("local-service", name,
            "a lower-case service name without '/', ':' or spaces (ASCII: it is sent in a header)");
      }
      this.localService = name;
      return this;
    }

    /** Builds the mesh and starts watching every declared and known service. */
    public Mesh build() {
      return new Mesh(this);
    }
  }
}
