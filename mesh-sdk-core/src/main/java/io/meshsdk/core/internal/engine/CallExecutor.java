package io.meshsdk.core.internal.engine;

import io.meshsdk.core.client.EgressDeniedException;
import io.meshsdk.core.common.MeshException;
import io.meshsdk.core.common.MeshHeaders;
import io.meshsdk.core.common.MeshRejectedException;
import io.meshsdk.core.common.Ticker;
import io.meshsdk.core.endpoint.EndpointState;
import io.meshsdk.core.internal.directory.TrackedEndpoint;
import io.meshsdk.core.internal.resilience.ServicePolicies;
import io.meshsdk.core.loadbalancer.Picker;
import io.meshsdk.core.observe.AttemptInfo;
import io.meshsdk.core.observe.AttemptResult;
import io.meshsdk.core.observe.CallObserver;
import io.meshsdk.core.observe.CallResult;
import io.meshsdk.core.observe.MeshEvent;
import io.meshsdk.core.observe.MeshObserver;
import io.meshsdk.core.observe.Outcome;
import io.meshsdk.core.observe.Route;
import io.meshsdk.core.resilience.BulkheadFullException;
import io.meshsdk.core.resilience.CircuitOpenException;
import io.meshsdk.core.resilience.DeadlineExceededException;
import io.meshsdk.core.resilience.Deadlines;
import io.meshsdk.core.resilience.RateLimitedException;
import io.meshsdk.core.security.policy.AccessPolicy;
import io.meshsdk.core.security.policy.Decision;
import io.meshsdk.core.security.policy.EgressPolicy;
import io.meshsdk.core.transport.TransportCall;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import okhttp3.HttpUrl;
import org.jspecify.annotations.Nullable;

/**
 * Runs every attempt of every call, whatever its path: the one place for route choice, admission, deadline,
 * header stamping, classification and accounting. A call:
 *
 * <ol>
 *   <li>checks its URL (no port: the mesh picks the endpoint's; an https URL never goes in plaintext), picks its
 *       route ({@code split:N} key, sidecar readiness), starts observing, computes its deadline and arms the
 *       deadline watchdog;
 *   <li><b>via the sidecar</b>: one attempt, no admission, no balancing; the sidecar is told the call's remaining
 *       deadline and how many retries it may make (the call's allowance, or none with
 *       {@code route.sidecar-retries=sdk}); when the sidecar refuses the connection (the request never left), or
 *       closes it without an answer for an idempotent request whose body can be sent again, or (with
 *       {@code sdk} retries) answers with a status the SDK retries, the call continues on the direct path,
 *       admission included, as its next attempt;
 *   <li><b>direct</b>: admission (deadline → bulkhead → rate limiter → breaker), then attempts: pick (an untried
 *       endpoint on a retry), rewrite, bound the attempt's time, send, classify, count the endpoint's outcome,
 *       and retry when the status or failure is retryable, the method allows it, the body can be sent again, the
 *       budget and the deadline leave room;
 *   <li>returns the response with its body tracked: the call's outcome (breaker, endpoint failure counts, metrics,
 *       the final span) is recorded when the body has been read, or fails, or the deadline cuts it.
 * </ol>
 *
 * <p>Runs on the caller's thread; allocates the call's state and attempt objects, nothing per attempt unless an
 * observer is installed.
 */
final class CallExecutor {

  private final MeshEngine engine;
  private final Ticker ticker;
  private final MeshObserver observer;
  private final @Nullable String caller;

  CallExecutor(MeshEngine engine, Ticker ticker, MeshObserver observer, @Nullable String caller) {
    this.engine = engine;
    this.ticker = ticker;
    this.observer = observer;
    this.caller = caller;
  }

  @SuppressWarnings("try") // the scope is used for its side effect: the caller's context is current meanwhile
  <R> R execute(ServicePipeline p, TransportCall<R> call) throws IOException {
    HttpUrl url = call.url();
    if (url.port() != HttpUrl.defaultPort(url.scheme())) {
      throw new MeshException(p.service, "mesh URL " + url.scheme() + "://" + url.host() + ":" + url.port()
          + " names port " + url.port() + " (expected: no port; the mesh calls each endpoint on its own port)");
    }
    CallerContext context = call.callerContext() instanceof CallerContext c ? c : null;
    Object captured = context == null ? null : context.observerContext();
    if (captured == null) {
      return run(p, call, context);
    }
    try (var scope = observer.restoreContext(captured)) {
      return run(p, call, context);
    }
  }

