package io.meshsdk.core.internal.engine;

import io.meshsdk.core.client.NoEndpointAvailableException;
import io.meshsdk.core.common.SerialExecutor;
import io.meshsdk.core.config.ServiceConfig;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.endpoint.EndpointExclusion;
import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.endpoint.EndpointState;
import io.meshsdk.core.internal.directory.ServiceDirectory;
import io.meshsdk.core.internal.directory.TrackedEndpoint;
import io.meshsdk.core.internal.resilience.OutlierDetector;
import io.meshsdk.core.internal.resilience.ServiceResilience;
import io.meshsdk.core.loadbalancer.LoadBalancer;
import io.meshsdk.core.loadbalancer.LoadBalancers;
import io.meshsdk.core.loadbalancer.Picker;
import io.meshsdk.core.observe.EndpointStateChange;
import io.meshsdk.core.security.ExpectedServerIdentity;
import io.meshsdk.core.security.ServiceTlsConfig;
import io.meshsdk.core.security.policy.AccessPolicy;
import io.meshsdk.core.security.policy.Decision;
import io.meshsdk.core.security.policy.EgressPolicy;
import io.meshsdk.core.sidecar.RouteConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The compiled call path of one service for one config: the balancer and its current {@link Picker}, the
 * resilience policies, the route. Built once per config change and shared by every call.
 *
 * <p>Every state change of the service (a discovery update, an ejection or restoration, the picker rebuild that
 * follows) runs on the service's serial control context, one at a time: a discovery update on the discovery thread
 * that delivers it, a change decided by a call (an ejection) on the mesh's control thread. The call path only reads
 * the current picker (a volatile read) and never rebuilds one, never takes a lock.
 */
public final class ServicePipeline {

  private static final Logger log = LoggerFactory.getLogger(ServicePipeline.class);
  private static final TrackedEndpoint[] NONE = new TrackedEndpoint[0];

  final String service;
  final ServiceConfig config;
  final ServiceDirectory.Entry entry;
  final LoadBalancer loadBalancer;
  final ServiceResilience resilience;
  final SerialExecutor control;
  private volatile @Nullable CompiledRoute route;
  private volatile RouteConfig routeConfig;
  /** {@code tls.mode=mtls}: direct calls go over TLS to the endpoint's port (an http URL is upgraded). */
  final boolean upgrade;
  /** Why direct calls are refused (mtls without a workload certificate), or {@code null}. */
  final @Nullable String tlsRefusal;
  private final MeshEngine engine;
  private final Consumer<EndpointSet> onSnapshot;
  private volatile Picker picker = Picker.EMPTY;
  private volatile TrackedEndpoint[] eligible = NONE;
  private volatile long panicSinceNanos; // 0 = not in panic
  private volatile @Nullable EndpointSet builtFrom; // the snapshot the current picker was built from
  private volatile boolean closed;
  private volatile @Nullable Thread startingThread;
  private volatile boolean resilienceHandedOver;

  ServicePipeline(MeshEngine engine, String service, ServiceConfig config, ServiceDirectory.Entry entry,
      @Nullable ServicePipeline previous) {
    this.engine = engine;
    this.service = service;
    this.config = config;
    this.entry = entry;
    this.control = previous != null ? previous.control : new SerialExecutor("service " + service, engine.scheduler());
    this.loadBalancer = LoadBalancers.create(config.loadBalancer(), engine.ticker());
    this.upgrade = config.tls().isMtls();
    if (previous != null && previous.config.resilience().equals(config.resilience())
        && previous.upgrade == upgrade) {
      // only the balancer or the route changed: keep the breaker's state, the retry budget, the ejections and the
      // counters instead of starting them again (an open breaker must not close because of a route switch)
      this.resilience = previous.resilience;
      previous.resilienceHandedOver = true;
    } else {
      this.resilience = new ServiceResilience(service, config.resilience(), engine.ticker(), entry::snapshot,
          control, engine.scheduler(), engine.healthClient(), upgrade,
          (endpoint, ejected, reason, detail) -> engine.endpointChanged(service, endpoint, ejected, reason, detail),
          state -> engine.breakerChanged(service, state));
    }
    // a route set at run time (Mesh.route) outlives config changes that leave the service's route.* keys alone
    this.routeConfig = previous != null && previous.config.route().equals(config.route())
        ? previous.routeConfig : config.route();
    this.route = engine.compileRoute(service, routeConfig);
    this.tlsRefusal = upgrade && !engine.hasWorkloadCertificates()
        ? "service '" + service + "' has tls.mode=mtls, but the mesh has no workload certificate (configure"
            + " mesh.tls.certificate-chain, mesh.tls.private-key and mesh.tls.trust-bundle, or"
            + " Mesh.builder().tls(...)); the mesh never sends an mtls service's call without it"
        : null;
    if (tlsRefusal != null && previous == null) {
      log.error(tlsRefusal);
    }
    // a discovery thread applies its snapshot itself (serialized with every other change of the service), so the
    // picker follows before the delivery returns; only changes decided on the call path go to the control thread
    this.onSnapshot = set -> {
      if (Thread.currentThread() == startingThread) {
        control.execute(() -> onEndpoints(set)); // start(), under the engine's lock: never wait for the control
      } else {
        control.executeHere(() -> onEndpoints(set));
      }
    };
  }

