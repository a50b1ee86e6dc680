package io.meshsdk.core.internal;

import io.meshsdk.core.Ticker;
import io.meshsdk.core.endpoint.EndpointState;
import io.meshsdk.core.metrics.MeshServerMetrics;
import io.meshsdk.core.observe.AttemptInfo;
import io.meshsdk.core.observe.AttemptResult;
import io.meshsdk.core.observe.CallObserver;
import io.meshsdk.core.observe.CallResult;
import io.meshsdk.core.observe.MeshEvent;
import io.meshsdk.core.observe.Outcome;
import io.meshsdk.core.observe.Route;
import io.meshsdk.core.resilience.DeadlineExceededException;
import io.meshsdk.core.resilience.Deadlines;
import io.meshsdk.core.resilience.internal.ServicePolicies;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * The DIRECT route of a service's pipeline: admission (deadline → bulkhead → rate limiter → breaker), then
 * the attempt loop (pick → rewrite → per-attempt timeout → proceed → classify → endpoint stats and outlier
 * detector → retry decision with budget, backoff and deadline). Runs on the caller's thread; a retry calls
 * {@code chain.proceed} again after closing the previous response.
 */
final class DirectCallPath {

  private final ServicePipeline pipeline;
  private final ServicePolicies policies;
  private final Ticker ticker;
  private final @Nullable String caller; // x-mesh-caller value, precomputed (Mesh.Builder.localService)

  DirectCallPath(ServicePipeline pipeline, ServicePolicies policies, Ticker ticker, @Nullable String caller) {
    this.pipeline = pipeline;
    this.policies = policies;
    this.ticker = ticker;
    this.caller = caller;
  }

  Response call(Interceptor.Chain chain) throws IOException {
    return call(chain, null);
  }