  private <R> R run(ServicePipeline p, TransportCall<R> call, @Nullable CallerContext context) throws IOException {
    AccessPolicy access = engine.policies().current();
    EgressPolicy egress = access.egress();
    if (egress != null) {
      checkEgress(access, egress, p, call);
    }
    long start = ticker.read();
    CallState<R> s = new CallState<>(this, p, call, start);
    HttpUrl url = call.url();
    CompiledRoute route = p.route(); // read once: the call finishes on the route and sidecar it starts on
    s.compiled = route;
    String fallback = null;
    boolean viaSidecar = false;
    boolean notReady = false;
    if (route != null && route.wantsSidecar(call, observer)) {
      if (url.isHttps()) {
        fallback = "https call: the hand-off to the sidecar is plaintext, so it goes direct over TLS";
      } else if (route.sidecar == null) {
        fallback = "no sidecar configured";
      } else if ((fallback = route.notReady()) != null) {
        notReady = true;
      } else {
        viaSidecar = true;
      }
    }
    s.route = viaSidecar ? Route.SIDECAR : Route.DIRECT;
    s.obs = ObserverCalls.start(observer, p.service, s.method, url, call, s.route,
        viaSidecar ? "sidecar" : p.loadBalancer.name());
    if (fallback != null && route != null) {
      route.stats.fallback();
      s.fellBack = true;
      ObserverCalls.event(s.obs, MeshEvent.SIDECAR_FALLBACK, fallback);
      if (notReady) {
        ObserverCalls.event(s.obs, MeshEvent.SIDECAR_NOT_READY, fallback);
      }
    }
    ServicePolicies policies = p.resilience.policies();
    long inherited = Deadlines.current();
    if (context != null) {
      inherited = Math.min(inherited, context.deadlineNanos());
    }
    s.deadline = policies.deadline(start, inherited, call.header(MeshHeaders.DEADLINE));
    if (s.deadline != Deadlines.NONE) {
      s.watch = engine.watchdog().arm(s.deadline, () -> deadlinePassed(s));
    }
    try {
      if (viaSidecar && route != null) {
        R r = viaSidecar(s, route);
        if (r != null) {
          return r;
        }
      }
      return direct(s);
    } catch (IOException | RuntimeException | Error e) {
      failed(s, e);
      throw e;
    }
  }

  /**
   * Refuses, before anything is sent, a call the egress policy denies. A service whose egress decision does not
   * depend on method or path is decided once per policy (kept on its pipeline), without reading the request.
   */
  private static void checkEgress(AccessPolicy policies, EgressPolicy egress, ServicePipeline p,
      TransportCall<?> call) throws EgressDeniedException {
    Decision d = p.fixedEgress(policies, egress);
    if (d != null) {
      d.record(p.service);
    } else {
      d = egress.decide(p.service, call.method(), call.url().encodedPath());
    }
    if (d.denied()) {
      throw new EgressDeniedException(p.service, d.ruleId(), d.describe(p.service));
    }
  }

  // ---- the sidecar path ---------------------------------------------------------------------------------------