  /**
   * Subscribes to endpoint changes and starts health checks. The installer built the first picker already; later
   * snapshots are applied on the control context before the discovery thread's delivery returns.
   */
  void start() {
    startingThread = Thread.currentThread(); // the listener hears the current snapshot at once, on this thread
    try {
      entry.addListener(onSnapshot);
    } finally {
      startingThread = null;
    }
    resilience.start();
  }

  /** Stops following endpoint changes; calls already running finish. */
  void close() {
    closed = true;
    entry.removeListener(onSnapshot);
    if (!resilienceHandedOver) {
      resilience.close();
    }
  }

  /** Closes the service's control context too (the service is removed, not replaced). */
  void closeForGood() {
    close();
    resilience.close();
    control.close();
  }

  /** The route calls take now (null: never migrating): one volatile read; a call reads it once. */
  @Nullable CompiledRoute route() {
    return route;
  }

  /** The route config in force: the config's, or the one set at run time. */
  RouteConfig routeConfig() {
    return routeConfig;
  }

  /**
   * Swaps the route (engine lock): calls that start from now on take {@code compiled}; calls in flight finish on
   * the route they read. Nothing else of the service (balancer, breaker, ejections, statistics) changes.
   */
  void route(RouteConfig config, @Nullable CompiledRoute compiled) {
    this.routeConfig = config;
    this.route = compiled;
  }

  /** The current picker: one volatile read. */
  Picker picker() {
    return picker;
  }

  /** The endpoints calls may go to now (read-only). */
  TrackedEndpoint[] eligible() {
    return eligible;
  }

  /** Since when (ticker nanos) the service is in panic mode; 0 when it is not. */
  long panicSinceNanos() {
    return panicSinceNanos;
  }

  /** Control context: a new snapshot from discovery. */
  private void onEndpoints(EndpointSet set) {
    if (closed) {
      return;
    }
    if (set != builtFrom) { // the snapshot the pipeline was installed with comes back once: nothing to rebuild
      rebuild(set);
    }
    publishTls(set);
    engine.observe(o -> o.onEndpointsChanged(service, set), "onEndpointsChanged");
    if (entry.isDeleted()) {
      engine.serviceDeleted(service);
    }
  }

  /**
   * Publishes what the TLS endpoints of {@code set} must present (secure hosts, mtls addresses with their expected
   * identity). Done when the pipeline is installed, before it takes calls (a connection made by its first call must
   * find its expectation), and again at each new snapshot.
   */
  void publishTls(EndpointSet set) {
    Set<String> secureHosts = new HashSet<>();
    Map<String, ExpectedServerIdentity> mtls = upgrade ? new HashMap<>() : Map.of();
    for (int i = 0; i < set.size(); i++) {
      Endpoint e = set.get(i).endpoint();
      if (e.secure()) {
        secureHosts.add(e.host());
      }
      if (upgrade) {
        mtls.put(TlsIdentities.address(e.host(), e.port()),
            config.tls().expectationFor(service, e.label(ServiceTlsConfig.SPIFFE_ID_LABEL)));
      }
    }
    engine.identities().update(service, secureHosts, mtls);
  }

  /** Control context: an endpoint left or re-entered rotation. */
  void onEndpointChanged(TrackedEndpoint endpoint, boolean ejected, EndpointExclusion.Reason reason, String detail) {
    if (!closed) {
      rebuild(entry.snapshot()); // first the picker, so that whoever hears of the change sees it in effect
    }
    engine.observe(o -> o.onEndpointStateChanged(endpoint, new EndpointStateChange(ejected, reason, detail)),
        "onEndpointStateChanged");
  }