  /**
   * Runs one call; {@code fallbackReason} non-null when the call was meant for the sidecar and runs direct
   * instead: reported to the call's observer as {@link MeshEvent#SIDECAR_FALLBACK}.
   */
  Response call(Interceptor.Chain chain, @Nullable String fallbackReason) throws IOException {
    Request request = chain.request();
    long start = ticker.read();
    CallObserver obs = pipeline.startObserving(request);
    if (fallbackReason != null && obs != CallObserver.NOOP) {
      ObserverCalls.event(obs, MeshEvent.SIDECAR_FALLBACK, fallbackReason);
    }
    long deadline = policies.deadline(start, request.header(Deadlines.HEADER));
    Response response = null;
    Throwable failure = null;
    Outcome outcome = Outcome.REJECTED;
    int held = 0;
    int attempts = 0;
    long end = 0;
    boolean ended = false; // end holds the time of the last attempt's end: saves a clock read
    try {
      held = policies.admit(start, deadline, obs);
      policies.budget().recordRequest(start);
      CallContext ctx = new CallContext(request);
      long now = start;
      while (true) {
        ctx.at(now); // the pickers' time: no clock read of their own
        EndpointState endpoint = pick(ctx);
        if (endpoint == null) {
          throw pipeline.noEndpoint();
        }
        ctx.markTried(endpoint);
        HttpUrl url = ServicePipeline.rewrite(request.url(), endpoint);
        Request.Builder builder = request.newBuilder().url(url);
        if (caller != null) {
          builder.header(MeshServerMetrics.CALLER_HEADER, caller);
        }
        long timeoutNanos = policies.perAttemptNanos();
        String deadlineValue = null;
        if (deadline != Deadlines.NONE) {
          long remaining = deadline - now;
          if (remaining <= 0) {
            policies.countDeadlineExceeded();
            if (obs != CallObserver.NOOP) {
              ObserverCalls.event(obs, MeshEvent.DEADLINE_EXCEEDED, "no time left for the next attempt");
            }
            throw new DeadlineExceededException(pipeline.service(), "no time left for attempt "
                + (ctx.attempt() + 1) + " (over by " + -remaining / 1_000_000L + " ms)");
          }
          deadlineValue = Long.toString(remaining / 1_000_000L);
          builder.header(Deadlines.HEADER, deadlineValue);
          timeoutNanos = timeoutNanos > 0 ? Math.min(timeoutNanos, remaining) : remaining;
        }
        AttemptInfo info = null;
        if (obs != CallObserver.NOOP) {
          info = new AttemptInfo(ctx.attempt(), endpoint, url);
          AttemptHeaders headers = new AttemptHeaders(builder, request);
          if (caller != null) {
            headers.record(MeshServerMetrics.CALLER_HEADER, caller);
          }
          if (deadlineValue != null) {
            headers.record(Deadlines.HEADER, deadlineValue);
          }
          ObserverCalls.attemptStart(obs, info, headers);
        }
        Request attemptRequest = builder.build();
        Interceptor.Chain c = chain;
        if (timeoutNanos > 0) {
          int ms = (int) Math.max(1L, Math.min(Integer.MAX_VALUE, timeoutNanos / 1_000_000L));
          c = chain.withConnectTimeout(ms, TimeUnit.MILLISECONDS)
              .withReadTimeout(ms, TimeUnit.MILLISECONDS)
              .withWriteTimeout(ms, TimeUnit.MILLISECONDS);
        }
        endpoint.attemptStarted();
        attempts++;
        long t0 = now;
        long delay;
        try {
          response = c.proceed(attemptRequest);
        } catch (IOException | RuntimeException e) {
          long t1 = ticker.read();
          outcome = ServicePipeline.classify(e, chain);
          boolean failed = outcome.isEndpointFailure();
          endpoint.attemptEnded(t1 - t0, t1, failed);
          policies.outlier().onAttemptEnd(endpoint, failed, t1);
          if (info != null) {
            ObserverCalls.attemptEnd(obs, info, new AttemptResult(outcome, -1, e, t1 - t0));
          }
          delay = e instanceof IOException && failed && !chain.call().isCanceled() && resendable(request, outcome)
              ? policies.retryDelay(outcome, request.method(), ctx.attempt(), t1, deadline, null, obs)
              : -1;
          if (delay < 0) {
            end = t1;
            ended = true;
            throw e;
          }
          now = backoff(delay);
          ctx.nextAttempt();
          continue;
        }
        long t1 = ticker.read();
        int code = response.code();
        outcome = ServicePipeline.classify(code);
        boolean failed = outcome.isEndpointFailure();
        endpoint.attemptEnded(t1 - t0, t1, failed);
        policies.outlier().onAttemptEnd(endpoint, failed, t1);
        if (info != null) {
          ObserverCalls.attemptEnd(obs, info, new AttemptResult(outcome, code, null, t1 - t0));
        }
        end = t1;
        ended = true;
        if (!policies.isRetryableStatus(code) || !resendable(request, outcome)) {
          return response;
        }
        delay = policies.retryDelay(outcome, request.method(), ctx.attempt(), t1, deadline, response, obs);
        if (delay < 0) {
          return response;
        }
        ended = false;
        response.close();
        response = null;
        now = backoff(delay);
        ctx.nextAttempt();
      }
    } catch (IOException | RuntimeException e) {
      failure = e;
      throw e;
    } finally {
      if (!ended) {
        end = ticker.read();
      }
      policies.release(held, end - start, outcome, attempts);
      if (obs != CallObserver.NOOP) {
        int status = response == null ? -1 : response.code();
        ObserverCalls.callEnd(obs, new CallResult(outcome, status, failure, end - start, attempts, Route.DIRECT));
      }
    }
  }

  /** A one-shot or duplex body cannot be sent twice, unless it never left (connect failure). */
  private static boolean resendable(Request request, Outcome outcome) {
    okhttp3.RequestBody body = request.body();
    return body == null || outcome == Outcome.CONNECT_ERROR || !(body.isOneShot() || body.isDuplex());
  }

  /**
   * The picker's choice; on a retry, an endpoint not tried yet by this call if the picker returned a tried
   * one and an untried eligible endpoint exists (scan of the eligible array: no allocation).
   */
  private @Nullable EndpointState pick(CallContext ctx) {
    EndpointState picked = pipeline.picker().pick(ctx);
    if (picked == null || ctx.attempt() == 0 || !ctx.alreadyTried(picked)) {
      return picked;
    }
    EndpointState[] eligible = policies.eligibleArray();
    int n = eligible.length;
    if (n == 0) {
      return picked;
    }
    int offset = java.util.concurrent.ThreadLocalRandom.current().nextInt(n);
    for (int i = 0; i < n; i++) {
      EndpointState s = eligible[(offset + i) % n];
      if (!ctx.alreadyTried(s) && !s.isEjected()) {
        return s;
      }
    }
    return picked;
  }

  /**
   * Waits out a retry backoff on the caller's thread (the retry delay itself, interruptible); returns the
   * ticker time after the wait.
   */
  private long backoff(long delayNanos) throws InterruptedIOException {
    long until = System.nanoTime() + delayNanos;
    long left = delayNanos;
    while (left > 0) {
      LockSupport.parkNanos(this, left);
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted during retry backoff");
      }
      left = until - System.nanoTime();
    }
    return ticker.read();
  }
}