  /** One attempt via the sidecar; {@code null} when the call must continue direct (the sidecar failed). */
  private <R> @Nullable R viaSidecar(CallState<R> s, CompiledRoute route) throws IOException {
    TransportCall<R> call = s.call;
    long now = s.start;
    long remaining = s.deadline == Deadlines.NONE ? Long.MAX_VALUE : s.deadline - now;
    if (remaining <= 0) {
      throw deadlineExceeded(s, "no time left before the sidecar call (over by " + -remaining / 1_000_000L + " ms)");
    }
    boolean idempotent = ServicePolicies.isIdempotent(s.method);
    ServicePolicies policies = s.pipeline.resilience.policies();
    boolean retriable = idempotent || policies.retriesNonIdempotent();
    // a sidecar that crashes may have read the body, and with sdk retries its answer may be retried direct: keep a
    // copy to resend
    if ((idempotent || (route.sdkRetries && retriable)) && call.hasBody()) {
      prepareReplay(s);
    }
    TrackedEndpoint target = java.util.Objects.requireNonNull(route.sidecarTarget, "sidecar target");
    s.resetAttempt(target.urlFor(call.url()), route.hostHeaderStyle ? route.authority : null,
        remaining == Long.MAX_VALUE ? 0 : remaining);
    int retries = route.sdkRetries || !retriable ? 0 : policies.maxAttempts() - 1;
    stampHeaders(s, remaining, route, retries);
    AttemptInfo info = attemptStart(s, null);
    s.attempts = 1;
    R response;
    try {
      response = call.send(s);
    } catch (IOException e) {
      long t1 = ticker.read();
      if (s.deadlineFired()) {
        attemptEnd(s, info, Outcome.TIMEOUT, -1, e, t1 - now);
        s.outcome = Outcome.TIMEOUT;
        throw deadlineExceeded(s, "passed while waiting for the sidecar's answer", e);
      }
      Outcome o = Outcome.ofFailure(e, call.isCanceled());
      attemptEnd(s, info, o, -1, e, t1 - now);
      s.outcome = o;
      boolean refused = o == Outcome.CONNECT_ERROR;
      boolean crashed = o == Outcome.IO_ERROR && idempotent;
      if (!refused && !crashed) {
        throw e;
      }
      if (refused) {
        route.bridge.reportRefused("calls to " + target.endpoint().authority() + " are refused (" + e + ")");
      } else {
        route.bridge.requestProbe();
        if (call.hasBody() && s.replayable != 1) {
          skippedForBody(s, "the sidecar closed the connection after reading a body that cannot be sent again");
          throw withNote(e, s, "not sent direct: the request body cannot be sent again");
        }
      }
      route.stats.fallback();
      s.fellBack = true;
      s.route = Route.DIRECT;
      ObserverCalls.event(s.obs, MeshEvent.SIDECAR_FALLBACK,
          refused ? "sidecar refused the connection" : "sidecar closed the connection");
      s.attemptIndex = 1; // the direct path continues after the sidecar attempt
      return null;
    }
    long t1 = ticker.read();
    int status = call.status(response);
    Outcome o = Outcome.ofStatus(status);
    if (route.sdkRetries && policies.isRetryableStatus(status)) {
      long delay = retry(s, o, t1, call.responseHeader(response, "Retry-After"), false);
      if (delay >= 0) { // the SDK owns this call's retries: the sidecar's answer is retried on the direct path
        attemptEnd(s, info, o, status, null, t1 - now);
        call.discard(response);
        route.stats.record(MigrationStats.SIDECAR, t1 - now, true, t1);
        route.stats.fallback();
        s.fellBack = true;
        s.route = Route.DIRECT;
        ObserverCalls.event(s.obs, MeshEvent.SIDECAR_FALLBACK, "sidecar answered " + status
            + ", retried direct (route.sidecar-retries=sdk)");
        if (delay > 0) {
          backoff(s, delay);
        }
        s.attemptIndex = 1;
        return null;
      }
    }
    s.finalEndpoint = null;
    s.finalInfo = info; // the attempt started at s.nowNanos(), the call's start
    s.outcome = o;
    s.status = status;
    return returned(s, response, t1);
  }

  // ---- the direct path ----------------------------------------------------------------------------------------

