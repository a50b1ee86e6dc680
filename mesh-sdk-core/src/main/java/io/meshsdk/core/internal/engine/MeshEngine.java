package io.meshsdk.core.internal.engine;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.client.MeshClosedException;
import io.meshsdk.core.client.UnknownServiceException;
import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.common.MeshException;
import io.meshsdk.core.common.MeshHeaders;
import io.meshsdk.core.common.SerialExecutor;
import io.meshsdk.core.common.Ticker;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.config.ServiceConfig;
import io.meshsdk.core.discovery.ServiceDiscovery;
import io.meshsdk.core.endpoint.EndpointExclusion;
import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.internal.concurrent.DeadlineWatchdog;
import io.meshsdk.core.internal.concurrent.MeshScheduler;
import io.meshsdk.core.internal.directory.FailsafeStore;
import io.meshsdk.core.internal.directory.ServiceDirectory;
import io.meshsdk.core.internal.directory.TrackedEndpoint;
import io.meshsdk.core.internal.migration.PlanRun;
import io.meshsdk.core.internal.migration.WindowSums;
import io.meshsdk.core.migration.MigrationPlan;
import io.meshsdk.core.migration.PlanEvidence;
import io.meshsdk.core.migration.PlanStatus;
import io.meshsdk.core.observe.MeshObserver;
import io.meshsdk.core.resilience.BreakerState;
import io.meshsdk.core.resilience.ResilienceConfig;
import io.meshsdk.core.resilience.ResilienceView;
import io.meshsdk.core.security.policy.PolicyHolder;
import io.meshsdk.core.sidecar.MigrationReport;
import io.meshsdk.core.sidecar.parity.PolicyParity;
import io.meshsdk.core.sidecar.RouteConfig;
import io.meshsdk.core.sidecar.RouteMode;
import io.meshsdk.core.sidecar.RouteTransition;
import io.meshsdk.core.sidecar.SidecarBridge;
import io.meshsdk.core.security.WorkloadCertificates;
import io.meshsdk.core.sidecar.SidecarConfig;
import io.meshsdk.core.snapshot.BreakerSnapshot;
import io.meshsdk.core.snapshot.EndpointSnapshot;
import io.meshsdk.core.snapshot.MeshSnapshot;
import io.meshsdk.core.snapshot.ServiceSnapshot;
import io.meshsdk.core.transport.TransportCall;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine behind one {@code Mesh}: owns the services' pipelines and their lifecycle, both call paths (through
 * the {@link CallExecutor}), the control thread, the deadline watchdog and the sidecar bridge. Internal: use
 * {@code io.meshsdk.core.Mesh}.
 *
 * <p>A service is routed (has a pipeline) when the config declares it, when discovery lists it (also after start:
 * it becomes a mesh host as soon as discovery reports it), or when it is first called under the mesh domain and
 * discovery knows it. It stops being routed when discovery deletes it and the config does not declare it: its
 * pipeline, watch, timers and meters go with it. State changes happen on the control thread ({@code mesh-control});
 * calls only read.
 */
