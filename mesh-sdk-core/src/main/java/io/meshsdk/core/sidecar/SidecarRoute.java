package io.meshsdk.core.sidecar;

import io.meshsdk.core.Ticker;
import io.meshsdk.core.client.NoEndpointAvailableException;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.internal.ObserverCalls;
import io.meshsdk.core.endpoint.EndpointState;
import io.meshsdk.core.internal.AttemptHeaders;
import io.meshsdk.core.metrics.MeshServerMetrics;
import io.meshsdk.core.loadbalancer.PickContext;
import io.meshsdk.core.observe.AttemptInfo;
import io.meshsdk.core.observe.AttemptResult;
import io.meshsdk.core.observe.CallObserver;
import io.meshsdk.core.observe.CallResult;
import io.meshsdk.core.observe.MeshEvent;
import io.meshsdk.core.observe.MeshObserver;
import io.meshsdk.core.observe.Outcome;
import io.meshsdk.core.observe.Route;
import io.meshsdk.core.resilience.DeadlineExceededException;
import io.meshsdk.core.resilience.Deadlines;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * The compiled route of one service for one config: decides per call between the direct path and the sidecar
 * and runs the sidecar path. Built once per config change by {@link SidecarBridge#compile}; immutable.
 *
 * <p>Via the sidecar the mesh does no balancing, no retries and no per-endpoint ejection (the sidecar owns
 * them). It keeps the caller's headers (trace context), lets observers add theirs, sets the marker header and
 * reports the call with {@link Route#SIDECAR}. One exception to "no retries": when the sidecar itself fails
 * (connection refused, or for an idempotent request a connection closed without a response) the call is made
 * once direct, because the sidecar never reached a backend (refused) or crashed (closed).
 */
public final class SidecarRoute {

  private static final String NOT_READY = "sidecar not ready";
  private static final String CALLER_HEADER = MeshServerMetrics.CALLER_HEADER;

  private final SidecarBridge bridge;
  private final String service;
  private final RouteConfig route;
  private final int percent;
  private final String keyHeader;
  private final MigrationStats stats;
  private final DirectPath direct;
  private final MeshObserver observer;
  private final Ticker ticker;
  private final @Nullable SidecarConfig sidecar;
  private final String authority;
  private final String markerHeader;
  private final @Nullable String caller;
  /**
   * Where sidecar-bound calls are sent, as an endpoint so that its pre-parsed base and rewrite cache serve
   * here too: the sidecar's listener (host-header style) or {@code http://<service><suffix>/} (http-proxy
   * style, absolute-form through the proxy).
   */
  private final @Nullable EndpointState sidecarTarget;

  SidecarRoute(SidecarBridge bridge, String service, RouteConfig route, MigrationStats stats, DirectPath direct) {
    this.bridge = bridge;
    this.service = service;
    this.route = route;
    this.percent = route.mode().sidecarPercent();
    this.keyHeader = route.keyHeader();
    this.stats = stats;
    this.direct = direct;
    this.observer = bridge.observer();
    this.ticker = bridge.ticker();
    this.sidecar = bridge.config();
    this.authority = service + (sidecar == null ? "" : sidecar.hostSuffix());
    this.markerHeader = sidecar == null ? SidecarConfig.DEFAULT_MARKER_HEADER : sidecar.markerHeader();
    this.caller = direct.caller();
    SidecarConfig sc = sidecar;
    this.sidecarTarget = sc == null ? null : new EndpointState(sc.style() == HandoffStyle.HOST_HEADER
        ? Endpoint.of(service, sc.host(), sc.port())
        : Endpoint.of(service, authority, 80), bridge.ticker().read());
  }

  /** The service. */
  public String service() {
    return service;
  }

  /** The route config this was compiled from. */
  public RouteConfig route() {
    return route;
  }

  /** Whether this call is meant for the sidecar (before readiness is considered). */
  boolean wantsSidecar(Request request) {
    if (percent == 0) {
      return false;
    }
    if (percent == 100) {
      return true;
    }
    String key = keyHeader.isEmpty() ? null : request.header(keyHeader);
    String traceparent = request.header("traceparent");
    String ambient = (key == null || key.isEmpty()) && traceparent == null ? direct.currentTraceId() : null;
    return RouteKey.bucket(key, traceparent, ambient) < percent;
  }

  /** Runs one call: via the sidecar when this call is meant for it and the sidecar is ready, else direct. */
  public Response execute(Interceptor.Chain chain) throws IOException {
    Request request = chain.request();
    if (!wantsSidecar(request)) {
      return timedDirect(chain, null);
    }
    if (sidecar == null || !bridge.isReady()) {
      stats.fallback();
      bridge.countFallback();
      return timedDirect(chain, NOT_READY);
    }
    return viaSidecar(chain, request, sidecar);
  }

  private Response timedDirect(Interceptor.Chain chain, @Nullable String fallbackReason) throws IOException {
    long t0 = ticker.read();
    try {
      Response r = fallbackReason == null ? direct.execute(chain) : direct.executeFallback(chain, fallbackReason);
      long t1 = ticker.read();
      stats.record(MigrationStats.DIRECT, t1 - t0, r.code() >= 500, t1);
      return r;
    } catch (IOException | RuntimeException e) {
      long t1 = ticker.read();
      stats.record(MigrationStats.DIRECT, t1 - t0, true, t1);
      throw e;
    }
  }

  private Response viaSidecar(Interceptor.Chain chain, Request request, SidecarConfig sc) throws IOException {
    long start = ticker.read();
    CallObserver obs = startObserving(request);
    long deadline = direct.deadline(start, request.header(Deadlines.HEADER));
    Response response = null;
    Throwable failure = null;
    Outcome outcome = Outcome.REJECTED;
    Route took = Route.SIDECAR;
    int attempts = 0;
    try {
      long remaining = deadline == Deadlines.NONE ? Long.MAX_VALUE : deadline - start;
      if (remaining <= 0) {
        stats.record(MigrationStats.SIDECAR, 0, true, start);
        throw deadlineExceeded(obs, "no time left before the sidecar call (over by " + -remaining / 1_000_000L
            + " ms)");
      }
      HttpUrl url;
      Request.Builder builder;
      url = java.util.Objects.requireNonNull(sidecarTarget, "sidecarTarget").urlFor(request.url());
      builder = request.newBuilder().url(url);
      if (sc.style() == HandoffStyle.HOST_HEADER) {
        builder.header("Host", authority);
      }
      builder.header(markerHeader, "sidecar");
      if (caller != null) {
        builder.header(CALLER_HEADER, caller);
      }
      String deadlineValue = remaining == Long.MAX_VALUE ? null : Long.toString(remaining / 1_000_000L);
      if (deadlineValue != null) {
        builder.header(Deadlines.HEADER, deadlineValue);
      }
      AttemptInfo info = null;
      if (obs != CallObserver.NOOP) {
        info = new AttemptInfo(0, null, url);
        AttemptHeaders headers = new AttemptHeaders(builder, request).record(markerHeader, "sidecar");
        if (sc.style() == HandoffStyle.HOST_HEADER) {
          headers.record("Host", authority);
        }
        if (caller != null) {
          headers.record(CALLER_HEADER, caller);
        }
        if (deadlineValue != null) {
          headers.record(Deadlines.HEADER, deadlineValue);
        }
        ObserverCalls.attemptStart(obs, info, headers);
      }
      long t0 = start; // one clock read per attempt: the rewrite above costs nanoseconds
      attempts = 1;
      try {
        response = bounded(chain, remaining).proceed(builder.build());
      } catch (IOException e) {
        long t1 = ticker.read();
        outcome = Outcome.ofFailure(e, chain.call().isCanceled());
        if (info != null) {
          ObserverCalls.attemptEnd(obs, info, new AttemptResult(outcome, -1, e, t1 - t0));
        }
        boolean refused = outcome == Outcome.CONNECT_ERROR;
        boolean crashed = outcome == Outcome.IO_ERROR && io.meshsdk.core.resilience.internal.ServicePolicies.isIdempotent(request.method());
        if (!refused && !crashed) {
          stats.record(MigrationStats.SIDECAR, t1 - start, true, t1);
          throw e;
        }
        if (refused) {
          bridge.markNotReady("calls to " + sc.host() + ":" + sc.port() + " are refused (" + e + ")");
        } else {
          bridge.probeSoon();
        }
        took = Route.DIRECT;
        stats.fallback();
        bridge.countFallback();
        if (obs != CallObserver.NOOP) {
          ObserverCalls.event(obs, MeshEvent.SIDECAR_FALLBACK, refused ? "sidecar refused the connection" : "sidecar closed the connection");
        }
        EndpointState endpoint = direct.pick(new FallbackPickContext(request, t1));
        if (endpoint == null) {
          throw new NoEndpointAvailableException(service, "the sidecar failed and no direct endpoint is available");
        }
        long left = deadline == Deadlines.NONE ? Long.MAX_VALUE : deadline - t1;
        if (left <= 0) {
          throw deadlineExceeded(obs, "no time left for the direct attempt after the sidecar failed (over by "
              + -left / 1_000_000L + " ms)");
        }
        attempts = 2;
        response = fallbackAttempt(chain, request, obs, endpoint, left, t1);
        outcome = Outcome.ofStatus(response.code());
        stats.record(MigrationStats.DIRECT, ticker.read() - start, response.code() >= 500);
        return response;
      }
      long t1 = ticker.read();
      int code = response.code();
      outcome = Outcome.ofStatus(code);
      if (info != null) {
        ObserverCalls.attemptEnd(obs, info, new AttemptResult(outcome, code, null, t1 - t0));
      }
      stats.record(MigrationStats.SIDECAR, t1 - start, code >= 500, t1);
      if (obs != CallObserver.NOOP) {
        ObserverCalls.callEnd(obs, new CallResult(outcome, code, null, t1 - start, 1, Route.SIDECAR));
        obs = CallObserver.NOOP; // reported: the finally block has nothing left to do
      }
      return response;
    } catch (IOException | RuntimeException e) {
      failure = e;
      if (took == Route.DIRECT) {
        boolean refusedBeforeDirectAttempt = attempts < 2
            && (e instanceof NoEndpointAvailableException || e instanceof DeadlineExceededException);
        outcome = refusedBeforeDirectAttempt ? Outcome.REJECTED : Outcome.ofFailure(e, chain.call().isCanceled());
        stats.record(MigrationStats.DIRECT, ticker.read() - start, true);
      }
      throw e;
    } finally {
      if (obs != CallObserver.NOOP) {
        int status = response == null ? -1 : response.code();
        ObserverCalls.callEnd(obs, new CallResult(outcome, status, failure, ticker.read() - start, attempts, took));
      }
    }
  }

  /** Counts and reports a call out of time; the exception to throw. */
  private DeadlineExceededException deadlineExceeded(CallObserver obs, String detail) {
    direct.countDeadlineExceeded();
    if (obs != CallObserver.NOOP) {
      ObserverCalls.event(obs, MeshEvent.DEADLINE_EXCEEDED, detail);
    }
    return new DeadlineExceededException(service, detail);
  }

  /** {@code chain} with its timeouts bounded by {@code remainingNanos} (unchanged when there is no deadline). */
  private static Interceptor.Chain bounded(Interceptor.Chain chain, long remainingNanos) {
    if (remainingNanos == Long.MAX_VALUE) {
      return chain;
    }
    int ms = (int) Math.max(1L, Math.min(Integer.MAX_VALUE, remainingNanos / 1_000_000L));
    return chain.withConnectTimeout(ms, TimeUnit.MILLISECONDS)
        .withReadTimeout(ms, TimeUnit.MILLISECONDS)
        .withWriteTimeout(ms, TimeUnit.MILLISECONDS);
  }

  /**
   * The one direct attempt after the sidecar failed, to {@code endpoint}: rewrite, proceed within
   * {@code remainingNanos}, record the endpoint's stats.
   */
  private Response fallbackAttempt(Interceptor.Chain chain, Request request, CallObserver obs,
      EndpointState endpoint, long remainingNanos, long now) throws IOException {
    HttpUrl url = endpoint.urlFor(request.url());
    Request.Builder builder = request.newBuilder().url(url);
    if (caller != null) {
      builder.header(CALLER_HEADER, caller);
    }
    String deadlineValue = remainingNanos == Long.MAX_VALUE ? null : Long.toString(remainingNanos / 1_000_000L);
    if (deadlineValue != null) {
      builder.header(Deadlines.HEADER, deadlineValue);
    }
    AttemptInfo info = null;
    if (obs != CallObserver.NOOP) {
      info = new AttemptInfo(1, endpoint, url);
      AttemptHeaders headers = new AttemptHeaders(builder, request);
      if (caller != null) {
        headers.record(CALLER_HEADER, caller);
      }
      if (deadlineValue != null) {
        headers.record(Deadlines.HEADER, deadlineValue);
      }
      ObserverCalls.attemptStart(obs, info, headers);
    }
    endpoint.attemptStarted();
    long t0 = now;
    try {
      Response r = bounded(chain, remainingNanos).proceed(builder.build());
      long t1 = ticker.read();
      Outcome o = Outcome.ofStatus(r.code());
      endpoint.attemptEnded(t1 - t0, t1, o.isEndpointFailure());
      if (info != null) {
        ObserverCalls.attemptEnd(obs, info, new AttemptResult(o, r.code(), null, t1 - t0));
      }
      return r;
    } catch (IOException | RuntimeException e) {
      long t1 = ticker.read();
      Outcome o = Outcome.ofFailure(e, chain.call().isCanceled());
      endpoint.attemptEnded(t1 - t0, t1, o.isEndpointFailure());
      if (info != null) {
        ObserverCalls.attemptEnd(obs, info, new AttemptResult(o, -1, e, t1 - t0));
      }
      throw e;
    }
  }


  private CallObserver startObserving(Request request) {
    return ObserverCalls.start(observer, service, request, Route.SIDECAR, "sidecar");
  }

  @Override
  public String toString() {
    return "SidecarRoute{" + service + " " + route + "}";
  }

  /** The pick context of the fallback attempt: the second attempt of the call, nothing tried directly yet. */
  private static final class FallbackPickContext implements PickContext {
    private final Request request;
    private final long now;

    FallbackPickContext(Request request, long now) {
      this.request = request;
      this.now = now;
    }

    @Override
    public long nowNanos() {
      return now;
    }

    @Override
    public @Nullable String header(String name) {
      return request.header(name);
    }

    @Override
    public int attempt() {
      return 1;
    }

    @Override
    public boolean alreadyTried(EndpointState endpoint) {
      return false;
    }
  }
}