  /** Control context: rebuilds the picker over the eligible endpoints (non-ejected, or all in panic mode). */
  void rebuild(EndpointSet set) {
    List<TrackedEndpoint> out = new ArrayList<>(set.size());
    boolean panic = OutlierDetector.eligible(set, resilience.panicThreshold(),
        out);
    if (panic != (panicSinceNanos != 0)) {
      if (panic) {
        panicSinceNanos = Math.max(1, engine.ticker().read());
        log.warn("service '{}': panic mode, too few healthy endpoints ({} of {} ejected, threshold {}%); balancing"
            + " over all", service, resilience.outlier().ejected().size(), set.size(), resilience.panicThreshold());
      } else {
        panicSinceNanos = 0;
        log.info("service '{}': left panic mode", service);
      }
    }
    resilience.panic(panic);
    try {
      TrackedEndpoint[] now = out.toArray(NONE);
      // one array for both: the call path's eligible list and the balancer's read-only view (no copy per rebuild)
      picker = loadBalancer.newPicker(set, Collections.unmodifiableList(Arrays.<EndpointState>asList(now)));
      eligible = now;
      builtFrom = set;
    } catch (RuntimeException e) {
      log.error("service '{}': load balancer '{}' failed to build a picker; keeping the previous one", service,
          loadBalancer.name(), e);
    }
  }

  /**
   * Failure path only, when the picker had nothing to offer: waits (at most {@code maxWaitNanos}) until the
   * picker reflects discovery's current word. A service announced by name before its endpoints arrive, or an
   * endpoint snapshot still queued on the control context, must not fail the first calls; a settled empty or
   * fully excluded service returns at once.
   *
   * @param failed the picker that had nothing to offer
   * @return whether a newer picker is in place (worth picking again)
   */
  boolean catchUp(Picker failed, long maxWaitNanos) {
    if (picker != failed) {
      return true; // rebuilt since the failed pick
    }
    if (maxWaitNanos <= 0 || closed) {
      return false;
    }
    long start = System.nanoTime();
    if (!entry.hasHeardFromBackend() && !entry.awaitFirstWord(Duration.ofNanos(maxWaitNanos))) {
      return picker != failed;
    }
    if (entry.snapshot() == builtFrom) {
      return picker != failed; // the picker reflects discovery's word: the endpoints are excluded, or none
    }
    CountDownLatch applied = new CountDownLatch(1);
    control.execute(() -> {
      try {
        EndpointSet now = entry.snapshot();
        if (!closed && now != builtFrom) {
          rebuild(now);
        }
      } finally {
        applied.countDown();
      }
    });
    try {
      long left = maxWaitNanos - (System.nanoTime() - start);
      if (!applied.await(Math.max(0, left), TimeUnit.NANOSECONDS)) {
        return false;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return picker != failed;
  }

  /** The exception for "nothing to pick". */
  NoEndpointAvailableException noEndpoint() {
    EndpointSet set = entry.snapshot();
    Throwable error = entry.lastError();
    String detail = set.isEmpty()
        ? "discovery '" + entry.discoveryName() + "' reports no endpoints"
            + (error == null ? "" : " (last error: " + error + ")")
        : "all " + set.size() + " endpoint(s) are excluded";
    return new NoEndpointAvailableException(service, detail);
  }

  @Override
  public String toString() {
    return "pipeline{" + service + " " + loadBalancer.name() + (route == null ? "" : " " + route) + "}";
  }

  /** The egress decision of this service under one policy, when it depends on neither method nor path. */
  private record EgressMemo(AccessPolicy policy, @Nullable Decision fixed) {}

  private volatile @Nullable EgressMemo egressMemo;

  /**
   * The decision every call to this service gets under {@code policy}'s egress section, or {@code null} when it
   * depends on the call's method or path: computed once per policy (a reload is a new policy), not per call.
   */
  @Nullable Decision fixedEgress(AccessPolicy policy, EgressPolicy egress) {
    EgressMemo m = egressMemo;
    if (m == null || m.policy() != policy) { // racing threads compute the same memo
      m = new EgressMemo(policy, egress.fixedFor(service));
      egressMemo = m;
    }
    return m.fixed();
  }
}
