package io.meshsdk.core.internal;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.Ticker;
import io.meshsdk.core.client.UnknownServiceException;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.config.ServiceConfig;
import io.meshsdk.core.discovery.ServiceDirectory;
import io.meshsdk.core.observe.MeshObserver;
import io.meshsdk.core.sidecar.SidecarBridge;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the per-service pipelines and swaps them atomically when the config changes. Internal: use
 * {@link io.meshsdk.core.Mesh}.
 */
public final class MeshEngine {

  private static final Logger log = LoggerFactory.getLogger(MeshEngine.class);

  private final ServiceDirectory directory;
  private final MeshObserver observer;
  private final Ticker ticker;
  private final Duration discoveryWait;
  private final ConcurrentHashMap<String, ServicePipeline> pipelines = new ConcurrentHashMap<>();
  private final java.util.List<java.util.function.Consumer<ServicePipeline>> installListeners =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile MeshConfig config;
  private volatile SidecarBridge sidecarBridge; // sidecar bridge (issue 5)
  private volatile @Nullable String localService; // sent as x-mesh-caller on every mesh call

  /** An engine over {@code directory}; call {@link #apply} once to compile the first config. */
  public MeshEngine(ServiceDirectory directory, MeshObserver observer, Ticker ticker, Duration discoveryWait) {
    this.directory = requireNonNull(directory, "directory");
    this.observer = requireNonNull(observer, "observer");
    this.ticker = requireNonNull(ticker, "ticker");
    this.discoveryWait = requireNonNull(discoveryWait, "discoveryWait");
    this.config = MeshConfig.ofDefaults();
    this.sidecarBridge = new SidecarBridge(null, observer, ticker);
  }

  /** Sets the sidecar bridge every pipeline compiles its route with; call before the first {@link #apply}. */
  public void sidecarBridge(SidecarBridge bridge) {
    this.sidecarBridge = requireNonNull(bridge, "bridge");
  }

  /**
   * Names this process: every mesh call (direct and sidecar) then carries header {@code x-mesh-caller} with
   * {@code name}; call before the first {@link #apply}. {@code null}: no caller header.
   */
  public void localService(@Nullable String name) {
    this.localService = name;
  }

  /** The local service name sent as {@code x-mesh-caller}, or {@code null}. */
  public @Nullable String localService() {
    return localService;
  }

  /** The sidecar bridge. */
  public SidecarBridge sidecarBridge() {
    return sidecarBridge;
  }

  /** The current config. */
  public MeshConfig config() {
    return config;
  }

  /** The directory of endpoints. */
  public ServiceDirectory directory() {
    return directory;
  }

  /** The observer every pipeline reports to. */
  public MeshObserver observer() {
    return observer;
  }

  /** The ticker. */
  public Ticker ticker() {
    return ticker;
  }

  /**
   * Compiles {@code newConfig}: every declared or known service gets a pipeline; a service whose config
   * changed gets a new pipeline swapped in atomically (calls in flight finish on the old one). Pipelines of
   * services no longer declared stay while discovery knows them.
   */
  public synchronized void apply(MeshConfig newConfig) {
    requireNonNull(newConfig, "newConfig");
    MeshConfig old = this.config;
    this.config = newConfig;
    Set<String> services = new LinkedHashSet<>(newConfig.services().keySet());
    services.addAll(directory.knownServices());
    services.addAll(pipelines.keySet());
    for (String service : services) {
      ServiceConfig sc = newConfig.forService(service);
      ServicePipeline current = pipelines.get(service);
      if (current == null || !current.config().equals(sc)) {
        install(service, sc);
        if (current != null) {
          log.info("service '{}': applied new config {} (was {})", service, sc, current.config());
        }
      }
    }
    if (old != newConfig && !old.equals(newConfig)) {
      log.info("mesh config applied: {} service pipeline(s)", pipelines.size());
    }
  }

  /**
   * Calls {@code listener} with every pipeline installed from now on (first config, config changes, lazily
   * watched services), before it takes calls; used to bind per-service meters such as breaker gauges.
   */
  public synchronized void onPipelineInstalled(java.util.function.Consumer<ServicePipeline> listener) {
    installListeners.add(requireNonNull(listener, "listener"));
  }

  private ServicePipeline install(String service, ServiceConfig sc) {
    ServicePipeline next = new ServicePipeline(service, sc, directory.watch(service), observer, ticker, localService,
        pipelines.get(service));
    next.bindSidecar(sidecarBridge);
    for (java.util.function.Consumer<ServicePipeline> l : installListeners) {
      l.accept(next);
    }
    next.start();
    ServicePipeline previous = pipelines.put(service, next);
    if (previous != null) {
      previous.close();
    }
    return next;
  }

  /**
   * The pipeline for a request's host, or {@code null} if the host is not a mesh service and the call must
   * pass through untouched. One map lookup for declared services.
   *
   * @throws UnknownServiceException if the host carries the mesh domain suffix but names no known service
   */
  public @Nullable ServicePipeline pipelineForHost(String host) throws UnknownServiceException {
    ServicePipeline p = pipelines.get(host);
    if (p != null) {
      return p;
    }
    String domain = config.meshDomain();
    if (domain.isEmpty() || !host.endsWith(domain)) {
      return null;
    }
    String service = host.substring(0, host.length() - domain.length());
    p = pipelines.get(service);
    if (p != null) {
      return p;
    }
    return lazyPipeline(service, host);
  }

  private ServicePipeline lazyPipeline(String service, String host) throws UnknownServiceException {
    if (service.isEmpty() || service.indexOf('.') >= 0) {
      throw new UnknownServiceException(service, "host '" + host + "' is not <service>" + config.meshDomain());
    }
    // Ask discovery first and install a pipeline only for a service it knows: a typo or a made-up host must
    // not leave a watch, a pipeline and meters behind (nothing grows without bound).
    ServiceDirectory.Entry entry = directory.watch(service);
    String unknown = null;
    if (!entry.hasHeardFromBackend() && !entry.awaitFirstWord(discoveryWait)) {
      unknown = "discovery '" + entry.discoveryName() + "' said nothing about it within " + discoveryWait.toMillis()
          + " ms";
    } else if (entry.snapshot().isEmpty() && entry.lastError() == null) {
      unknown = "discovery '" + entry.discoveryName() + "' has no endpoints for it";
    }
    synchronized (this) {
      ServicePipeline p = pipelines.get(service);
      if (p != null) {
        return p;
      }
      if (unknown != null) {
        directory.unwatch(service);
        throw new UnknownServiceException(service, unknown);
      }
      p = install(service, config.forService(service));
      log.info("service '{}': watching on first call to {}", service, host);
      return p;
    }
  }

  /** The pipeline of {@code service}, or {@code null}. */
  public @Nullable ServicePipeline pipeline(String service) {
    return pipelines.get(service);
  }

  /** Every pipeline by service name. */
  public Map<String, ServicePipeline> pipelines() {
    return new TreeMap<>(pipelines);
  }

  /** Closes every pipeline. */
  public synchronized void close() {
    pipelines.values().forEach(ServicePipeline::close);
    pipelines.clear();
  }
}