  private <R> R direct(CallState<R> s) throws IOException {
    ServicePipeline p = s.pipeline;
    ServicePolicies policies = p.resilience.policies();
    TransportCall<R> call = s.call;
    HttpUrl url = call.url();
    long now = s.fellBack ? ticker.read() : s.start;
    String tlsRefusal = p.tlsRefusal;
    if (tlsRefusal != null) {
      s.outcome = s.attempts == 0 ? Outcome.REJECTED : s.outcome;
      throw new MeshException(p.service, tlsRefusal);
    }
    try {
      s.held = policies.admit(now, s.deadline);
    } catch (MeshRejectedException e) {
      s.outcome = s.attempts == 0 ? Outcome.REJECTED : s.outcome;
      if (s.obs != CallObserver.NOOP) { // the message is composed only for someone who reads it
        ObserverCalls.event(s.obs, eventFor(e), e.getMessage());
      }
      throw e;
    }
    CompiledRoute route = s.compiled;
    if (route != null && route.shadowPercent > 0) {
      shadow(s, route, now);
    }
    policies.budget().recordRequest(now);
    boolean mayResend = policies.maxAttempts() > s.attemptIndex + 1
        && (ServicePolicies.isIdempotent(s.method) || policies.retriesNonIdempotent());
    if (mayResend && call.hasBody() && s.replayable < 0) {
      prepareReplay(s);
    }
    while (true) {
      s.at(now);
      Picker picker = p.picker();
      TrackedEndpoint endpoint = pick(s, picker);
      if (endpoint == null && s.directAttempts == 0 && p.catchUp(picker, catchUpWait(s, now))) {
        endpoint = pick(s, p.picker()); // the service was announced before its endpoints reached the picker
      }
      if (endpoint == null) {
        if (s.directAttempts == 0) {
          s.outcome = Outcome.REJECTED;
        }
        throw p.noEndpoint();
      }
      s.markTried(endpoint);
      if (url.isHttps() && !endpoint.endpoint().secure() && !p.upgrade) {
        if (s.directAttempts == 0) {
          s.outcome = Outcome.REJECTED;
        }
        throw new MeshException(p.service, "https call to service '" + p.service + "' picked endpoint "
            + endpoint.endpoint() + ", which is plaintext (secure=false); the mesh never downgrades an https URL"
            + " (mark the endpoint secure, or call http://" + p.service + "/)");
      }
      long remaining = s.deadline == Deadlines.NONE ? Long.MAX_VALUE : s.deadline - now;
      if (remaining <= 0) {
        throw deadlineExceeded(s, "no time left for attempt " + (s.attemptIndex + 1) + " (over by "
            + -remaining / 1_000_000L + " ms)");
      }
      long timeout = policies.attemptTimeouts().forAttempt(remaining,
          Math.max(1, policies.maxAttempts() - s.attemptIndex));
      s.resetAttempt(p.upgrade ? endpoint.tlsUrlFor(url) : endpoint.urlFor(url), null, timeout);
      stampHeaders(s, remaining, null, 0);
      AttemptInfo info = attemptStart(s, endpoint);
      endpoint.attemptStarted();
      s.attempts++;
      s.directAttempts++;
      long t0 = now;
      R response;
      try {
        response = call.send(s);
      } catch (IOException e) {
        long t1 = ticker.read();
        endpoint.responded(t1 - t0, t1);
        if (s.deadlineFired()) {
          endpointOutcome(p, endpoint, true);
          attemptEnd(s, info, Outcome.TIMEOUT, -1, e, t1 - t0);
          s.outcome = Outcome.TIMEOUT;
          throw deadlineExceeded(s, "passed while waiting for the response of attempt " + (s.attemptIndex + 1)
              + " to " + endpoint.endpoint().id(), e);
        }
        Outcome o = Outcome.ofFailure(e, call.isCanceled());
        boolean failed = o.isEndpointFailure();
        endpointOutcome(p, endpoint, failed);
        attemptEnd(s, info, o, -1, e, t1 - t0);
        s.outcome = o;
        if (!failed) {
          throw e;
        }
        long delay = retry(s, o, t1, null, false);
        if (delay < 0) {
          throw s.replayable == 0 && delay == SKIPPED_FOR_BODY
              ? withNote(e, s, "not retried: the request body cannot be sent again") : e;
        }
        now = backoff(s, delay);
        s.attemptIndex++;
        continue;
      } catch (RuntimeException | Error e) {
        // a failure the transport does not declare (a request factory refusing a header value...): not retried,
        // but the attempt is over, and the endpoint must not stay counted as in flight
        long t1 = ticker.read();
        endpoint.responded(t1 - t0, t1);
        attemptEnd(s, info, Outcome.IO_ERROR, -1, e, t1 - t0);
        s.outcome = Outcome.IO_ERROR;
        throw e;
      }
      long t1 = ticker.read();
      endpoint.responded(t1 - t0, t1);
      int status = call.status(response);
      Outcome o = Outcome.ofStatus(status);
      // a draining instance refused the request without running it: another endpoint gets it, whatever the method;
      // only "true" is that promise (a header present with another value must not resend a POST that may have run)
      boolean notRun = status == 503 && "true".equalsIgnoreCase(call.responseHeader(response, MeshHeaders.DRAINING));
      if (notRun && call.hasBody() && s.replayable < 0) {
        s.replayable = (byte) (call.canResendAsIs() ? 1 : 0); // not kept for a method that is never resent
      }
      if (notRun || policies.isRetryableStatus(status)) {
        long delay = retry(s, o, t1, notRun ? null : call.responseHeader(response, "Retry-After"), notRun);
        if (delay >= 0) {
          endpointOutcome(p, endpoint, o.isEndpointFailure());
          attemptEnd(s, info, o, status, null, t1 - t0);
          call.discard(response);
          now = backoff(s, delay);
          s.attemptIndex++;
          continue;
        }
      }
      if (o == Outcome.SUCCESS && (ThreadLocalRandom.current().nextInt() & LATENCY_SAMPLE_MASK) == 0) {
        policies.attemptTimeouts().record(t1 - t0); // a 1-in-4 sample is plenty for a p99
      }
      s.held = policies.releaseBulkhead(s.held);
      s.finalEndpoint = endpoint;
      s.finalInfo = info; // the attempt started at s.nowNanos() == t0
      s.outcome = o;
      s.status = status;
      return returned(s, response, t1);
    }
  }

