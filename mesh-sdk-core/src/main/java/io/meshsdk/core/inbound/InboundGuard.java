package io.meshsdk.core.inbound;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.meshsdk.core.common.MeshHeaders;
import io.meshsdk.core.common.Ticker;
import io.meshsdk.core.resilience.Deadlines;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
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
 *     if (a.draining()) {
 *       resp.setHeader(MeshHeaders.DRAINING, "true");
 *       resp.setHeader("Connection", "close");
 *     }
 *     return;
 *   }
 *   chain.doFilter(req, resp);
 * }
 * }</pre>
 *
 * <p>Limits (resilience4j primitives): a per-caller rate limit and a per-caller concurrency limit (over either:
 * 429 Too Many Requests), an overall concurrency limit (over it: 503 Service Unavailable, the server is
 * overloaded). Both carry {@code Retry-After}. A request whose propagated deadline has already passed is
 * refused with 504 (nobody waits for its answer).
 *
 * <p>Per-caller limits cannot be dodged by respelling or rotating the caller's name: names are trimmed and folded
 * to lower case ({@code Orders}, {@code " orders "} and {@code orders} are one caller); a name longer than
 * {@value #MAX_CALLER_LENGTH} characters or with characters a service name or SPIFFE id never has counts as
 * {@value #ANONYMOUS}; at most {@code max-tracked-callers} callers get limiters of their own, and every caller past
 * that shares one {@value #OTHER} limiter, so a flood of new names neither gets fresh permits nor evicts the limiter
 * of a caller that already spent its own. A caller's limiter is forgotten only after it was idle for the longer of
 * the rate period and one minute (by then its permits would have refreshed anyway). The caller is whatever the request says (a header):
 * authenticated identity comes from mutual TLS.
 *
 * <p>Graceful drain ({@link #drain()}, which {@link io.meshsdk.core.Mesh#drain()} calls after deregistering and
 * waiting for callers to notice): from then on every new request is answered 503 with {@value
 * MeshHeaders#DRAINING}{@code : true} and {@code Connection: close} without running the application, which tells a
 * mesh caller to send it to another endpoint whatever its method; requests already admitted finish, and
 * {@link #awaitIdle} waits for them.
 */
public final class InboundGuard {

  /** The caller name used when the caller header is absent or unusable. */
  public static final String ANONYMOUS = "anonymous";
  /** The caller every caller past {@code max-tracked-callers} counts as. */
  public static final String OTHER = "other";
  /** Longest caller name kept; longer ones count as {@value #ANONYMOUS}. */
  public static final int MAX_CALLER_LENGTH = 128;

  private final InboundGuardConfig config;
  private final Ticker ticker;
  private final @Nullable Bulkhead overall;
  private final Cache<String, CallerLimits> callers;
  private final Function<String, CallerLimits> newCaller;
  private final String overloadRetryAfter;
  private final String rateRetryAfter;
  private final LongAdder inFlight = new LongAdder();
  private final Object idle = new Object();
  private volatile boolean draining;
  /** Threads in {@link #awaitIdle}: a finishing request wakes them even when the guard is not draining. */
  private volatile int idleWaiters;

  private InboundGuard(InboundGuardConfig config, Ticker ticker) {
    this.config = config;
    this.ticker = ticker;
    this.overall = config.maxConcurrent() > 0 ? bulkhead("inbound", config.maxConcurrent()) : null;
    java.time.Duration idle = config.perCallerPeriod().compareTo(java.time.Duration.ofMinutes(1)) > 0
        ? config.perCallerPeriod() : java.time.Duration.ofMinutes(1);
    this.callers = Caffeine.newBuilder().expireAfterAccess(idle).build();
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
    inFlight.increment(); // before the draining check: drain() sets the flag, then counts what is in flight
    if (draining) {
      done();
      return new Admission(this, 503, "0", "draining: this instance is shutting down", null, null, null, true);
    }
    Admission a = decide(caller, deadlineHeader);
    if (!a.admitted()) {
      done();
    }
    return a;
  }

  /**
   * Starts draining: every request from now on is refused (503, {@value MeshHeaders#DRAINING}); requests already
   * admitted go on. Idempotent.
   */
  public void drain() {
    draining = true;
  }

  /** Whether {@link #drain()} was called. */
  public boolean isDraining() {
    return draining;
  }

  /** How many admitted requests have not closed their {@link Admission} yet. */
  public long inFlight() {
    return inFlight.sum();
  }

  /**
   * Waits until no admitted request is in progress, or {@code timeout} passed.
   *
   * @return whether none is in progress
   */
  public boolean awaitIdle(java.time.Duration timeout) {
    requireNonNull(timeout, "timeout");
    long timeoutNanos = timeout.compareTo(java.time.Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE
        : timeout.toNanos(); // longer than 292 years: as good as forever, not an overflow
    long start = System.nanoTime();
    synchronized (idle) {
      idleWaiters++; // before reading the count: a request that finishes after the read sees the waiter
      try {
        while (inFlight.sum() > 0) {
          long left = timeoutNanos - (System.nanoTime() - start);
          if (left <= 0) {
            return false;
          }
          try {
            idle.wait(Math.max(1, left / 1_000_000), 0);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
          }
        }
        return true;
      } finally {
        idleWaiters--;
      }
    }
  }

  private void done() {
    inFlight.decrement();
    if (draining || idleWaiters > 0) {
      synchronized (idle) {
        idle.notifyAll();
      }
    }
  }

  private Admission decide(@Nullable String caller, @Nullable String deadlineHeader) {
    String who = callerName(caller);
    long deadlineMs = Deadlines.parseMillis(deadlineHeader);
    if (deadlineMs == 0) {
      return new Admission(this, 504, null, "deadline of caller '" + who + "' already passed", null, null, null,
          false);
    }
    Bulkhead all = overall;
    if (all != null && !all.tryAcquirePermission()) {
      return new Admission(this, 503, overloadRetryAfter, "overloaded: " + config.maxConcurrent()
          + " requests in progress", null, null, null, false);
    }
    CallerLimits limits = config.perCallerPermits() > 0 || config.perCallerMaxConcurrent() > 0
        ? limitsOf(who) : null;
    if (limits != null && limits.rate != null && !limits.rate.acquirePermission()) {
      release(all, null);
      return new Admission(this, 429, rateRetryAfter, "caller '" + who + "' exceeded "
          + config.perCallerPermits() + " requests per " + config.perCallerPeriod().toMillis() + " ms", null, null,
          null, false);
    }
    Bulkhead mine = limits == null ? null : limits.concurrency;
    if (mine != null && !mine.tryAcquirePermission()) {
      release(all, null);
      return new Admission(this, 429, "1", "caller '" + who + "' has " + config.perCallerMaxConcurrent()
          + " requests in progress", null, null, null, false);
    }
    Deadlines.Scope scope = deadlineMs > 0 ? Deadlines.withRemaining(deadlineMs, ticker) : null;
    return new Admission(this, 0, null, "admitted", all, mine, scope, false);
  }

  /**
   * The caller name a request counts as: trimmed and lower case; {@value #ANONYMOUS} when absent, too long or made
   * of characters no service name or SPIFFE id has.
   */
  public static String callerName(@Nullable String header) {
    if (header == null) {
      return ANONYMOUS;
    }
    String t = header.strip();
    if (t.isEmpty() || t.length() > MAX_CALLER_LENGTH) {
      return ANONYMOUS;
    }
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_' || c == '.' || c == ':' || c == '/';
      if (!ok) {
        return ANONYMOUS;
      }
    }
    return t.toLowerCase(java.util.Locale.ROOT);
  }

  /** The limiters of {@code who}; past the cap, the shared {@value #OTHER} ones (never evicting a tracked caller). */
  private CallerLimits limitsOf(String who) {
    CallerLimits mine = callers.getIfPresent(who);
    if (mine != null) {
      return mine;
    }
    if (callers.estimatedSize() >= config.maxTrackedCallers()) {
      callers.cleanUp();
      if (callers.estimatedSize() >= config.maxTrackedCallers()) {
        return callers.get(OTHER, newCaller);
      }
    }
    return callers.get(who, newCaller);
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
    private static final java.util.concurrent.atomic.AtomicIntegerFieldUpdater<Admission> CLOSED =
        java.util.concurrent.atomic.AtomicIntegerFieldUpdater.newUpdater(Admission.class, "closed");
    @SuppressWarnings("UnusedVariable") // read and written through CLOSED
    private volatile int closed;
    private final InboundGuard guard;
    private final boolean draining;
    private boolean counted;
    private final int status;
    private final @Nullable String retryAfter;
    private final String reason;
    private @Nullable Bulkhead overall;
    private @Nullable Bulkhead caller;
    private Deadlines.@Nullable Scope scope;

    private Admission(InboundGuard guard, int status, @Nullable String retryAfter, String reason,
        @Nullable Bulkhead overall, @Nullable Bulkhead caller, Deadlines.@Nullable Scope scope, boolean draining) {
      this.guard = guard;
      this.draining = draining;
      this.counted = status == 0;
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

    /**
     * Whether the request was refused because the instance is draining: answer {@link #status()} with header
     * {@value MeshHeaders#DRAINING}{@code : true} and {@code Connection: close}.
     */
    public boolean draining() {
      return draining;
    }

    /** 0 when admitted, else the status to answer: 429 (caller over its limit), 503 (overload, draining), 504. */
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

    /**
     * Releases the concurrency slots and restores the thread's previous deadline. Idempotent, also when two threads
     * close it at once (only one releases).
     */
    @Override
    public void close() {
      if (!CLOSED.compareAndSet(this, 0, 1)) {
        return; // closed already, perhaps on another thread (an async request's timeout and completion)
      }
      release(overall, caller);
      overall = null;
      caller = null;
      if (counted) {
        counted = false;
        guard.done();
      }
      Deadlines.Scope s = scope;
      scope = null;
      if (s != null) {
        s.close();
      }
    }
  }
}
