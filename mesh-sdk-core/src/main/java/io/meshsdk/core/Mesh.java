package io.meshsdk.core;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.MeshHeaders;
import io.meshsdk.core.common.ServiceNames;
import io.meshsdk.core.common.Ticker;
import io.meshsdk.core.common.UnstableApi;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.ServiceDiscovery;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.inbound.InboundGuard;
import io.meshsdk.core.inbound.InboundGuardConfig;
import io.meshsdk.core.internal.directory.FailsafeStore;
import io.meshsdk.core.internal.engine.MeshEngine;
import io.meshsdk.core.internal.engine.ServicePipeline;
import io.meshsdk.core.internal.jdk.MeshHttpClient;
import io.meshsdk.core.internal.okhttp.MeshCallFactory;
import io.meshsdk.core.internal.okhttp.MeshHostnameVerifier;
import io.meshsdk.core.internal.okhttp.MeshInterceptor;
import io.meshsdk.core.internal.okhttp.MeshTlsSocketFactory;
import io.meshsdk.core.metrics.MeshMetrics;
import io.meshsdk.core.migration.PlanStatus;
import io.meshsdk.core.observe.MeshObserver;
import io.meshsdk.core.registration.RegistrationStatus;
import io.meshsdk.core.registration.ServiceRegistration;
import io.meshsdk.core.registration.ServiceRegistry;
import io.meshsdk.core.resilience.ResilienceView;
import io.meshsdk.core.security.TlsConfig;
import io.meshsdk.core.security.WorkloadCertificates;
import io.meshsdk.core.security.policy.PolicyHolder;
import io.meshsdk.core.sidecar.HandoffStyle;
import io.meshsdk.core.sidecar.InboundMode;
import io.meshsdk.core.sidecar.InboundRegistration;
import io.meshsdk.core.sidecar.MigrationReport;
import io.meshsdk.core.sidecar.RouteMode;
import io.meshsdk.core.sidecar.RouteTransition;
import io.meshsdk.core.sidecar.SidecarBridge;
import io.meshsdk.core.sidecar.SidecarConfig;
import io.meshsdk.core.sidecar.SidecarProxySelector;
import io.meshsdk.core.sidecar.parity.PolicyParity;
import io.meshsdk.core.snapshot.MeshSnapshot;
import io.meshsdk.core.transport.TransportCall;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.Call;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-process service mesh: discovery, load balancing and call governance for HTTP calls to logical service
 * URLs such as {@code http://inventory/items/42}.
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
 * <p>Thread-safe; build one per process and share it. Closing it stops discovery, probes and timers; calls to mesh
 * services then fail with {@link io.meshsdk.core.client.MeshClosedException}.
 */
public final class Mesh implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Mesh.class);

  private final MeshEngine engine;
  private final MeshObserver observer;
  private final Interceptor interceptor;
  private final OkHttpClient base;
  private final ServiceDiscovery discovery;
  private final List<ServiceRegistry.Registration> registrations = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final List<InboundGuard> guards = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final Ticker ticker;
  private final @Nullable String localService;
  private final Duration drainDelay;
  private final Duration drainTimeout;
  private final java.util.concurrent.atomic.AtomicBoolean drained = new java.util.concurrent.atomic.AtomicBoolean();
  /** The first drain's result: later and concurrent drains (and close) wait for it. */
  private final java.util.concurrent.CompletableFuture<Boolean> drainResult =
      new java.util.concurrent.CompletableFuture<>();
  /** Set when the drain refuses new requests: a guard made from then on is born draining. */
  private volatile boolean refusing;
  private final @Nullable WorkloadCertificates certificates;
  private final boolean ownsCertificates;
  /** The client context for mtls endpoints (presents the workload certificate), or null without certificates. */
  private final @Nullable SSLContext meshTls;

  private Mesh(Builder b) {
    this.observer = MeshObserver.composite(b.observers);
    this.discovery = b.discovery;
    this.base = b.httpClient != null ? b.httpClient : new OkHttpClient();
    this.ticker = b.ticker;
    this.localService = b.localService;
    this.drainDelay = b.drainDelay;
    this.drainTimeout = b.drainTimeout;
    MeshEngine e = null;
    WorkloadCertificates owned = null;
    try {
      if (b.tlsConfig != null) {
        owned = WorkloadCertificates.start(b.tlsConfig);
      }
      this.certificates = owned != null ? owned : b.certificates;
      this.ownsCertificates = owned != null;
      FailsafeStore failsafe = b.failsafeDirectory == null ? null : new FailsafeStore(b.failsafeDirectory);
      e = new MeshEngine(b.discovery, observer, b.ticker, b.discoveryWait, b.sidecar, b.localService, base,
          failsafe);
      e.workloadCertificates(certificates);
      WorkloadCertificates certs = certificates;
      this.meshTls = certs == null ? null : certs.clientContext(e.identities()::mtlsExpectation);
      e.healthClient(withMeshVerifier(base, e, meshTls));
      e.policies(b.policies);
      this.engine = e;
      engine.start(b.config);
    } catch (RuntimeException | Error failure) { // leave no prober thread, watch, timer or poller behind
      try {
        if (e != null) {
          e.close();
        }
        if (owned != null) {
          owned.close();
        }
        b.discovery.close();
      } catch (RuntimeException | Error suppressed) {
        failure.addSuppressed(suppressed);
      }
      throw failure;
    }
    this.interceptor = new MeshInterceptor(engine);
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The OkHttp application interceptor that routes mesh calls; add it to your own client builder with
   * {@code addInterceptor}. Hosts that are not mesh services pass through untouched. Prefer
   * {@link #newOkHttpClient(OkHttpClient)}: it also verifies endpoint certificates against the service's identity
   * and installs the sidecar's proxy hand-off.
   */
  public Interceptor interceptor() {
    return interceptor;
  }

  /**
   * A mesh-aware {@link OkHttpClient} derived from the mesh's base client ({@link Builder#httpClient}, else
   * OkHttp's defaults). Every client this returns shares the base's connection pool and dispatcher.
   *
   * <p>OkHttp's {@code retryOnConnectionFailure} stays on: it replays a request only when a pooled keep-alive
   * connection turns out to be dead before anything was read, which the mesh could not tell from a failing
   * endpoint. Real endpoint failures surface to the mesh and go through its retry budget.
   */
  public OkHttpClient newOkHttpClient() {
    return newOkHttpClient(base);
  }

  /**
   * A mesh-aware client derived from {@code base} (sharing its connection pool and dispatcher): the mesh
   * interceptor first, endpoint certificates verified against the service's identity (then as {@code base}
   * verifies them), and, with an {@code http-proxy} sidecar, the sidecar as the proxy of sidecar-routed calls.
   */
  public OkHttpClient newOkHttpClient(OkHttpClient base) {
    requireNonNull(base, "base");
    OkHttpClient.Builder b = withMeshVerifier(base, engine, meshTls).newBuilder();
    b.interceptors().add(0, interceptor);
    SidecarConfig sidecar = engine.bridge().config();
    if (sidecar != null && sidecar.style() == HandoffStyle.HTTP_PROXY) { // follows a sidecar replaced later
      b.proxySelector(new SidecarProxySelector(() -> engine.bridge().config(), base.proxySelector(),
          engine::proxiesViaSidecar));
    }
    return b.build();
  }

  private static OkHttpClient withMeshVerifier(OkHttpClient client, MeshEngine engine,
      @Nullable SSLContext meshTls) {
    OkHttpClient.Builder b = client.newBuilder()
        .hostnameVerifier(new MeshHostnameVerifier(client.hostnameVerifier(), engine));
    if (meshTls != null) {
      SSLSocketFactory factory;
      X509TrustManager trust = client.x509TrustManager();
      try {
        factory = client.sslSocketFactory();
      } catch (IllegalStateException cleartextOnly) {
        throw new IllegalStateException("the mesh has workload certificates for mtls services, but the HTTP client"
            + " is cleartext-only (its connection specs allow no TLS)", cleartextOnly);
      }
      if (trust == null) {
        throw new IllegalStateException("the mesh has workload certificates for mtls services, but the HTTP client"
            + " was given an SSLSocketFactory without its X509TrustManager; use"
            + " OkHttpClient.Builder.sslSocketFactory(factory, trustManager)");
      }
      b.sslSocketFactory(new MeshTlsSocketFactory(factory, meshTls, engine.identities()), trust);
    }
    return b.build();
  }

  /**
   * This workload's certificates (from {@link Builder#tls(TlsConfig)} or {@link Builder#tls(WorkloadCertificates)}),
   * for a server's {@link WorkloadCertificates#serverContext()}; empty when none are configured.
   */
  public Optional<WorkloadCertificates> tls() {
    return Optional.ofNullable(certificates);
  }

  /**
   * A {@link Call.Factory} over {@code client} (a client from {@link #newOkHttpClient}) that carries what the
   * creating thread knows to the thread that runs the call: its deadline (an inbound request's, see
   * {@code Deadlines}) and the observers' context (the current trace span). Use it for {@code enqueue} and for
   * calls handed to other threads; {@code execute} on the creating thread needs no wrapper.
   */
  public Call.Factory callFactory(OkHttpClient client) {
    return new MeshCallFactory(requireNonNull(client, "client"), observer);
  }

  /**
   * A JDK {@link HttpClient} whose calls to mesh services go through this mesh, everything else through
   * {@code client} untouched. For an https mesh URL the JDK client verifies the endpoint's certificate against the
   * endpoint's host (it has no per-call verifier); the sidecar's host-header hand-off needs
   * {@code -Djdk.httpclient.allowRestrictedHeaders=host}.
   */
  public HttpClient newHttpClient(HttpClient client) {
    return new MeshHttpClient(requireNonNull(client, "client"), engine, observer);
  }

  /**
   * Runs one logical call of an HTTP client integration through the mesh: governed once, whatever the client.
   * When the call's host is not a mesh service it is sent untouched ({@link TransportCall#passThrough()}).
   *
   * @throws io.meshsdk.core.client.UnknownServiceException for an unknown name under the mesh domain
   * @throws IOException what the call failed with
   */
  @UnstableApi
  public <R> R execute(TransportCall<R> call) throws IOException {
    requireNonNull(call, "call");
    ServicePipeline p = engine.pipelineForHost(call.url().host());
    return p == null ? call.passThrough() : engine.execute(p, call);
  }

  /** Whether calls to {@code host} go through the mesh now (a routed service, or the mesh domain). */
  @UnstableApi
  public boolean isMeshHost(String host) {
    return engine.isMeshHost(requireNonNull(host, "host"));
  }

  /** The config in force. */
  public MeshConfig config() {
    return engine.config();
  }

  /**
   * Applies a new config at run time: changed services get new pipelines, swapped atomically; calls in flight
   * finish on the pipeline they started on. Nothing restarts.
   */
  public void reconfigure(MeshConfig config) {
    engine.apply(requireNonNull(config, "config"));
  }

  /** The current endpoint snapshot of every routed service, by name. */
  public Map<String, EndpointSet> endpoints() {
    return engine.endpoints();
  }

  /** The current endpoint snapshot of {@code service} (empty when the mesh does not route it). */
  public EndpointSet endpoints(String service) {
    return engine.endpoints(requireNonNull(service, "service"));
  }

  /**
   * Read-only view of {@code service}'s resilience policies at work (breaker state, rejections, retries,
   * ejections), for reports and health endpoints.
   *
   * @throws IllegalArgumentException if the mesh does not route {@code service}
   */
  public ResilienceView resilience(String service) {
    ResilienceView v = engine.resilience(requireNonNull(service, "service"));
    if (v == null) {
      throw new IllegalArgumentException("service: \"" + service + "\" (expected: a declared or discovered service)");
    }
    return v;
  }

  /**
   * What the mesh is doing and why, now: every service with its route, breaker, panic and discovery state, every
   * endpoint with whether it takes calls and, when not, the reason with since and until.
   */
  public MeshSnapshot snapshot() {
    return engine.snapshot();
  }

  /**
   * The current sidecar bridge: the sidecar's config and readiness, {@link SidecarBridge#probeNow()},
   * {@link SidecarBridge#awaitReady(Duration)}. After {@link #sidecar(SidecarConfig)} a new bridge replaces it:
   * ask again rather than keeping the reference.
   */
  public SidecarBridge sidecarBridge() {
    return engine.bridge();
  }

  /**
   * Replaces the sidecar at run time (its address, handoff style, readiness settings), or removes it with
   * {@code null}, without rebuilding the mesh: the new sidecar is probed once (and each service with a
   * {@code route.sidecar-health-path} through it), then every service's sidecar-bound calls go to it. Breakers,
   * ejections, balancers and statistics stay; calls in flight finish on the sidecar they started on. With the
   * {@code http-proxy} style, clients from {@link #newOkHttpClient} made while an {@code http-proxy} sidecar was
   * configured follow the replacement; clients made before (or without) one send sidecar-bound calls by Host
   * only once recreated.
   *
   * @throws IllegalStateException if the mesh is closed
   */
  public void sidecar(@Nullable SidecarConfig sidecar) {
    engine.sidecar(sidecar);
  }

  /**
   * Sets {@code service}'s route mode at run time: {@code direct}, {@code sidecar}, {@code split:N} (0-100) or
   * {@code shadow:N} (1-100: every call direct, a copy of N % of the safe, bodiless, plain-http calls also sent via
   * the sidecar and compared in the {@link #migrationReport()}).
   * Only that service's route changes: its balancer, breaker, ejected endpoints and statistics stay, calls in
   * flight finish on the path they started on, and the change is recorded in
   * {@link MigrationReport.Service#transitions()} (by {@code api}). It lasts until the next call of this method or a
   * config ({@link #reconfigure}) that changes the service's own {@code route.*} keys. If the service follows a
   * migration plan that is running (or holding), the plan pauses: a manual override always wins over the plan,
   * and {@link #resumePlan} hands control back to it.
   *
   * @return the mode in force before
   * @throws io.meshsdk.core.common.ConfigException naming {@code mesh.services.<service>.route.mode}, the value and
   *     what is allowed, when the mode is not one of those or the mesh does not route the service
   */
  public RouteMode route(String service, String mode) {
    requireNonNull(mode, "mode");
    String name = routeKeyService(service, mode);
    RouteMode parsed;
    try {
      parsed = RouteMode.parse(mode);
    } catch (io.meshsdk.core.common.ConfigException e) {
      throw new io.meshsdk.core.common.ConfigException("mesh.services." + name + ".route.mode", mode, e.expected());
    }
    return engine.route(name, parsed, RouteTransition.BY_API, "");
  }

  /**
   * Sets {@code service}'s route mode at run time; see {@link #route(String, String)}.
   *
   * @return the mode in force before
   */
  public RouteMode route(String service, RouteMode mode) {
    requireNonNull(mode, "mode");
    return engine.route(routeKeyService(service, mode.toString()), mode, RouteTransition.BY_API, "");
  }

  /**
   * The route mode in force for {@code service} (the config's, or the one set with {@link #route(String, String)}).
   *
   * @throws io.meshsdk.core.common.ConfigException when the mesh does not route {@code service}
   */
  public RouteMode route(String service) {
    return engine.route(routeKeyService(service, ""));
  }

  private static String routeKeyService(String service, String value) {
    requireNonNull(service, "service");
    try {
      return ServiceNames.canonical("service", service);
    } catch (io.meshsdk.core.common.ConfigException e) {
      throw new io.meshsdk.core.common.ConfigException("mesh.services." + service + ".route.mode", value,
          "a service name (" + e.expected() + ")");
    }
  }

  /**
   * {@code service}'s migration plan at work ({@code mesh.plans.<name>.*}, assigned by the plan's service list
   * or the service's {@code route.plan}): state, step, time in step, the last guard figures; empty when the service
   * follows no plan. The plan's moves are in {@link MigrationReport.Service#transitions()} (by
   * {@code plan:<name>}), with their figures in {@code RouteTransition.evidence()}.
   */
  public Optional<PlanStatus> plan(String service) {
    return Optional.ofNullable(engine.planStatus(requireNonNull(service, "service")));
  }

  /** Every migration plan at work, by service. */
  public List<PlanStatus> plans() {
    return engine.planStatuses();
  }

  /**
   * Pauses {@code service}'s plan: its route stays where it is and no guard moves it until {@link #resumePlan}. A
   * plan that is not running or holding is left as it is. Recorded in the service's transitions (by {@code api}).
   *
   * @return the plan after the pause
   * @throws IllegalArgumentException when the service follows no plan
   */
  public PlanStatus pausePlan(String service, String reason) {
    return engine.planAction(requireNonNull(service, "service"), MeshEngine.PlanAction.PAUSE,
        RouteTransition.BY_API, requireNonNull(reason, "reason"));
  }

  /**
   * Resumes {@code service}'s paused plan (a cool-down still running is kept), or starts a FAILED or ABORTED plan
   * over with its rollbacks reset, from the highest plan step not above the route in force (the route is aligned
   * to that step at the next evaluation); the step's dwell starts again. A running, holding or done plan is left
   * as it is. Recorded in the service's transitions (by {@code api}).
   *
   * @return the plan after the resume
   * @throws IllegalArgumentException when the service follows no plan
   */
  public PlanStatus resumePlan(String service) {
    return engine.planAction(requireNonNull(service, "service"), MeshEngine.PlanAction.RESUME,
        RouteTransition.BY_API, "");
  }

  /**
   * Stops {@code service}'s plan for good (ABORTED): the route stays where it is (set it with {@link #route} if it
   * should go back to direct); {@link #resumePlan} starts the plan over. Recorded in the service's transitions.
   *
   * @return the plan after the abort
   * @throws IllegalArgumentException when the service follows no plan
   */
  public PlanStatus abortPlan(String service, String reason) {
    return engine.planAction(requireNonNull(service, "service"), MeshEngine.PlanAction.ABORT,
        RouteTransition.BY_API, requireNonNull(reason, "reason"));
  }

  /**
   * Evaluates every running plan now, on the calling thread, whatever its {@code evaluation-interval}: for tests
   * that drive time with a fake {@link Builder#ticker} (the mesh evaluates plans on its control thread by itself).
   */
  @UnstableApi
  public void evaluatePlansNow() {
    engine.evaluatePlansNow();
  }

  /**
   * Where each migrating service's calls went over the last minute and how each path fared (calls, errors,
   * p50/p99, fallbacks), and for {@code shadow:N} services the comparison of each direct answer with its shadow
   * copy's ({@link MigrationReport.Shadow}); {@link MigrationReport#render()} prints it as a table.
   */
  public MigrationReport migrationReport() {
    return engine.migrationReport();
  }

  /**
   * What the SDK governs for {@code service} on the direct path and whether the sidecar path has an equivalent
   * (rate limit, breaker, bulkhead, retries, timeouts, ejection, balancing, mTLS, egress policy), with the
   * equivalent Istio, HAProxy and nginx configuration ({@link PolicyParity#istio()}, {@link PolicyParity#haproxy()},
   * {@link PolicyParity#nginx()}). For any service: one the mesh routes is described with its route in force and
   * its current endpoints; another with the config's entry (or the defaults) for it.
   *
   * @throws io.meshsdk.core.common.ConfigException when {@code service} is not a valid service name
   */
  public PolicyParity parity(String service) {
    return engine.parity(ServiceNames.canonical("service", requireNonNull(service, "service")));
  }

  /**
   * Registers this process in {@code registry} until the returned handle is closed (or the mesh drains or
   * closes): status changes (registered, lost, regained) go to the mesh's observers. The registration carries
   * {@link Endpoint#START_TIME_LABEL} (now, unless it already has one), so callers ramp this instance up from its
   * start and ramp it again after a restart at the same address.
   *
   * @throws IllegalStateException once the mesh drains (or closes): callers would be sent to an instance that
   *     refuses every request, and nothing would deregister it
   */
  public ServiceRegistry.Registration register(ServiceRegistry registry, ServiceRegistration registration) {
    return register(registry, registration, ServiceRegistry.RegistrationListener.NONE);
  }

  /**
   * Registers this process in {@code registry}, as {@link #register(ServiceRegistry, ServiceRegistration)} does,
   * and also tells {@code listener} of the registration's status changes (after the mesh's observers).
   *
   * @throws IllegalStateException once the mesh drains (or closes)
   */
  public ServiceRegistry.Registration register(ServiceRegistry registry, ServiceRegistration registration,
      ServiceRegistry.RegistrationListener listener) {
    requireNonNull(registry, "registry");
    requireNonNull(registration, "registration");
    requireNonNull(listener, "listener");
    if (drained.get()) {
      throw new IllegalStateException("the mesh is draining or closed: " + registration + " is not registered");
    }
    if (!registration.labels().containsKey(Endpoint.START_TIME_LABEL)) {
      registration = registration.withLabel(Endpoint.START_TIME_LABEL, Long.toString(System.currentTimeMillis()));
    }
    ServiceRegistry.Registration r = registry.register(registration, (reg, status, detail) -> {
      try {
        observer.onRegistrationChanged(reg, status, detail);
      } catch (RuntimeException e) {
        log.warn("MeshObserver.onRegistrationChanged threw", e);
      }
      try {
        listener.onStatus(reg, status, detail);
      } catch (RuntimeException e) {
        log.warn("a registration listener threw", e);
      }
    });
    registrations.removeIf(old -> old.status() == RegistrationStatus.DEREGISTERED); // flips leave closed ones
    registrations.add(r);
    if (drained.get() && registrations.remove(r)) { // a drain started meanwhile and may not have seen it
      r.close();
      throw new IllegalStateException("the mesh is draining or closed: " + registration + " is not registered");
    }
    return r;
  }

  /**
   * Registers this process in {@code registry} advertising the listener {@code mode} names, flippable at run time
   * between the application's port and the sidecar's inbound port ({@link Builder#sidecar},
   * {@code sidecar.inbound-port}); see {@link InboundRegistration} and {@link #inboundRegistration} for the
   * settings (overlap, acknowledgement timeout, probe).
   *
   * @throws io.meshsdk.core.common.ConfigException naming {@code sidecar.inbound-port} for {@link InboundMode#SIDECAR}
   *     without an inbound port
   * @throws IllegalStateException once the mesh drains (or closes)
   */
  public InboundRegistration registerInbound(ServiceRegistry registry, ServiceRegistration application,
      InboundMode mode) {
    return inboundRegistration(registry, application).mode(requireNonNull(mode, "mode")).register();
  }

  /**
   * A builder of an {@link InboundRegistration} of {@code application} in {@code registry}, set up for this mesh:
   * each entry is registered through {@link #register(ServiceRegistry, ServiceRegistration,
   * ServiceRegistry.RegistrationListener)} (observers hear of it, {@link #drain()} withdraws it), the sidecar's
   * inbound port is the mesh's current sidecar's, and every entry carries one {@link Endpoint#START_TIME_LABEL}
   * (now, unless {@code application} has one), so callers do not ramp the instance up again after a flip.
   */
  public InboundRegistration.Builder inboundRegistration(ServiceRegistry registry, ServiceRegistration application) {
    requireNonNull(registry, "registry");
    requireNonNull(application, "application");
    ServiceRegistration app = application.labels().containsKey(Endpoint.START_TIME_LABEL) ? application
        : application.withLabel(Endpoint.START_TIME_LABEL, Long.toString(System.currentTimeMillis()));
    return InboundRegistration.builder(app)
        .registrar(registry.name(), (r, listener) -> register(registry, r, listener))
        .sidecar(() -> engine.bridge().config());
  }

  /**
   * An {@link InboundGuard} for this process's server side, on the mesh's ticker, that {@link #drain()} drains.
   * With a {@link Builder#localService local service}, it applies that service's section of the access policy
   * ({@link Builder#policies}). Adapt it to the web framework as its Javadoc shows (the Spring starter does).
   */
  public InboundGuard inboundGuard(InboundGuardConfig config) {
    requireNonNull(config, "config");
    InboundGuard guard = localService == null ? InboundGuard.create(config, ticker)
        : InboundGuard.create(config, ticker, engine.policies(), localService);
    guards.add(guard);
    if (refusing) { // the drain refuses new requests already: this guard too
      guard.drain();
    }
    return guard;
  }

  /**
   * Graceful drain, for shutdown, with the delays given to the builder ({@link Builder#drainDelay},
   * {@link Builder#drainTimeout}). See {@link #drain(Duration, Duration)}.
   *
   * @return whether every admitted request finished in time
   */
  public boolean drain() {
    return drain(drainDelay, drainTimeout);
  }

  /**
   * Graceful drain: (1) deregisters everything {@link #register} registered, (2) waits {@code delay} while still
   * serving, so that callers' discovery can see the instance leave, (3) drains every {@link #inboundGuard}: new
   * requests are answered 503 {@value MeshHeaders#DRAINING} without running (mesh callers send them elsewhere,
   * whatever the method), (4) waits up to {@code timeout} for admitted requests to finish. Then stop the web
   * server. Runs once; a call while it runs (such as {@link #close()} from another thread) waits for it, and every
   * later call returns its result.
   *
   * @return whether every admitted request finished within {@code timeout}
   */
  public boolean drain(Duration delay, Duration timeout) {
    requireNonNull(delay, "delay");
    requireNonNull(timeout, "timeout");
    if (!drained.compareAndSet(false, true)) {
      return awaitDrain();
    }
    boolean idle = false;
    try {
      idle = runDrain(delay, timeout);
      return idle;
    } finally {
      drainResult.complete(idle);
    }
  }

  private boolean awaitDrain() {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return drainResult.get();
        } catch (InterruptedException e) {
          interrupted = true; // the drain in progress bounds the wait (its delay and timeout)
        } catch (java.util.concurrent.ExecutionException e) {
          return false;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private boolean runDrain(Duration delay, Duration timeout) {
    boolean registered = false;
    for (ServiceRegistry.Registration r : registrations) {
      try {
        if (r.status() != RegistrationStatus.DEREGISTERED) {
          registered = true;
          r.close();
        }
      } catch (RuntimeException e) {
        log.warn("deregistering {} failed", r.registration(), e);
      }
    }
    if (registered && !delay.isZero() && !delay.isNegative()) {
      log.info("drain: deregistered; serving for {} ms more while callers see it", delay.toMillis());
      try {
        // the drain's contract: keep serving while registries propagate
        Thread.sleep(delay.compareTo(Duration.ofMillis(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : delay.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    refusing = true;
    if (guards.isEmpty()) {
      return true;
    }
    for (InboundGuard g : guards) {
      g.drain();
    }
    long timeoutNanos = timeout.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : timeout.toNanos();
    long start = System.nanoTime();
    boolean idle = true;
    for (InboundGuard g : guards) {
      idle &= g.awaitIdle(Duration.ofNanos(Math.max(0, timeoutNanos - (System.nanoTime() - start))));
    }
    long left = guards.stream().mapToLong(InboundGuard::inFlight).sum();
    if (idle) {
      log.info("drain: done, no request in progress");
    } else {
      log.warn("drain: {} request(s) still in progress after {} ms", left, timeout.toMillis());
    }
    return idle;
  }

  /** {@link #drain() Drains} (deregisters, waits, lets requests finish), then stops everything the mesh started. */
  @Override
  public void close() {
    boolean finished = drain();
    if (!finished) {
      log.warn("closing with requests still in progress");
    }
    engine.close();
    discovery.close();
    base.connectionPool().evictAll();
    WorkloadCertificates certs = certificates;
    if (ownsCertificates && certs != null) {
      certs.close();
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
    private @Nullable OkHttpClient httpClient;
    private @Nullable Path failsafeDirectory;
    private PolicyHolder policies = PolicyHolder.create();
    private Duration drainDelay = DEFAULT_DRAIN_DELAY;
    private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
    private @Nullable WorkloadCertificates certificates;
    private @Nullable TlsConfig tlsConfig;

    /** How long {@link Mesh#drain()} keeps serving after deregistering, by default: 3 s. */
    public static final Duration DEFAULT_DRAIN_DELAY = Duration.ofSeconds(3);
    /** How long {@link Mesh#drain()} waits for requests in progress, by default: 30 s. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

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

    /** Records metrics with {@code metrics} (an observer). */
    public Builder metrics(MeshMetrics metrics) {
      if (this.metrics != null) {
        throw new IllegalStateException("metrics already set");
      }
      this.metrics = requireNonNull(metrics, "metrics");
      return observer(metrics);
    }

    /**
     * The application's HTTP client settings (default: OkHttp's defaults). {@link Mesh#newOkHttpClient()} derives
     * from it, and the mesh's own requests (active health checks) use its TLS trust, proxy, interceptors and
     * connection pool, so that an endpoint behind a private CA is checked as the application calls it.
     */
    public Builder httpClient(OkHttpClient client) {
      this.httpClient = requireNonNull(client, "client");
      return this;
    }

    /**
     * This workload's certificates, for services with {@code tls.mode=mtls} (see
     * {@link io.meshsdk.core.security.ServiceTlsConfig}): their direct calls go over mutual TLS. The caller owns
     * {@code certificates} (the mesh does not close them). Replaces an earlier {@link #tls(TlsConfig)}.
     */
    public Builder tls(WorkloadCertificates certificates) {
      this.certificates = requireNonNull(certificates, "certificates");
      this.tlsConfig = null;
      return this;
    }

    /**
     * Loads this workload's certificates from {@code config}'s files when the mesh is built (failing the build with
     * a {@link io.meshsdk.core.security.CertificateFileException} naming a bad file) and keeps them current; the
     * mesh closes them. Replaces an earlier {@link #tls(WorkloadCertificates)}.
     */
    public Builder tls(TlsConfig config) {
      this.tlsConfig = requireNonNull(config, "config");
      this.certificates = null;
      return this;
    }

    /** How long a first call to an undeclared mesh-domain service waits for discovery (default 2 s). */
    public Builder discoveryWait(Duration wait) {
      requireNonNull(wait, "wait");
      if (wait.isNegative()) {
        throw new IllegalArgumentException("discoveryWait: " + wait + " (expected: >= 0)");
      }
      Duration most = Duration.ofNanos(Long.MAX_VALUE); // longer (ChronoUnit.FOREVER) means the same: forever
      this.discoveryWait = wait.compareTo(most) > 0 ? most : wait;
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
     * The access policies (default: none, everything allowed): the egress section is checked on every mesh call
     * (a denied call fails with {@link io.meshsdk.core.client.EgressDeniedException} before anything is sent),
     * and the {@linkplain #localService local service}'s section by the {@linkplain Mesh#inboundGuard inbound
     * guards}. The holder is read per call, so a reload ({@code PolicyFile}) applies to the next call. The caller
     * owns the holder (and the file watcher feeding it).
     */
    public Builder policies(PolicyHolder holder) {
      this.policies = requireNonNull(holder, "holder");
      return this;
    }

    /**
     * The name of the service this process runs (default none). When set, every mesh call, direct or via the
     * sidecar, carries header {@code x-mesh-caller: <name>}; when not set, the mesh removes an
     * {@code x-mesh-caller} the application put on a request (the header is the mesh's to set). It also names the
     * section of the access policy the inbound guards apply.
     *
     * @param name a service name (see {@link ServiceNames}: upper case is folded)
     * @throws io.meshsdk.core.common.ConfigException if {@code name} is not a valid service name
     */
    public Builder localService(String name) {
      this.localService = ServiceNames.canonical("local-service", requireNonNull(name, "name"));
      return this;
    }

    /**
     * Keeps each service's last-known-good endpoints in {@code directory} (created if missing; one file per
     * service, replaced atomically), so that a mesh that starts while discovery is down or silent serves them and
     * the snapshot reports their age (default: none). A damaged file is ignored with a WARN.
     *
     * @throws IllegalArgumentException at {@link #build()} naming the directory when it cannot be created or written
     */
    public Builder failsafeDirectory(@Nullable Path directory) {
      this.failsafeDirectory = directory;
      return this;
    }

    /**
     * How long {@link Mesh#drain()} keeps serving after deregistering, so that callers' discovery sees the instance
     * leave before it stops taking requests (default {@link #DEFAULT_DRAIN_DELAY}). Set it to the longest time a
     * caller's registry watch takes to propagate.
     */
    public Builder drainDelay(Duration delay) {
      this.drainDelay = nonNegative("drainDelay", delay);
      return this;
    }

    /** How long {@link Mesh#drain()} waits for requests in progress (default {@link #DEFAULT_DRAIN_TIMEOUT}). */
    public Builder drainTimeout(Duration timeout) {
      this.drainTimeout = nonNegative("drainTimeout", timeout);
      return this;
    }

    private static Duration nonNegative(String what, Duration d) {
      requireNonNull(d, what);
      if (d.isNegative()) {
        throw new IllegalArgumentException(what + ": " + d + " (expected: >= 0)");
      }
      return d;
    }

    /** Builds the mesh and starts watching every declared and discovered service. */
    public Mesh build() {
      return new Mesh(this);
    }
  }
}