  /**
   * {@code shadow:N}: when this admitted call is eligible (a safe method without a body, plain http, its key among
   * the N %), hands a copy to the sidecar path asynchronously, if the sidecar is ready, the host's CPU use is at
   * most {@code route.shadow-max-cpu} and a permit is free; otherwise counts why not. The call itself goes on
   * direct, untouched. On the caller's thread: a volatile read of the sampled CPU use, a permit CAS, the copy's
   * request built, a hand-off.
   */
  private void shadow(CallState<?> s, CompiledRoute route, long now) {
    TransportCall<?> call = s.call;
    ShadowStats stats = route.shadowStats;
    ShadowTraffic traffic = route.shadowTraffic;
    if (stats == null || traffic == null || !ShadowTraffic.isSafe(s.method) || call.hasBody()
        || call.url().isHttps() || !route.wantsShadow(call, observer)) {
      return;
    }
    String notReady = route.notReady();
    if (notReady != null || route.shadowClient == null) {
      stats.droppedNotReady(now);
      ObserverCalls.event(s.obs, MeshEvent.SHADOW_SKIPPED, notReady == null ? "no sidecar configured" : notReady);
      return;
    }
    if (route.shadowMaxCpu < 100 && traffic.cpuPercent() > route.shadowMaxCpu) {
      stats.droppedCpu(now);
      ObserverCalls.event(s.obs, MeshEvent.SHADOW_SHED, "host CPU above route.shadow-max-cpu");
      return;
    }
    if (!stats.tryAcquire(route.shadowMaxConcurrency)) {
      stats.droppedConcurrency(now);
      ObserverCalls.event(s.obs, MeshEvent.SHADOW_DROPPED, "route.shadow-max-concurrency copies in flight");
      return;
    }
    ShadowTraffic.Copy copy = traffic.send(route, stats, call, s.start, caller, engine.markerHeader());
    if (copy == null) {
      stats.droppedConcurrency(now);
      ObserverCalls.event(s.obs, MeshEvent.SHADOW_DROPPED, "no shadow worker took the copy");
      return;
    }
    s.shadow = copy;
    stats.sent(now);
    ObserverCalls.event(s.obs, MeshEvent.SHADOW_SENT, "");
  }

  /**
   * The response the call returns, arranged so that the call ends when its body does. A response that cannot
   * have a body (HEAD, 1xx, 204, 304) ends the call here, whatever the transport; the transport tracks the others
   * and may end a known-empty body at once, inside {@code track}, at the headers' time.
   */
  private <R> R returned(CallState<R> s, R response, long headersAt) {
    if (!mayHaveBody(s.method, s.status)) {
      s.endUncontended();
      finish(s, headersAt, null);
      return response;
    }
    s.headersAt = headersAt;
    R tracked;
    try {
      tracked = s.call.track(response, s);
    } finally {
      s.headersAt = 0; // from here on, the body's end is read from the clock
    }
    s.handedOut();
    if (s.deadlineFired() && s.isHandedOut()) { // the deadline passed while the response was being wrapped
      watchUnread(s);
    }
    return tracked;
  }

  /**
   * The call's deadline passed: what is in flight is cancelled (an attempt waiting for its response, or a body
   * being read: its reader gets the failure and ends the call as a timeout). A response already with the caller
   * may never be read or closed: if nobody has ended the call a moment later, it is ended then (see
   * {@link #endUnread}), so that its permits, statistics and observers are not held for ever.
   */
  private void deadlinePassed(CallState<?> s) {
    s.call.cancel();
    if (s.isHandedOut()) {
      watchUnread(s);
    }
  }

  private void watchUnread(CallState<?> s) {
    engine.watchdog().arm(ticker.read() + UNREAD_GRACE_NANOS, () -> endUnread(s));
  }

  /**
   * How long after its deadline a call whose response body is with the caller is left to the body's reader: a
   * reader blocked in a read wakes up from the cancel at once and ends the call as a timeout itself.
   */
  static final long UNREAD_GRACE_NANOS = 1_000_000_000L;

  /**
   * Ends a call whose response nobody read to its end or closed by its deadline (and a grace after it). Its outcome
   * is {@link Outcome#CANCELLED}: the caller left the body, which says nothing about the endpoint. A later read of
   * that body fails (the call was cancelled at the deadline).
   */
  private void endUnread(CallState<?> s) {
    if (!s.end()) {
      return;
    }
    long end = ticker.read();
    DeadlineExceededException e = deadlineExceeded(s, "passed with the response neither read to its end nor"
        + " closed, " + (end - s.start) / 1_000_000L + " ms after the call started");
    s.outcome = Outcome.CANCELLED;
    finish(s, end, e);
  }

  /** Whether a response to {@code method} with {@code status} can carry a body (RFC 9110, 6.4.1). */
  static boolean mayHaveBody(String method, int status) {
    return !method.equals("HEAD") && status >= 200 && status != 204 && status != 304;
  }

