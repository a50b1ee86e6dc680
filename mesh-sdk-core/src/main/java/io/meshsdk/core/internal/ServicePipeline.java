package io.meshsdk.core.internal;

import io.meshsdk.core.Ticker;
import io.meshsdk.core.client.NoEndpointAvailableException;
import io.meshsdk.core.config.ServiceConfig;
import io.meshsdk.core.discovery.ServiceDirectory;
import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.endpoint.EndpointState;
import io.meshsdk.core.loadbalancer.LoadBalancer;
import io.meshsdk.core.loadbalancer.LoadBalancers;
import io.meshsdk.core.loadbalancer.PickContext;
import io.meshsdk.core.loadbalancer.Picker;
import io.meshsdk.core.observe.CallObserver;
import io.meshsdk.core.observe.MeshObserver;
import io.meshsdk.core.observe.Outcome;
import io.meshsdk.core.observe.Route;
import io.meshsdk.core.resilience.ResilienceView;
import io.meshsdk.core.resilience.internal.ServicePolicies;
import io.meshsdk.core.sidecar.DirectPath;
import io.meshsdk.core.sidecar.SidecarBridge;
import io.meshsdk.core.sidecar.SidecarRoute;
import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The compiled call path of one service: built once per config change, then shared by every call. Holds the
 * balancer, the current {@link Picker} (rebuilt when endpoints or their health change) and runs the attempt
 * loop: pick → rewrite → proceed → classify → record.
 */
public final class ServicePipeline implements Consumer<EndpointSet> {

  private static final Logger log = LoggerFactory.getLogger(ServicePipeline.class);

  private final String service;
  private final ServiceConfig config;
  private final ServiceDirectory.Entry entry;
  private final LoadBalancer loadBalancer;
  private final MeshObserver observer;
  private final Ticker ticker;
  private volatile Picker picker = Picker.EMPTY;
  private volatile boolean closed;
  private volatile boolean policiesHandedOver;
  private final ServicePolicies policies; // resilience: admission, retries, outlier ejection
  private final DirectCallPath direct;
  private final @Nullable String caller; // x-mesh-caller value or null (Mesh.Builder.localService)

  ServicePipeline(
      String service,
      ServiceConfig config,
      ServiceDirectory.Entry entry,
      MeshObserver observer,
      Ticker ticker,
      @Nullable String caller,
      @Nullable ServicePipeline previous) {
    this.service = service;
    this.config = config;
    this.entry = entry;
    this.observer = observer;
    this.ticker = ticker;
    this.loadBalancer = LoadBalancers.create(config.loadBalancer(), ticker);
    if (previous != null && previous.config.resilience().equals(config.resilience())) {
      // only the balancer or the route changed: keep the breaker's state, the retry budget, the ejections and
      // the counters instead of starting them again (an open breaker must not close because of a route switch)
      this.policies = previous.policies;
      previous.policiesHandedOver = true;
      this.policies.rebind(this::refreshPicker);
    } else {
      this.policies = new ServicePolicies(service, config.resilience(), entry::snapshot, this::refreshPicker,
          observer, ticker);
    }
    this.direct = new DirectCallPath(this, policies, ticker, caller);
    this.caller = caller;
  }

  /** Subscribes to endpoint changes; builds the first picker. */
  void start() {
    entry.addListener(this);
    policies.start();
  }

  /** Stops following endpoint changes; calls already running finish. */
  void close() {
    closed = true;
    entry.removeListener(this);
    if (!policiesHandedOver) {
      policies.close();
    }
  }

  /** The service name. */
  public String service() {
    return service;
  }

  /** The config this pipeline was compiled from. */
  public ServiceConfig config() {
    return config;
  }

  /** The current endpoint snapshot. */
  public EndpointSet endpoints() {
    return entry.snapshot();
  }

  /** Read-only view of the service's breaker, limiter, bulkhead, retries and ejections. */
  public ResilienceView resilience() {
    return policies;
  }

