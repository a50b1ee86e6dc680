package io.meshsdk.core.inbound;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.meshsdk.core.Ticker;
import io.meshsdk.core.resilience.Deadlines;
import java.time.Duration;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The server side of the mesh, transport-neutral: decides whether an inbound request is served, and makes the
 * caller's deadline ({@value Deadlines#HEADER}) the deadline of every outbound mesh call made while serving
 * it. A web framework adapts it (the Spring module as a servlet filter):
 *
 * <pre>{@code
 * try (InboundGuard.Admission a = guard.admit(req.getHeader(guard.callerHeader()),
 *     req.getHeader(Deadlines.HEADER))) {
 *   if (!a.admitted()) {
 *     resp.setStatus(a.status());
 *     resp.setHeader("Retry-After", a.retryAfterSeconds());
 *     return;
 *   }
 *   chain.doFilter(req, resp);
 * }
 * }</pre>
 *
 * <p>Limits (resilience4j primitives): a per-caller rate limit and a per-caller concurrency limit (over either:
 * 429 Too Many Requests), an overall concurrency limit (over it: 503 Service Unavailable, the server is
 * overloaded). Both carry {@code Retry-After}. A request whose propagated deadline has already passed is
 * refused with 504 (nobody waits for its answer). Per-caller limiters live in a bounded Caffeine cache.
 */
public final class InboundGuard {

  /** The caller name used when the caller header is absent. */
  public static final String ANONYMOUS = "anonymous";

  private final InboundGuardConfig config;
  private final Ticker ticker;
  private final @Nullable Bulkhead overall;
  private final Cache<String, CallerLimits> callers;
  private final Function<String, CallerLimits> newCaller;
  private final String overloadRetryAfter;
  private final String rateRetryAfter;

  private InboundGuard(InboundGuardConfig config, Ticker ticker) {
    this.config = config;
    this.ticker = ticker;
    this.overall = config.maxConcurrent() > 0 ? bulkhead("inbound", config.maxConcurrent()) : null;
    this.callers = Caffeine.newBuilder().maximumSize(config.maxTrackedCallers()).build();
    RateLimiterConfig rl = config.perCallerPermits() > 0
        ? RateLimiterConfig.custom()
            .limitForPeriod(config.perCallerPermits())
            .limitRefreshPeriod(config.perCallerPeriod())
            .timeoutDuration(Duration.ZERO)
            .build()
        : null;
    this.newCaller = caller -> new CallerLimits(
        rl == null ? null : RateLimiter.of("inbound-" + caller, rl),
        config.perCallerMaxConcurrent() > 0 ? bulkhead("inbound-" + caller, config.perCallerMaxConcurrent()) : null);
    this.overloadRetryAfter = Long.toString(config.overloadRetryAfter().toSeconds());
    // a caller over its rate gets new permits within one period at the latest
    this.rateRetryAfter = Long.toString(Math.max(1, (config.perCallerPeriod().toMillis() + 999) / 1000));
  }

  private static Bulkhead bulkhead(String name, int max) {
    return Bulkhead.of(name, BulkheadConfig.custom().maxConcurrentCalls(max).maxWaitDuration(Duration.ZERO).build());
  }

  /** A guard with {@code config} on the system ticker. */
  public static InboundGuard create(InboundGuardConfig config) {
    return create(config, Ticker.SYSTEM);
  }

  /** A guard with {@code config}; deadlines are measured on {@code ticker} (use the mesh's). */
  public static InboundGuard create(InboundGuardConfig config, Ticker ticker) {
    return new InboundGuard(requireNonNull(config, "config"), requireNonNull(ticker, "ticker"));
  }

  /** The header that names the caller. */
  public String callerHeader() {
    return config.callerHeader();
  }

  /**
   * Decides about one request. Close the result when the request is done (on the same thread): it releases the
   * concurrency slots and the deadline scope.
   *
   * @param caller the value of {@link #callerHeader()}, or {@code null}
   * @param deadlineHeader the value of {@value Deadlines#HEADER}, or {@code null}
   */
  public Admission admit(@Nullable String caller, @Nullable String deadlineHeader) {
    String who = caller == null || caller.isBlank() ? ANONYMOUS : caller;
    long deadlineMs = Deadlines.parseMillis(deadlineHeader);
    if (deadlineMs == 0) {
      return new Admission(504, null, "deadline of caller '" + who + "' already passed", null, null, null);
    }
    Bulkhead all = overall;
    if (all != null && !all.tryAcquirePermission()) {
      return new Admission(503, overloadRetryAfter, "overloaded: " + config.maxConcurrent()
          + " requests in progress", null, null, null);
    }
    CallerLimits limits = config.perCallerPermits() > 0 || config.perCallerMaxConcurrent() > 0
        ? callers.get(who, newCaller) : null;
    if (limits != null && limits.rate != null && !limits.rate.acquirePermission()) {
      release(all, null);
      return new Admission(429, rateRetryAfter, "caller '" + who + "' exceeded "
          + config.perCallerPermits() + " requests per " + config.perCallerPeriod().toMillis() + " ms", null, null,
          null);
    }
    Bulkhead mine = limits == null ? null : limits.concurrency;
    if (mine != null && !mine.tryAcquirePermission()) {
      release(all, null);
      return new Admission(429, "1", "caller '" + who + "' has " + config.perCallerMaxConcurrent()
          + " requests in progress", null, null, null);
    }
    Deadlines.Scope scope = deadlineMs > 0 ? Deadlines.withRemaining(deadlineMs, ticker) : null;
    return new Admission(0, null, "admitted", all, mine, scope);
  }

  private static void release(@Nullable Bulkhead a, @Nullable Bulkhead b) {
    if (a != null) {
      a.onComplete();
    }
    if (b != null) {
      b.onComplete();
    }
  }

  private record CallerLimits(@Nullable RateLimiter rate, @Nullable Bulkhead concurrency) {}

  /** The decision about one request; close it when the request is done. */
  public static final class Admission implements AutoCloseable {
    private final int status;
    private final @Nullable String retryAfter;
    private final String reason;
    private @Nullable Bulkhead overall;
    private @Nullable Bulkhead caller;
    private Deadlines.@Nullable Scope scope;

    private Admission(int status, @Nullable String retryAfter, String reason, @Nullable Bulkhead overall,
        @Nullable Bulkhead caller, Deadlines.@Nullable Scope scope) {
      this.status = status;
      this.retryAfter = retryAfter;
      this.reason = reason;
      this.overall = overall;
      this.caller = caller;
      this.scope = scope;
    }

    /** Whether the request may be served. */
    public boolean admitted() {
      return status == 0;
    }

    /** 0 when admitted, else the status to answer: 429 (caller over its limit), 503 (overload), 504. */
    public int status() {
      return status;
    }

    /** The {@code Retry-After} value in seconds for a rejection, or {@code null}. */
    public @Nullable String retryAfterSeconds() {
      return retryAfter;
    }

    /** Why, for logs and the response body. */
    public String reason() {
      return reason;
    }

    /** Releases the concurrency slots and restores the thread's previous deadline. Idempotent. */
    @Override
    public void close() {
      release(overall, caller);
      overall = null;
      caller = null;
      Deadlines.Scope s = scope;
      scope = null;
      if (s != null) {
        s.close();
      }
    }
  }
}