  /** An attempt on {@code endpoint} ended: its statistics and outlier detection hear of it. */
  private static void endpointOutcome(ServicePipeline p, TrackedEndpoint endpoint, boolean failed) {
    endpoint.outcome(failed);
    p.resilience.outlier().onAttemptEnd(endpoint, failed);
  }

  private static final long SKIPPED_FOR_BODY = -100;
  /** Successful attempts' latencies feed the adaptive attempt timeout one in (mask + 1). */
  private static final int LATENCY_SAMPLE_MASK = 3;

  /**
   * Whether to retry after attempt {@code s.attemptIndex} ended with {@code outcome}, and after how long: the
   * body must be sendable again, then the policies decide (attempts, method, Retry-After, deadline, budget).
   *
   * @param notRun the endpoint said it did not run the request (draining): retried as if it never left
   * @return the backoff in nanos, or a negative value for "do not retry"
   */
  private long retry(CallState<?> s, Outcome outcome, long now, @Nullable String retryAfter, boolean notRun) {
    ServicePolicies policies = s.pipeline.resilience.policies();
    if (s.call.hasBody() && s.replayable != 1 && outcome != Outcome.CONNECT_ERROR) {
      boolean wanted = s.attemptIndex + 1 < policies.maxAttempts()
          && (ServicePolicies.isIdempotent(s.method) || policies.retriesNonIdempotent());
      if (wanted) {
        skippedForBody(s, "the request body cannot be sent again (one-shot, duplex, of unknown length or over"
            + " retry.buffer-limit)");
        return SKIPPED_FOR_BODY;
      }
      return ServicePolicies.NO_RETRY_METHOD;
    }
    long delay = policies.retryDelay(notRun ? Outcome.CONNECT_ERROR : outcome, s.method, s.attemptIndex, now,
        s.deadline, retryAfter);
    if (delay >= 0) {
      ObserverCalls.event(s.obs, MeshEvent.RETRY, outcome.tag());
    } else if (delay == ServicePolicies.NO_RETRY_DEADLINE) {
      ObserverCalls.event(s.obs, MeshEvent.DEADLINE_EXCEEDED, "no room for another attempt");
    } else if (delay == ServicePolicies.NO_RETRY_BUDGET) {
      ObserverCalls.event(s.obs, MeshEvent.RETRY_BUDGET_EXHAUSTED, "retry budget spent");
    }
    return delay;
  }

  private void skippedForBody(CallState<?> s, String why) {
    s.pipeline.resilience.countSkippedForBody();
    ObserverCalls.event(s.obs, MeshEvent.RETRY_SKIPPED, why);
  }

  /** Reads the body into memory once if it can be, so that every attempt sends all of it. */
  private void prepareReplay(CallState<?> s) throws IOException {
    int limit = s.pipeline.resilience.config().retry().bufferLimit();
    s.replayable = (byte) (limit > 0 && s.call.prepareReplay(limit) ? 1 : 0);
  }

  /** How long an empty pick may wait for discovery to catch up: the discovery wait, within the call's deadline. */
  private long catchUpWait(CallState<?> s, long now) {
    long wait = engine.discoveryWait().toNanos();
    return s.deadline == Deadlines.NONE ? wait : Math.min(wait, s.deadline - now);
  }

  /**
   * The picker's choice; on a retry, an endpoint not tried yet by this call if the picker returned a tried one and
   * an untried eligible one exists (so a custom balancer that ignores {@code alreadyTried} still retries
   * elsewhere).
   */
  private @Nullable TrackedEndpoint pick(CallState<?> s, Picker picker) {
    ServicePipeline p = s.pipeline;
    EndpointState picked = picker.pick(s);
    if (picked == null) {
      return null;
    }
    if (!(picked instanceof TrackedEndpoint t)) {
      throw new IllegalStateException("load balancer '" + p.loadBalancer.name() + "' returned " + picked
          + ", which is not one of the endpoints it was given");
    }
    if (s.attemptIndex == 0 || !s.alreadyTried(t)) {
      return t;
    }
    TrackedEndpoint[] eligible = p.eligible();
    int n = eligible.length;
    if (n == 0) {
      return t;
    }
    int offset = ThreadLocalRandom.current().nextInt(n);
    for (int i = 0; i < n; i++) {
      TrackedEndpoint e = eligible[(offset + i) % n];
      if (!s.alreadyTried(e) && !e.isEjected()) {
        return e;
      }
    }
    return t;
  }