public final class MeshEngine implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(MeshEngine.class);

  private final ServiceDirectory directory;
  private final MeshObserver observer;
  private final Ticker ticker;
  private final Duration discoveryWait;
  private final MeshScheduler scheduler;
  private final SerialExecutor control;
  private final DeadlineWatchdog watchdog;
  private volatile SidecarBridge bridge;
  private final ReadinessRelay relay;
  private final Object sidecarSwap = new Object(); // one sidecar replacement at a time
  private volatile OkHttpClient healthClient;
  private volatile PolicyHolder policies = PolicyHolder.create();
  private final TlsIdentities identities = new TlsIdentities();
  private volatile @Nullable WorkloadCertificates certificates;
  private volatile @Nullable ShadowTraffic shadowTraffic; // created when a shadow:N route is first compiled
  private final CallExecutor executor;
  private volatile String markerHeader;
  private final ConcurrentHashMap<String, ServicePipeline> pipelines = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, MigrationStats> migration = new ConcurrentHashMap<>();
  private volatile MeshConfig config = MeshConfig.ofDefaults();
  private volatile Set<String> discovered = Set.of();
  private volatile Set<String> closedHosts = Set.of();
  private volatile boolean closed;
  private ServiceDiscovery.@Nullable Subscription servicesWatch;
  // migration plans: runs by service, evaluated on the control thread under the engine's lock
  private final ConcurrentHashMap<String, PlanRun> plans = new ConcurrentHashMap<>();
  private final long[][] planHist = new long[2][MigrationStats.BINS];
  private final WindowSums planSums = new WindowSums();
  private java.util.concurrent.@Nullable ScheduledFuture<?> planTask;
  private long planTickNanos = Long.MAX_VALUE;

  /**
   * An engine; call {@link #start} to compile the first config.
   *
   * @param sidecar the local sidecar, or {@code null}
   * @param localService sent as {@code x-mesh-caller} on every mesh call, or {@code null}
   * @param healthClient the client settings active health checks use (the application's)
   * @param failsafe where each service's last-known-good endpoints are kept for a cold start, or {@code null}
   */
  public MeshEngine(ServiceDiscovery discovery, MeshObserver observer, Ticker ticker, Duration discoveryWait,
      @Nullable SidecarConfig sidecar, @Nullable String localService, OkHttpClient healthClient,
      @Nullable FailsafeStore failsafe) {
    this.observer = requireNonNull(observer, "observer");
    this.ticker = requireNonNull(ticker, "ticker");
    this.discoveryWait = requireNonNull(discoveryWait, "discoveryWait");
    this.healthClient = requireNonNull(healthClient, "healthClient");
    this.scheduler = new MeshScheduler("mesh-control");
    this.control = new SerialExecutor("mesh engine", scheduler);
    this.watchdog = new DeadlineWatchdog(ticker, "mesh-deadline");
    this.directory = new ServiceDirectory(requireNonNull(discovery, "discovery"), ticker, failsafe,
        System::currentTimeMillis);
    directory.staleListener((service, stale, reason) ->
        observe(o -> o.onDiscoveryStale(service, stale, reason), "onDiscoveryStale"));
    this.relay = new ReadinessRelay(observer, scheduler);
    this.bridge = newBridge(sidecar);
    this.markerHeader = sidecar == null ? MeshHeaders.ROUTE_MARKER : sidecar.markerHeader();
    this.executor = new CallExecutor(this, ticker, observer, localService);
  }

  /** This workload's certificates, for {@code tls.mode=mtls} services; set before {@link #start}. */
  public void workloadCertificates(@Nullable WorkloadCertificates certificates) {
    this.certificates = certificates;
  }

  /** This workload's certificates, or {@code null} when none are configured. */
  public @Nullable WorkloadCertificates workloadCertificates() {
    return certificates;
  }

  boolean hasWorkloadCertificates() {
    return certificates != null;
  }

  /** The client settings health checks use from now on (the application's, with the mesh's verifier). */
  public void healthClient(OkHttpClient client) {
    this.healthClient = requireNonNull(client, "client");
  }

  /** The access policies whose egress section the calls check from now on. */
  public void policies(PolicyHolder holder) {
    this.policies = requireNonNull(holder, "holder");
  }

  /** The access policies in force (allow-all unless {@link #policies(PolicyHolder)} set some). */
  public PolicyHolder policies() {
    return policies;
  }

  /**
   * Probes the sidecar, starts following the services discovery lists, and compiles {@code first}: services a
   * full-list backend knows at once are routed when this returns; those a backend reports later, as soon as it
   * does.
   */
  public void start(MeshConfig first) {
    bridge.start();
    synchronized (this) { // the control thread installs later names only once the first config is in
      // services the failsafe directory kept are routed until the backend can list services itself: with the
      // registry down at a cold start, they are served from their files
      Set<String> kept = directory.failsafeServices();
      discovered = kept;
      servicesWatch = directory.discovery().watchServices(listed -> {
        Set<String> names = listed.isEmpty() && !kept.isEmpty() ? kept : Set.copyOf(listed);
        discovered = names; // at once: a backend that answers while start() runs is seen by apply()
        control.execute(() -> discovered(names));
      });
      apply(first);
    }
  }

  // ---- for pipelines and the executor ------------------------------------------------------------------------

  MeshScheduler scheduler() {
    return scheduler;
  }

  Ticker ticker() {
    return ticker;
  }

  OkHttpClient healthClient() {
    return healthClient;
  }

  DeadlineWatchdog watchdog() {
    return watchdog;
  }

  /** The sidecar bridge (readiness). */
  public SidecarBridge bridge() {
    return bridge;
  }

  /** The TLS identities of the secure endpoints (for hostname verification). */
  public TlsIdentities identities() {
    return identities;
  }

  /** How long a call waits for discovery's first word about a service. */
  Duration discoveryWait() {
    return discoveryWait;
  }

  String markerHeader() {
    return markerHeader;
  }

  /** Calls {@code callback} on the observer, guarded (control thread, or the thread changing a route). */
  void observe(Consumer<MeshObserver> callback, String what) {
    try {
      callback.accept(observer);
    } catch (RuntimeException e) {
      log.warn("MeshObserver.{} threw", what, e);
    }
  }

  @Nullable CompiledRoute compileRoute(String service, RouteConfig route) {
    return compileRoute(service, route, bridge);
  }

  private @Nullable CompiledRoute compileRoute(String service, RouteConfig route, SidecarBridge on) {
    MigrationStats stats;
    if (route.mode().isDirect()) {
      on.stopProbingService(service);
      stats = migration.get(service);
      if (stats == null) {
        return null; // never migrating: the bridge costs its calls nothing
      }
    } else {
      if (on.config() == null) {
        log.warn("service '{}': route.mode={} but no sidecar is configured (mesh.sidecar.address); its calls go"
            + " direct", service, route.mode());
      }
      stats = migration.computeIfAbsent(service, k -> new MigrationStats(ticker));
    }
    SidecarBridge.ServiceReadiness readiness = null;
    if (route.mode().isDirect() || route.sidecarHealthPath().isEmpty() || on.config() == null) {
      on.stopProbingService(service);
    } else {
      readiness = on.probeService(service, route.sidecarHealthPath());
    }
    return new CompiledRoute(service, route, stats, on, readiness, ticker.read(),
        route.mode().isShadow() ? shadowTraffic() : null);
  }

  /** The sender of shadow copies, created on first use (one per mesh; its threads start with the first copy). */
  synchronized ShadowTraffic shadowTraffic() {
    ShadowTraffic t = shadowTraffic;
    if (t == null) {
      t = new ShadowTraffic(ticker, observer, scheduler, ShadowTraffic::hostCpuLoad);
      shadowTraffic = t;
    }
    return t;
  }

  /** The sender of shadow copies, or {@code null} when no service was ever set to {@code shadow:N} (tests). */
  @Nullable ShadowTraffic shadowTrafficIfAny() {
    return shadowTraffic;
  }

  private SidecarBridge newBridge(@Nullable SidecarConfig sidecar) {
    SidecarBridge b = new SidecarBridge(sidecar, relay::onSidecarReadinessChanged);
    b.afterEachRound(() -> readinessRound(b));
    return b;
  }

  // ---- run-time route and sidecar control --------------------------------------------------------------------

  /**
   * Sets {@code service}'s route mode now, without rebuilding anything else of the service: its balancer, breaker,
   * ejections and statistics stay; calls in flight finish on the route they started on. The change is kept in the
   * service's transitions; it lasts until the next change, by this method or by a config whose route keys for the
   * service differ from the config in force.
   *
   * @return the mode in force before
   * @throws ConfigException naming {@code mesh.services.<service>.route.mode} when the mesh does not route the
   *     service
   */
  public synchronized RouteMode route(String service, RouteMode mode, String by, String reason) {
    requireNonNull(mode, "mode");
    if (closed) {
      throw new IllegalStateException("the mesh is closed");
    }
    ServicePipeline p = routed(service, mode.toString());
    RouteConfig was = p.routeConfig();
    if (!was.mode().equals(mode)) {
      RouteConfig now = was.withMode(mode);
      p.route(now, compileRoute(service, now));
      transition(service, was.mode(), mode, by, reason, null);
      noSidecarRound();
    }
    PlanRun run = plans.get(p.service);
    if (run != null && !by.startsWith(RouteTransition.BY_PLAN_PREFIX)) { // a manual override pauses the plan
      PlanRun.Move m = run.pause(ticker.read(), "manual override: route set to " + mode + " by " + by
          + (reason.isEmpty() ? "" : " (" + reason + ")"), mode.sidecarPercent());
      if (m != null) {
        transition(service, RouteMode.split(m.fromPercent()), RouteMode.split(m.toPercent()), by, m.reason(),
            m.evidence());
      }
    }
    return was.mode();
  }

  /**
   * The route mode in force for {@code service}.
   *
   * @throws ConfigException naming {@code mesh.services.<service>.route.mode} when the mesh does not route it
   */
  public RouteMode route(String service) {
    return routed(service, "").routeConfig().mode();
  }

  private ServicePipeline routed(String service, String value) {
    ServicePipeline p = pipelines.get(requireNonNull(service, "service"));
    if (p == null) {
      List<String> known = new ArrayList<>(new java.util.TreeSet<>(pipelines.keySet()));
      String listed = known.size() <= 10 ? known.toString()
          : known.subList(0, 10) + " and " + (known.size() - 10) + " more";
      throw new ConfigException("mesh.services." + service + ".route.mode", value,
          "a service the mesh routes (declared in the config, listed by discovery or called once): " + listed);
    }
    return p;
  }

  /**
   * Records a route change (engine lock held) and logs it: one line per service per second at most, except a
   * plan's entries ({@code evidence} set): one INFO line each, with the figures, so a log pipeline keeps the trail.
   */
  private void transition(String service, RouteMode from, RouteMode to, String by, String reason,
      @Nullable PlanEvidence evidence) {
    MigrationStats stats = migration.get(service);
    if (evidence != null) {
      log.info("service '{}': route {} (by {}): {}{}", service, from.equals(to) ? "stays " + to : from + " -> " + to,
          by, reason, evidence.figures() == null ? "" : " [" + evidence.figures() + "]");
      RouteTransition t = new RouteTransition(service, Instant.now(), by, from, to, reason, evidence);
      if (stats != null) {
        stats.transition(t);
      }
      observe(o -> o.onRouteTransition(t), "onRouteTransition");
      return;
    }
    if (stats == null) { // cannot happen: a change from or to the sidecar makes the service a migrating one
      log.info("service '{}': route {} -> {} (by {})", service, from, to, by);
      return;
    }
    RouteTransition t = new RouteTransition(service, Instant.now(), by, from, to, reason);
    stats.transition(t);
    observe(o -> o.onRouteTransition(t), "onRouteTransition");
    long now = System.nanoTime();
    if (stats.lastLogNanos != 0 && now - stats.lastLogNanos < 1_000_000_000L) {
      stats.unloggedTransitions++; // a burst (a script, a test): the transition log keeps them all
      return;
    }
    long more = stats.unloggedTransitions;
    stats.unloggedTransitions = 0;
    stats.lastLogNanos = now;
    log.info("service '{}': route {} -> {} (by {}{}){}", service, from, to, by, reason.isEmpty() ? "" : ": " + reason,
        more == 0 ? "" : " after " + more + " change(s) not logged in the last second");
  }

  /**
   * Replaces the sidecar (or removes it, with {@code null}) without rebuilding the mesh: the new sidecar is probed
   * once (its services through it too), then every service's route switches to it at once. Breakers, ejections,
   * balancers and statistics stay; calls in flight finish on the sidecar they started on; the old bridge stops
   * probing.
   */
  public void sidecar(@Nullable SidecarConfig sidecar) {
    synchronized (sidecarSwap) {
      SidecarBridge next = newBridge(sidecar);
      synchronized (this) {
        if (closed) {
          throw new IllegalStateException("the mesh is closed");
        }
        for (ServicePipeline p : pipelines.values()) { // probed by the first round, before any call sees them
          RouteConfig rc = p.routeConfig();
          if (sidecar != null && !rc.mode().isDirect() && !rc.sidecarHealthPath().isEmpty()) {
            next.probeService(p.service, rc.sidecarHealthPath());
          }
        }
      }
      next.start(); // bounded by the probe timeouts; outside the engine's lock
      SidecarBridge old;
      synchronized (this) {
        if (closed) {
          next.close();
          throw new IllegalStateException("the mesh is closed");
        }
        old = bridge;
        bridge = next;
        markerHeader = sidecar == null ? MeshHeaders.ROUTE_MARKER : sidecar.markerHeader();
        for (ServicePipeline p : pipelines.values()) {
          p.route(p.routeConfig(), compileRoute(p.service, p.routeConfig(), next));
        }
      }
      old.close();
      noSidecarRound();
      SidecarConfig was = old.config();
      log.info("sidecar replaced: {} -> {} ({})", was == null ? "(none)" : was.address(),
          sidecar == null ? "(none)" : sidecar.address(), next.isReady() ? "READY" : "NOT READY");
    }
  }

  /**
   * After each probe round of the current bridge (its probing thread): tells observers when a service set to use
   * the sidecar starts or stops running direct for want of readiness, and logs one WARN per service per
   * {@code not-ready-warn-interval} while it does.
   */
  private void readinessRound(SidecarBridge b) {
    SidecarConfig c = b.config();
    if (b != bridge || closed) {
      return;
    }
    long warnEvery = (c == null ? SidecarConfig.DEFAULT_NOT_READY_WARN_INTERVAL : c.notReadyWarnInterval()).toNanos();
    long now = System.nanoTime();
    for (ServicePipeline p : pipelines.values()) {
      CompiledRoute r = p.route();
      if (r == null || r.bridge != b) {
        continue;
      }
      MigrationStats stats = r.stats;
      if (r.percent == 0 && r.shadowPercent == 0) { // set back to direct: nothing to wait for, so nothing to alert on
        if (Boolean.FALSE.equals(stats.toldReady)) {
          stats.toldReady = true;
          stats.readySinceNanos = now;
          relay.serviceReadiness(p.service, true, "route.mode=direct: the sidecar is not used");
        }
        continue;
      }
      String why = r.notReady();
      boolean ok = why == null;
      String detail = ok ? "ready" : readinessDetail(r, b);
      Boolean told = stats.toldReady;
      if (told == null || told != ok) {
        stats.toldReady = ok;
        stats.readySinceNanos = now;
        stats.lastWarnNanos = 0;
        String service = p.service;
        relay.serviceReadiness(service, ok, detail);
      }
      if (!ok && (stats.lastWarnNanos == 0 || now - stats.lastWarnNanos >= warnEvery)) {
        stats.lastWarnNanos = now;
        stats.notReadyWarnings.incrementAndGet();
        long notReadyFor = (now - stats.readySinceNanos) / 1_000_000_000L;
        ShadowStats shadow = r.shadowStats;
        if (r.percent == 0 && shadow != null) { // shadow:N: the calls are direct anyway; the copies are what stops
          log.warn("service '{}' is set to route.mode={} but sends NO shadow copy for {} s: {} ({} copies dropped in"
              + " the last {} s)", p.service, r.route.mode(), notReadyFor, detail,
              shadow.snapshot().droppedNotReady(), MigrationStats.WINDOW_SECONDS);
        } else {
          log.warn("service '{}' is set to route.mode={} but its calls run DIRECT for {} s: {} ({} fallback(s) in"
              + " the last {} s)", p.service, r.route.mode(), notReadyFor, detail, stats.snapshot().fallbacks(),
              MigrationStats.WINDOW_SECONDS);
        }
      }
    }
  }

  /**
   * Without a sidecar nothing probes, so nothing runs {@link #readinessRound} on its own: a route change, a new
   * service or the sidecar's removal runs one here, so that a service set to use the sidecar is told (observers,
   * the per-service readiness gauge, one WARN) to run direct because no sidecar is configured.
   */
  private void noSidecarRound() {
    SidecarBridge b = bridge;
    if (b.config() == null) {
      readinessRound(b);
    }
  }

  private static String readinessDetail(CompiledRoute r, SidecarBridge b) {
    SidecarConfig c = b.config();
    if (c == null) {
      return "no sidecar is configured";
    }
    if (!b.isReady()) {
      return "sidecar " + c.address() + " is not ready (" + b.readinessDetail() + ")";
    }
    SidecarBridge.ServiceReadiness sr = r.readiness;
    return sr == null ? "ready" : "not ready on the sidecar path (" + sr.detail() + ")";
  }

  /** An endpoint of {@code service} was ejected or restored (control thread of the service). */
  void endpointChanged(String service, TrackedEndpoint endpoint, boolean ejected, EndpointExclusion.Reason reason,
      String detail) {
    ServicePipeline p = pipelines.get(service);
    if (p != null) {
      p.onEndpointChanged(endpoint, ejected, reason, detail);
    }
  }

  /** {@code service}'s breaker changed state (any thread): told to observers on the service's control thread. */
  void breakerChanged(String service, BreakerState state) {
    ServicePipeline p = pipelines.get(service);
    if (p != null) {
      p.control.execute(() -> observe(o -> o.onBreakerStateChanged(service, state), "onBreakerStateChanged"));
    }
  }

  /** Discovery deleted {@code service} (control thread of the service): remove it unless the config declares it. */
  void serviceDeleted(String service) {
    control.execute(() -> removeIfDeleted(service));
  }

  // ---- config and lifecycle ----------------------------------------------------------------------------------

  /** The config in force. */
  public MeshConfig config() {
    return config;
  }

  /**
   * Compiles {@code newConfig}: every declared or discovered service gets a pipeline; a service whose config
   * changed gets a new pipeline swapped in atomically (calls in flight finish on the old one).
   */
  public synchronized void apply(MeshConfig newConfig) {
    requireNonNull(newConfig, "newConfig");
    if (closed) {
      throw new IllegalStateException("the mesh is closed");
    }
    MeshConfig old = this.config;
    this.config = newConfig;
    Set<String> services = new LinkedHashSet<>(newConfig.services().keySet());
    services.addAll(discovered);
    services.addAll(pipelines.keySet());
    for (String service : services) {
      ServiceConfig sc = newConfig.forService(service);
      ServicePipeline current = pipelines.get(service);
      if (current == null || !current.config.equals(sc)) {
        ServicePipeline next = install(service, sc);
        if (current != null) {
          log.info("service '{}': applied new config (changed: {})", service, changedParts(current.config, sc));
          RouteMode was = current.routeConfig().mode();
          if (!was.equals(next.routeConfig().mode())) {
            transition(service, was, next.routeConfig().mode(), RouteTransition.BY_CONFIG, "", null);
          }
        }
      }
    }
    for (String service : new ArrayList<>(pipelines.keySet())) {
      reconcilePlan(service);
    }
    for (String service : new ArrayList<>(plans.keySet())) {
      if (!pipelines.containsKey(service)) {
        plans.remove(service);
      }
    }
    schedulePlans();
    if (!old.equals(newConfig)) {
      log.info("mesh config applied: {} service pipeline(s)", pipelines.size());
    }
  }

  /** The parts of a service's config that differ, for a one-line log: "lb, retry, route". */
  static String changedParts(ServiceConfig was, ServiceConfig now) {
    List<String> parts = new ArrayList<>();
    if (!was.loadBalancer().equals(now.loadBalancer())) {
      parts.add("lb");
    }
    ResilienceConfig a = was.resilience();
    ResilienceConfig b = now.resilience();
    if (!a.breaker().equals(b.breaker())) {
      parts.add("breaker");
    }
    if (!a.outlier().equals(b.outlier())) {
      parts.add("outlier");
    }
    if (!a.healthCheck().equals(b.healthCheck())) {
      parts.add("health-check");
    }
    if (!a.rateLimit().equals(b.rateLimit())) {
      parts.add("rate-limit");
    }
    if (!a.bulkhead().equals(b.bulkhead())) {
      parts.add("bulkhead");
    }
    if (!a.retry().equals(b.retry())) {
      parts.add("retry");
    }
    if (!a.timeout().equals(b.timeout())) {
      parts.add("timeout");
    }
    if (!was.route().equals(now.route())) {
      parts.add("route " + was.route().mode() + " -> " + now.route().mode());
    }
    return String.join(", ", parts);
  }

  private synchronized void discovered(Set<String> names) {
    if (closed) {
      return;
    }
    for (String service : names) {
      if (!pipelines.containsKey(service)) {
        install(service, config.forService(service));
        log.info("service '{}': discovered; routing it", service);
      }
    }
  }

  private synchronized ServicePipeline install(String service, ServiceConfig sc) {
    ServicePipeline previous = pipelines.get(service);
    ServiceDirectory.Entry entry = directory.watch(service);
    ServicePipeline next = new ServicePipeline(this, service, sc, entry, previous);
    EndpointSet first = entry.snapshot();
    next.rebuild(first); // the first picker and TLS expectations before the pipeline takes calls; later on control
    next.publishTls(first);
    next.start();
    pipelines.put(service, next);
    if (previous == null && !next.routeConfig().mode().isDirect()) {
      transition(service, RouteMode.DIRECT, next.routeConfig().mode(), RouteTransition.BY_CONFIG, "initial config",
          null);
    }
    if (previous != null) {
      previous.close();
    } else {
      control.execute(() -> observe(o -> o.onServiceAdded(service), "onServiceAdded"));
    }
    if (previous == null || previous.resilience != next.resilience) {
      BreakerState state = next.resilience.breakerState();
      next.control.execute(() -> observe(o -> o.onBreakerStateChanged(service, state), "onBreakerStateChanged"));
    }
    if (previous == null && reconcilePlan(service)) { // a service discovered or called after the config
      schedulePlans();
    }
    noSidecarRound();
    return next;
  }

  private synchronized void removeIfDeleted(String service) {
    ServicePipeline p = pipelines.get(service);
    if (closed || p == null || !p.entry.isDeleted() || config.services().containsKey(service)) {
      return;
    }
    pipelines.remove(service);
    p.closeForGood();
    directory.unwatch(service);
    identities.update(service, Set.of());
    migration.remove(service);
    if (plans.remove(service) != null) {
      schedulePlans();
    }
    bridge.stopProbingService(service);
    log.info("service '{}': deleted by discovery; no longer a mesh host", service);
    observe(o -> o.onServiceRemoved(service), "onServiceRemoved");
  }

  // ---- the call path ----------------------------------------------------------------------------------------

  /**
   * The pipeline for a request's host, or {@code null} if the host is not a mesh service and the call must pass
   * through untouched. One map lookup for routed services.
   *
   * @throws UnknownServiceException if the host carries the mesh domain but names no service discovery knows
   * @throws MeshClosedException if the mesh is closed and the host is a mesh service
   */
  public @Nullable ServicePipeline pipelineForHost(String host) throws MeshException {
    ServicePipeline p = pipelines.get(host);
    if (p != null) {
      return p;
    }
    String lower = lowerCase(host);
    if (lower != null) {
      return pipelineForHost(lower);
    }
    String domain = config.meshDomain();
    boolean inDomain = !domain.isEmpty() && host.endsWith(domain);
    if (closed) {
      if (inDomain || closedHosts.contains(host)) {
        throw new MeshClosedException(host);
      }
      return null;
    }
    if (!inDomain) {
      return null;
    }
    String service = host.substring(0, host.length() - domain.length());
    p = pipelines.get(service);
    if (p != null) {
      return p;
    }
    return lazyPipeline(service, host);
  }

  private ServicePipeline lazyPipeline(String service, String host) throws MeshException {
    if (service.isEmpty() || service.indexOf('.') >= 0) {
      throw new UnknownServiceException(service, "host '" + host + "' is not <service>" + config.meshDomain());
    }
    // Ask discovery first and install a pipeline only for a service it knows: a typo, a made-up host or a name
    // asked while discovery is failing must not leave a watch, a pipeline and meters behind.
    ServiceDirectory.Entry entry = directory.watch(service);
    String unknown = null;
    if (!entry.hasHeardFromBackend() && !entry.awaitFirstWord(discoveryWait)) {
      unknown = "discovery '" + entry.discoveryName() + "' said nothing about it within " + discoveryWait.toMillis()
          + " ms";
    } else if (entry.snapshot().isEmpty()) {
      Throwable error = entry.lastError();
      unknown = error == null ? "discovery '" + entry.discoveryName() + "' has no endpoints for it"
          : "discovery '" + entry.discoveryName() + "' is failing (" + error + ") and had no endpoints for it";
    }
    synchronized (this) {
      ServicePipeline p = pipelines.get(service);
      if (p != null) {
        return p;
      }
      if (closed) {
        throw new MeshClosedException(service);
      }
      if (unknown != null) {
        directory.unwatch(service);
        throw new UnknownServiceException(service, unknown);
      }
      p = install(service, config.forService(service));
      log.info("service '{}': routing it from its first call to {}", service, host);
      return p;
    }
  }

  /** Whether {@code host} is routed by the mesh now (for transports that decide before calling). */
  public boolean isMeshHost(String host) {
    if (pipelines.containsKey(host)) {
      return true;
    }
    String lower = lowerCase(host);
    if (lower != null) {
      return isMeshHost(lower);
    }
    String domain = config.meshDomain();
    return !domain.isEmpty() && host.endsWith(domain);
  }

  /**
   * {@code host} in lower case when it has an upper-case letter, else null: host names match in any case (OkHttp
   * lower-cases them; a {@code java.net.URI} keeps them as written), and services are named in lower case. Asked only
   * when the host as given is not a service, so the common path pays nothing.
   */
  private static @Nullable String lowerCase(String host) {
    String lower = host.toLowerCase(java.util.Locale.ROOT);
    return lower.equals(host) ? null : lower;
  }

  /** Runs one logical call of {@code p}'s service. */
  public <R> R execute(ServicePipeline p, TransportCall<R> call) throws IOException {
    return executor.execute(p, call);
  }

  /** Whether calls to {@code host} are handed to the sidecar as a forward proxy (the http-proxy style). */
  public boolean proxiesViaSidecar(String host) {
    SidecarConfig c = bridge.config();
    if (c == null || !host.endsWith(c.hostSuffix())) {
      return false;
    }
    ServicePipeline p = pipelines.get(host.substring(0, host.length() - c.hostSuffix().length()));
    CompiledRoute r = p == null ? null : p.route();
    return r != null && r.percent > 0 && !r.hostHeaderStyle;
  }

  // ---- migration plans ----------------------------------------------------------------------------------------

  /**
   * Starts, replaces or drops {@code service}'s plan run to match the config in force (engine lock held).
   *
   * @return whether the set of runs changed
   */
  private boolean reconcilePlan(String service) {
    MigrationPlan want = config.planFor(service);
    PlanRun run = plans.get(service);
    ServicePipeline p = pipelines.get(service);
    RouteMode mode = p == null ? RouteMode.DIRECT : p.routeConfig().mode();
    if (p == null || want == null) {
      if (run == null) {
        return false;
      }
      plans.remove(service);
      String why = p == null ? "the service is no longer routed" : "the config no longer assigns it";
      transition(service, mode, mode, RouteTransition.BY_CONFIG, "plan " + run.plan().name() + " dropped: " + why,
          evidence(run, run.state().isActive() ? io.meshsdk.core.migration.PlanState.ABORTED : run.state()));
      return true;
    }
    if (run != null && run.plan().equals(want)) {
      return false;
    }
    if (migration.get(service) == null) { // count the direct path from now on: the guards' baseline
      migration.put(service, new MigrationStats(ticker));
      p.route(p.routeConfig(), compileRoute(service, p.routeConfig()));
    }
    PlanRun next = new PlanRun(service, want, mode.sidecarPercent(), ticker.read());
    plans.put(service, next);
    transition(service, mode, mode, RouteTransition.BY_CONFIG, "plan " + want.name() + " assigned"
        + (run == null ? "" : " (replacing " + run.plan().name() + ")") + ": " + want, evidence(next, next.state()));
    return true;
  }

  private static PlanEvidence evidence(PlanRun run, io.meshsdk.core.migration.PlanState state) {
    return new PlanEvidence(run.plan().name(), state, run.step(), "", List.of(), null);
  }

  /** One periodic evaluation task for every plan, at the shortest interval among them (engine lock held). */
  private void schedulePlans() {
    long tick = Long.MAX_VALUE;
    for (PlanRun r : plans.values()) {
      tick = Math.min(tick, r.plan().evaluationInterval().toNanos());
    }
    if (tick == planTickNanos || closed) {
      return;
    }
    java.util.concurrent.ScheduledFuture<?> f = planTask;
    if (f != null) {
      f.cancel(false);
    }
    planTask = null;
    planTickNanos = tick;
    if (tick != Long.MAX_VALUE) {
      planTask = scheduler.every(tick, "migration plans", () -> evaluatePlans(false));
    }
  }

  /**
   * Evaluates every active plan now, on the calling thread, whatever its evaluation interval (tests drive time
   * with a fake ticker and call this; the mesh's own task evaluates each plan at its interval).
   */
  public void evaluatePlansNow() {
    evaluatePlans(true);
  }

  private synchronized void evaluatePlans(boolean all) {
    if (closed) {
      return;
    }
    long now = ticker.read();
    Instant wall = Instant.now();
    for (PlanRun run : plans.values()) {
      if (!run.state().isActive()) {
        continue;
      }
      long interval = run.plan().evaluationInterval().toNanos();
      if (!all && now - run.lastEvaluatedNanos() < interval - interval / 4) {
        continue;
      }
      ServicePipeline p = pipelines.get(run.service());
      if (p == null) {
        continue;
      }
      MigrationStats stats = migration.get(run.service());
      if (stats == null) {
        planSums.clear(now);
      } else {
        stats.window(run.plan().windowSeconds(), run.stepSinceNanos(), planHist, planSums);
      }
      PlanRun.Move m = run.evaluate(now, wall, planSums, p.routeConfig().mode().sidecarPercent());
      if (m != null) {
        apply(p, m, run.by());
      }
    }
  }

  /** Moves {@code p}'s route as {@code m} says (if it changes the share) and records the entry. */
  private void apply(ServicePipeline p, PlanRun.Move m, String by) {
    RouteMode from = RouteMode.split(m.fromPercent());
    RouteMode to = RouteMode.split(m.toPercent());
    if (!from.equals(to)) {
      RouteConfig now = p.routeConfig().withMode(to);
      p.route(now, compileRoute(p.service, now));
    }
    transition(p.service, from, to, by, m.reason(), m.evidence());
    if (!from.equals(to)) {
      noSidecarRound();
    }
  }

  /** {@code service}'s plan now, or {@code null} when it follows none. */
  public synchronized @Nullable PlanStatus planStatus(String service) {
    PlanRun run = plans.get(service);
    return run == null ? null : run.status(ticker.read());
  }

  /** Every plan at work, by service. */
  public synchronized List<PlanStatus> planStatuses() {
    long now = ticker.read();
    List<PlanStatus> out = new ArrayList<>();
    for (PlanRun run : new TreeMap<>(plans).values()) {
      out.add(run.status(now));
    }
    return out;
  }

  /** What an operator can do to a plan. */
  public enum PlanAction {
    /** Pause a running or holding plan. */
    PAUSE,
    /** Resume a paused plan, or start a failed or aborted one over. */
    RESUME,
    /** Stop a plan for good. */
    ABORT
  }

  /**
   * Pauses, resumes or aborts {@code service}'s plan (by {@code by}); does nothing when the plan is not in a state
   * the action applies to.
   *
   * @return the plan after the action
   * @throws IllegalArgumentException when the service follows no plan
   */
  public synchronized PlanStatus planAction(String service, PlanAction action, String by, String reason) {
    requireNonNull(action, "action");
    requireNonNull(reason, "reason");
    PlanRun run = plans.get(requireNonNull(service, "service"));
    ServicePipeline p = pipelines.get(service);
    if (run == null || p == null || closed) {
      throw new IllegalArgumentException("service: \"" + service + "\" (expected: a service that follows a"
          + " migration plan: " + new java.util.TreeSet<>(plans.keySet()) + ")");
    }
    long now = ticker.read();
    int percent = p.routeConfig().mode().sidecarPercent();
    String why = reason.isEmpty() ? "by " + by : reason + " (by " + by + ")";
    PlanRun.Move m = switch (action) {
      case PAUSE -> run.pause(now, why, percent);
      case RESUME -> run.resume(now, percent, why);
      case ABORT -> run.abort(now, why, percent);
    };
    if (m != null) {
      apply(p, m, by);
    }
    return run.status(now);
  }

  // ---- views --------------------------------------------------------------------------------------------------

  /** The current endpoint snapshot of every routed service. */
  public Map<String, EndpointSet> endpoints() {
    Map<String, EndpointSet> out = new TreeMap<>();
    pipelines.forEach((s, p) -> out.put(s, p.entry.snapshot()));
    return out;
  }

  /** The current snapshot of {@code service}; empty when it is not routed. */
  public EndpointSet endpoints(String service) {
    ServicePipeline p = pipelines.get(service);
    return p == null ? EndpointSet.empty(service) : p.entry.snapshot();
  }

  /** The resilience view of {@code service}, or {@code null} when it is not routed. */
  public @Nullable ResilienceView resilience(String service) {
    ServicePipeline p = pipelines.get(service);
    return p == null ? null : p.resilience;
  }

  /** Routed services, by name. */
  public Set<String> services() {
    return new java.util.TreeSet<>(pipelines.keySet());
  }

  /** The migration report: per migrating service, calls, errors and latency by path over the last minute. */
  public MigrationReport migrationReport() {
    List<MigrationReport.Service> list = new ArrayList<>();
    SidecarBridge b = bridge;
    long now = System.nanoTime();
    for (Map.Entry<String, MigrationStats> e : new TreeMap<>(migration).entrySet()) {
      MigrationStats stats = e.getValue();
      MigrationStats.Snapshot snap = stats.snapshot();
      ServicePipeline p = pipelines.get(e.getKey());
      CompiledRoute r = p == null ? null : p.route();
      RouteMode mode = p == null ? RouteMode.DIRECT : p.routeConfig().mode();
      boolean ready = r != null && r.notReady() == null;
      String readiness;
      if (r == null) {
        readiness = "";
      } else if (ready) {
        readiness = "ready";
      } else {
        readiness = readinessDetail(r, b);
        if (!mode.isDirect() && Boolean.FALSE.equals(stats.toldReady)) {
          readiness = "running direct for " + (now - stats.readySinceNanos) / 1_000_000_000L + " s: " + readiness;
        }
      }
      ShadowStats shadow = stats.shadowIfAny();
      list.add(new MigrationReport.Service(e.getKey(), mode, snap.direct(), snap.sidecar(), snap.fallbacks(),
          ready, readiness, stats.transitions(), parity(e.getKey()),
          shadow == null ? MigrationReport.Shadow.NONE : shadow.snapshot(), planStatus(e.getKey())));
    }
    SidecarConfig c = b.config();
    return new MigrationReport(c == null ? "" : c.address() + " " + c.style(), b.isReady(),
        b.readinessTransitions(), MigrationStats.WINDOW_SECONDS, list);
  }

  /**
   * The policy parity of {@code service} (canonical name): from its pipeline's config and route in force when the
   * mesh routes it, else from the config's entry (or defaults) for it; with its current endpoints as servers.
   */
  public PolicyParity parity(String service) {
    ServicePipeline p = pipelines.get(service);
    ServiceConfig sc = p == null ? config.forService(service) : p.config;
    List<String> endpoints = new ArrayList<>();
    if (p != null) {
      EndpointSet set = p.entry.snapshot();
      for (int i = 0; i < set.size(); i++) {
        endpoints.add(set.get(i).endpoint().authority());
      }
    }
    return PolicyParity.of(service, sc.resilience(), sc.loadBalancer(), sc.tls(),
        p == null ? sc.route() : p.routeConfig(), bridge.config(), policies.current().egress(), endpoints);
  }

  /** What the mesh is doing and why, now. */
  public MeshSnapshot snapshot() {
    long now = ticker.read();
    Instant wall = Instant.now();
    List<ServiceSnapshot> services = new ArrayList<>();
    for (ServicePipeline p : new TreeMap<>(pipelines).values()) {
      services.add(serviceSnapshot(p, now, wall));
    }
    SidecarBridge b = bridge;
    SidecarConfig c = b.config();
    return new MeshSnapshot(wall, directory.discovery().name(), directory.discovery().health(),
        c == null ? "" : c.address() + " " + c.style(), b.isReady(), services);
  }

  private ServiceSnapshot serviceSnapshot(ServicePipeline p, long now, Instant wall) {
    EndpointSet set = p.entry.snapshot();
    long window = p.config.loadBalancer().slowStartWindow().toNanos();
    boolean panic = p.panicSinceNanos() != 0;
    List<EndpointSnapshot> endpoints = new ArrayList<>(set.size());
    // slow start is relative: endpoints that started together share evenly, so a factor is reported against the
    // longest-serving endpoint's (what the balancers do)
    double oldestFactor = 0;
    for (int i = 0; i < set.size(); i++) {
      TrackedEndpoint e = (TrackedEndpoint) set.get(i);
      if (!e.isEjected()) {
        oldestFactor = Math.max(oldestFactor, e.slowStartFactor(now, window));
      }
    }
    for (int i = 0; i < set.size(); i++) {
      TrackedEndpoint e = (TrackedEndpoint) set.get(i);
      EndpointExclusion why = e.exclusion();
      double factor = oldestFactor <= 0 ? 1.0 : Math.min(1.0, e.slowStartFactor(now, window) / oldestFactor);
      EndpointSnapshot.Status status;
      String detail = "";
      Instant since = at(wall, now, e.healthySinceNanos());
      Instant until = null;
      if (e.isEjected()) {
        status = panic ? EndpointSnapshot.Status.SERVING_IN_PANIC : EndpointSnapshot.Status.EJECTED;
        if (why != null) {
          detail = why.detail();
          since = at(wall, now, why.sinceNanos());
          until = why.untilNanos() == Long.MAX_VALUE ? null : at(wall, now, why.untilNanos());
        }
      } else if (factor < 1.0) {
        status = EndpointSnapshot.Status.SLOW_START;
        detail = String.format(java.util.Locale.ROOT, "slow start %.0f%%", factor * 100);
      } else {
        status = EndpointSnapshot.Status.SERVING;
      }
      endpoints.add(new EndpointSnapshot(e.endpoint(), status, e.isEjected() && why != null ? why.reason() : null,
          detail, since, until, factor, e.inFlight(), e.ewmaNanos() / 1e6, e.successes(), e.failures(),
          e.recentFailureRate()));
    }
    var policies = p.resilience.policies();
    long next = policies.breakerNextTrialNanos();
    BreakerSnapshot breaker = new BreakerSnapshot(policies.breakerState(),
        at(wall, now, policies.breakerSinceNanos()), next == 0 ? null : at(wall, now, next),
        policies.breakerFailureRate());
    Throwable error = p.entry.lastError();
    return new ServiceSnapshot(p.service, p.loadBalancer.name(), p.routeConfig().mode(), breaker,
        panic ? at(wall, now, p.panicSinceNanos()) : null,
        p.entry.isServingLastKnownGood() ? at(wall, now, p.entry.lastKnownGoodSinceNanos()) : null,
        p.entry.failsafeWrittenAt(),
        error == null ? null : error.toString(),
        p.entry.lastUpdateNanos() == 0 ? null : at(wall, now, p.entry.lastUpdateNanos()), endpoints);
  }

  private static Instant at(Instant wall, long now, long tickerNanos) {
    return wall.minusNanos(now - tickerNanos);
  }

  // ---- close --------------------------------------------------------------------------------------------------

  /** Stops everything: the probe, the watches, the timers; mesh hosts fail with {@link MeshClosedException}. */
  @Override
  public void close() {
    Set<String> hosts;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      hosts = new HashSet<>(pipelines.keySet());
      hosts.addAll(discovered);
      hosts.addAll(config.services().keySet());
      closedHosts = Set.copyOf(hosts);
    }
    ServiceDiscovery.Subscription w = servicesWatch;
    if (w != null) {
      w.close();
    }
    bridge.close();
    synchronized (this) {
      pipelines.values().forEach(ServicePipeline::closeForGood);
      pipelines.clear();
      java.util.concurrent.ScheduledFuture<?> f = planTask;
      if (f != null) {
        f.cancel(false);
      }
      plans.clear();
    }
    ShadowTraffic shadow = shadowTraffic;
    if (shadow != null) {
      shadow.close();
    }
    control.close();
    directory.close();
    watchdog.close();
    scheduler.close();
  }

  /** Whether {@link #close()} ran. */
  public boolean isClosed() {
    return closed;
  }

  /** The migration statistics of {@code service}, or null (tests). */
  @Nullable MigrationStats migrationStats(String service) {
    return migration.get(service);
  }

  /** Control-thread tasks pending, for tests that check a removed service leaves nothing behind. */
  public int pendingControlTasks() {
    return scheduler.pendingTasks();
  }

  /** Passes readiness changes on from the mesh's control thread (a call may report a refusal on its own). */
  private static final class ReadinessRelay implements MeshObserver {
    private final MeshObserver observer;
    private final MeshScheduler scheduler;

    ReadinessRelay(MeshObserver observer, MeshScheduler scheduler) {
      this.observer = observer;
      this.scheduler = scheduler;
    }

    @Override
    public io.meshsdk.core.observe.CallObserver onCallStart(io.meshsdk.core.observe.CallInfo call) {
      return io.meshsdk.core.observe.CallObserver.NOOP;
    }

    @Override
    public void onSidecarReadinessChanged(boolean ready, String reason) {
      try {
        scheduler.execute(() -> observer.onSidecarReadinessChanged(ready, reason));
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // closed
      }
    }

    void serviceReadiness(String service, boolean ready, String reason) {
      try {
        scheduler.execute(() -> {
          try {
            observer.onServiceSidecarReadinessChanged(service, ready, reason);
          } catch (RuntimeException e) {
            log.warn("MeshObserver.onServiceSidecarReadinessChanged threw", e);
          }
        });
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // closed
      }
    }
  }
}