  /** The service's resilience4j circuit breaker, or {@code null} when the breaker is off. */
  public io.github.resilience4j.circuitbreaker.@Nullable CircuitBreaker circuitBreaker() {
    return policies.circuitBreaker();
  }

  Picker picker() {
    return picker;
  }

  /** The balancer's policy name. */
  public String loadBalancerName() {
    return loadBalancer.name();
  }

  @Override
  public void accept(EndpointSet endpoints) {
    rebuildPicker(endpoints);
  }

  /** Rebuilds the picker from the current snapshot (after an endpoint's health changed). */
  public void refreshPicker() {
    rebuildPicker(entry.snapshot());
  }

  private synchronized void rebuildPicker(EndpointSet endpoints) {
    if (closed) {
      return;
    }
    List<EndpointState> eligible = policies.eligible(endpoints); // non-ejected, or all in panic mode
    picker = loadBalancer.newPicker(endpoints, eligible);
  }

  // ---- sidecar bridge (issue 5): one early route decision; the direct path below is untouched ----------------
  private @Nullable SidecarRoute sidecarRoute;

  /** Compiles this service's route with {@code bridge}; called once by the engine before the pipeline is used. */
  void bindSidecar(SidecarBridge bridge) {
    this.sidecarRoute = bridge.compile(service, config.route(), new DirectPath() {
      @Override
      public Response execute(Interceptor.Chain chain) throws IOException {
        return executeDirect(chain);
      }

      @Override
      public Response executeFallback(Interceptor.Chain chain, String reason) throws IOException {
        return direct.call(chain, reason);
      }

      @Override
      public @Nullable EndpointState pick(PickContext context) {
        return picker.pick(context);
      }

      @Override
      public long deadline(long nowNanos, @Nullable String headerValue) {
        return policies.deadline(nowNanos, headerValue);
      }

      @Override
      public void countDeadlineExceeded() {
        policies.countDeadlineExceeded();
      }

      @Override
      public @Nullable String caller() {
        return caller;
      }

      @Override
      public @Nullable String currentTraceId() {
        try {
          return observer.currentTraceId();
        } catch (RuntimeException e) {
          log.warn("MeshObserver.currentTraceId threw", e);
          return null;
        }
      }
    });
  }

  /** Runs one logical call: via the sidecar bridge when the service's route sends it there, else direct. */
  public Response execute(Interceptor.Chain chain) throws IOException {
    SidecarRoute route = sidecarRoute;
    return route == null ? executeDirect(chain) : route.execute(chain);
  }
  // ---- end sidecar bridge -------------------------------------------------------------------------------------

  /** Runs one logical call on the direct (in-process) path. */
  Response executeDirect(Interceptor.Chain chain) throws IOException {
    return direct.call(chain); // resilience: admission + attempt loop (DirectCallPath)
  }

  NoEndpointAvailableException noEndpoint() {
    EndpointSet set = entry.snapshot();
    Throwable error = entry.lastError();
    String detail = set.isEmpty()
        ? "discovery '" + entry.discoveryName() + "' reports no endpoints"
            + (error == null ? "" : " (last error: " + error + ")")
        : "all " + set.size() + " endpoint(s) are excluded";
    return new NoEndpointAvailableException(service, detail);
  }

  /** Rewrites the logical URL to the endpoint (see {@link EndpointState#urlFor}, cached per endpoint). */
  static HttpUrl rewrite(HttpUrl logical, EndpointState endpoint) {
    return endpoint.urlFor(logical);
  }

  static Outcome classify(int status) {
    return Outcome.ofStatus(status);
  }

  static Outcome classify(Throwable e, Interceptor.Chain chain) {
    return Outcome.ofFailure(e, chain.call().isCanceled());
  }

  CallObserver startObserving(Request request) {
    return ObserverCalls.start(observer, service, request, Route.DIRECT, loadBalancer.name());
  }

}