  /**
   * The mesh-owned headers of an attempt: caller, deadline, the route marker and the sidecar's retry allowance,
   * set or removed; on a hand-off to an Envoy-dialect sidecar, Envoy's timeout and retry headers from the same
   * figures.
   *
   * @param sidecar the route of a hand-off to the sidecar, or {@code null} for a direct attempt
   * @param retries how many retries the sidecar may make (hand-offs only)
   */
  private void stampHeaders(CallState<?> s, long remainingNanos, @Nullable CompiledRoute sidecar, int retries) {
    CallState<?> a = s;
    if (caller != null) {
      a.set(MeshHeaders.CALLER, caller);
    } else if (s.call.header(MeshHeaders.CALLER) != null) {
      a.remove(MeshHeaders.CALLER);
    }
    String deadlineMs = null;
    if (remainingNanos != Long.MAX_VALUE) {
      deadlineMs = Long.toString(Math.max(0, remainingNanos / 1_000_000L));
      a.set(MeshHeaders.DEADLINE, deadlineMs);
    } else if (s.call.header(MeshHeaders.DEADLINE) != null) {
      a.remove(MeshHeaders.DEADLINE);
    }
    String marker = engine.markerHeader();
    if (sidecar == null) {
      if (s.call.header(marker) != null) {
        a.remove(marker);
      }
      if (s.call.header(MeshHeaders.MAX_RETRIES) != null) {
        a.remove(MeshHeaders.MAX_RETRIES);
      }
      return;
    }
    a.set(marker, "sidecar");
    String r = retries < SMALL.length ? SMALL[retries] : Integer.toString(retries);
    a.set(MeshHeaders.MAX_RETRIES, r);
    if (sidecar.envoyDialect) {
      if (deadlineMs != null) {
        a.set(ENVOY_TIMEOUT, deadlineMs);
      }
      a.set(ENVOY_MAX_RETRIES, r);
      if (retries > 0) {
        String codes = s.pipeline.resilience.policies().retryableStatusList();
        a.set(ENVOY_RETRY_ON, codes.isEmpty() ? ENVOY_RETRY_ON_FAILURES : ENVOY_RETRY_ON_FAILURES_AND_CODES);
        if (!codes.isEmpty()) {
          a.set(ENVOY_RETRIABLE_CODES, codes);
        }
      }
    }
  }

  /** Envoy's request timeout header (ms; honoured on requests from the local application). */
  static final String ENVOY_TIMEOUT = "x-envoy-upstream-rq-timeout-ms";
  /** Envoy's retry count header: overrides the route's {@code num_retries}. */
  static final String ENVOY_MAX_RETRIES = "x-envoy-max-retries";
  /** Envoy's retry conditions header. */
  static final String ENVOY_RETRY_ON = "x-envoy-retry-on";
  /** Envoy's retriable status codes header (with {@code retriable-status-codes} in the conditions). */
  static final String ENVOY_RETRIABLE_CODES = "x-envoy-retriable-status-codes";
  private static final String ENVOY_RETRY_ON_FAILURES = "connect-failure,refused-stream,reset";
  private static final String ENVOY_RETRY_ON_FAILURES_AND_CODES = ENVOY_RETRY_ON_FAILURES + ",retriable-status-codes";
  private static final String[] SMALL = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};

  private @Nullable AttemptInfo attemptStart(CallState<?> s, @Nullable TrackedEndpoint endpoint) {
    if (!s.obs.observesAttempts()) {
      return null; // nobody reads attempts (no observer, or metrics only): build nothing for them
    }
    AttemptInfo info = new AttemptInfo(s.attemptIndex, endpoint, s.url());
    ObserverCalls.attemptStart(s.obs, info, s);
    return info;
  }

  private static void attemptEnd(CallState<?> s, @Nullable AttemptInfo info, Outcome o, int status,
      @Nullable Throwable error, long nanos) {
    if (info != null) {
      ObserverCalls.attemptEnd(s.obs, info, new AttemptResult(o, status, error, nanos));
    }
  }

  /** Waits out a retry backoff on the caller's thread (interruptible); returns the ticker time after it. */
  private long backoff(CallState<?> s, long delayNanos) throws InterruptedIOException {
    long until = System.nanoTime() + delayNanos;
    long left = delayNanos;
    while (left > 0) {
      LockSupport.parkNanos(this, left);
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        s.outcome = Outcome.CANCELLED;
        throw new InterruptedIOException("interrupted during retry backoff");
      }
      left = until - System.nanoTime();
    }
    return ticker.read();
  }

  private DeadlineExceededException deadlineExceeded(CallState<?> s, String detail) {
    return deadlineExceeded(s, detail, null);
  }

  private DeadlineExceededException deadlineExceeded(CallState<?> s, String detail, @Nullable Throwable cause) {
    s.pipeline.resilience.policies().countDeadlineExceeded();
    ObserverCalls.event(s.obs, MeshEvent.DEADLINE_EXCEEDED, detail);
    if (s.attempts == 0) {
      s.outcome = Outcome.REJECTED;
    }
    return cause == null ? new DeadlineExceededException(s.pipeline.service, detail)
        : new DeadlineExceededException(s.pipeline.service, detail, cause);
  }

  private static IOException withNote(IOException e, CallState<?> s, String note) {
    e.addSuppressed(new MeshException(s.pipeline.service, note));
    return e;
  }

  private static MeshEvent eventFor(MeshRejectedException e) {
    if (e instanceof CircuitOpenException) {
      return MeshEvent.BREAKER_REJECTED;
    }
    if (e instanceof RateLimitedException) {
      return MeshEvent.RATE_LIMITED;
    }
    if (e instanceof BulkheadFullException) {
      return MeshEvent.BULKHEAD_REJECTED;
    }
    return MeshEvent.DEADLINE_EXCEEDED;
  }

  // ---- the end of a call --------------------------------------------------------------------------------------

  /** The returned response's body was read to its end or closed. */
  void bodyComplete(CallState<?> s) {
    long at = s.headersAt;
    if (at != 0) {
      // a response without a body completes inside track(), on the caller's thread, at the instant its headers
      // came: nobody else can end the call yet, and the clock need not be read again
      s.endUncontended();
      finish(s, at, null);
    } else if (s.end()) {
      finish(s, ticker.read(), null);
    }
  }

  /** Reading the returned response's body failed: the call failed after all. */
  IOException bodyFailed(CallState<?> s, IOException e) {
    if (!s.end()) { // ended already: a read after the deadline ended an unread response
      return s.deadlineFired() && !(e instanceof DeadlineExceededException)
          ? new DeadlineExceededException(s.pipeline.service, "passed before the response body was read", e) : e;
    }
    long end = ticker.read();
    IOException thrown = e;
    if (s.deadlineFired()) {
      s.outcome = Outcome.TIMEOUT;
      s.pipeline.resilience.policies().countDeadlineExceeded();
      String detail = "passed while the response body was read, " + (end - s.start) / 1_000_000L
          + " ms after the call started";
      ObserverCalls.event(s.obs, MeshEvent.DEADLINE_EXCEEDED, detail);
      thrown = new DeadlineExceededException(s.pipeline.service, detail, e);
    } else {
      s.outcome = Outcome.ofFailure(e, s.call.isCanceled());
    }
    finish(s, end, thrown);
    return thrown;
  }

  private void finish(CallState<?> s, long end, @Nullable Throwable error) {
    ServicePipeline p = s.pipeline;
    Outcome o = s.outcome;
    TrackedEndpoint endpoint = s.finalEndpoint;
    if (endpoint != null && o != Outcome.CANCELLED) { // a body the caller left says nothing about the endpoint
      endpointOutcome(p, endpoint, o.isEndpointFailure());
    }
    p.resilience.policies().release(s.held, end - s.start, o, s.attempts);
    s.held = 0;
    if (s.watch != null) {
      s.watch.disarm();
    }
    if (s.obs != CallObserver.NOOP) {
      attemptEnd(s, s.finalInfo, o, s.status, error, end - s.nowNanos());
      ObserverCalls.callEnd(s.obs, new CallResult(o, s.status, error, end - s.start, s.attempts, s.route));
    }
    record(s, end, error != null || s.status >= 500, error == null ? s.status : -1);
  }

  /** The call failed before a response was returned. */
  private void failed(CallState<?> s, Throwable error) {
    if (!s.end()) {
      return;
    }
    long end = ticker.read();
    s.pipeline.resilience.policies().release(s.held, end - s.start, s.outcome, s.attempts);
    s.held = 0;
    if (s.watch != null) {
      s.watch.disarm();
    }
    if (s.obs != CallObserver.NOOP) {
      ObserverCalls.callEnd(s.obs, new CallResult(s.outcome, -1, error, end - s.start, s.attempts, s.route));
    }
    record(s, end, true, -1);
  }

  private void record(CallState<?> s, long end, boolean error, int status) {
    CompiledRoute route = s.compiled;
    if (route != null) {
      route.stats.record(s.route == Route.SIDECAR ? MigrationStats.SIDECAR : MigrationStats.DIRECT, end - s.start,
          error, end);
      ShadowTraffic.Copy copy = s.shadow;
      if (copy != null) {
        copy.directEnded(status, end - s.start, end);
      }
    }
  }
}
