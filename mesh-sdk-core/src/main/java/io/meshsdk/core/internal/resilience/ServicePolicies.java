package io.meshsdk.core.internal.resilience;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.meshsdk.core.common.MeshRejectedException;
import io.meshsdk.core.common.Ticker;
import io.meshsdk.core.observe.Outcome;
import io.meshsdk.core.resilience.BreakerConfig;
import io.meshsdk.core.resilience.BreakerState;
import io.meshsdk.core.resilience.BulkheadFullException;
import io.meshsdk.core.resilience.CircuitOpenException;
import io.meshsdk.core.resilience.DeadlineExceededException;
import io.meshsdk.core.resilience.Deadlines;
import io.meshsdk.core.resilience.RateLimitedException;
import io.meshsdk.core.resilience.ResilienceConfig;
import io.meshsdk.core.resilience.RetryConfig;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The resilience policies of one service, compiled once per config (never per call): resilience4j breaker, rate
 * limiter and bulkhead, the backoff function, the retry budget and the adaptive attempt timeout, plus the counters
 * behind {@link io.meshsdk.core.resilience.ResilienceView}. Pure decisions: the engine acts on them and tells the
 * observers.
 *
 * <p>Admission order is fixed: deadline → bulkhead → rate limiter → breaker (see {@code docs/resilience.md}).
 * Nothing here allocates on a call that is admitted and not retried; a rejection allocates its exception only (no
 * stack trace).
 */
public final class ServicePolicies {

  private static final Logger log = LoggerFactory.getLogger(ServicePolicies.class);

  /** {@link #admit} acquired a bulkhead slot. */
  public static final int HELD_BULKHEAD = 1;
  /** {@link #admit} acquired a breaker permission. */
  public static final int HELD_BREAKER = 2;

  /** {@link #retryDelay}: no attempt left. */
  public static final long NO_RETRY_ATTEMPTS = -1;
  /** {@link #retryDelay}: the method is not idempotent and the request may have been sent. */
  public static final long NO_RETRY_METHOD = -2;
  /** {@link #retryDelay}: the server asked (Retry-After) for more patience than the max backoff. */
  public static final long NO_RETRY_RETRY_AFTER = -3;
  /** {@link #retryDelay}: the deadline leaves no room for another attempt. */
  public static final long NO_RETRY_DEADLINE = -4;
  /** {@link #retryDelay}: the retry budget is spent. */
  public static final long NO_RETRY_BUDGET = -5;

  /** A deadline header above this (about 104 days) means "no deadline"; also keeps the nanos from overflowing. */
  static final long MAX_HEADER_DEADLINE_MS = 9_000_000_000L;

  /**
   * Recorded with the breaker for a call that failed with a status rather than an exception. Never thrown; no
   * stack trace, so one shared instance costs nothing per failure.
   */
  @SuppressWarnings("StaticAssignmentOfThrowable")
  private static final Exception FAILED_CALL = new Exception("call failed", null, false, false) {
    private static final long serialVersionUID = 1L;
  };

  private final String service;
  private final ResilienceConfig config;
  private final @Nullable CircuitBreaker breaker;
  private final @Nullable RateLimiter limiter;
  private final @Nullable Bulkhead bulkhead;
  private final IntervalFunction backoff;
  private final RetryBudget budget;
  private final AttemptTimeouts attemptTimeouts;
  private final java.util.BitSet retryableStatus = new java.util.BitSet(600); // 80 B, not a 616 B boolean[600]
  private final int maxAttempts;
  private final long callTimeoutNanos;
  private final long maxBackoffNanos;
  private final boolean retryNonIdempotent;
  private final long openWaitNanos;
  private final long configuredPerAttemptNanos;
  private final Ticker ticker;
  final LongAdder breakerRejections = new LongAdder();
  final LongAdder rateLimitRejections = new LongAdder();
  final LongAdder bulkheadRejections = new LongAdder();
  final LongAdder deadlineExceeded = new LongAdder();
  final LongAdder retries = new LongAdder();
  final LongAdder budgetDenied = new LongAdder();
  private final AtomicReference<BreakerState> breakerSeen;
  private volatile long breakerSinceNanos;
  private final Consumer<BreakerState> onBreakerState;

  /**
   * Compiles {@code config} for {@code service}.
   *
   * @param onBreakerState told of every breaker state change (on whatever thread saw it; must not block)
   */
  public ServicePolicies(String service, ResilienceConfig config, Ticker ticker, Consumer<BreakerState> onBreakerState) {
    this.service = service;
    this.config = config;
    this.ticker = ticker;
    this.onBreakerState = onBreakerState;
    this.breaker = config.breaker().enabled() ? CircuitBreaker.of(service, breakerConfig(config.breaker(), ticker))
        : null;
    this.limiter = config.rateLimit().enabled() ? RateLimiter.of(service, RateLimiterConfig.custom()
        .limitForPeriod(config.rateLimit().permits())
        .limitRefreshPeriod(config.rateLimit().period())
        .timeoutDuration(config.rateLimit().maxWait())
        .build()) : null;
    this.bulkhead = config.bulkhead().enabled() ? Bulkhead.of(service, BulkheadConfig.custom()
        .maxConcurrentCalls(config.bulkhead().maxConcurrentCalls())
        .maxWaitDuration(java.time.Duration.ZERO)
        .build()) : null;
    RetryConfig r = config.retry();
    this.backoff = IntervalFunction.ofExponentialRandomBackoff(r.backoff().toMillis(), r.backoffMultiplier(),
        r.jitter(), r.maxBackoff().toMillis());
    this.budget = new RetryBudget(r.budgetPercent(), r.budgetWindow().toNanos(), r.budgetMinPerSecond());
    for (int s : r.statuses()) {
      retryableStatus.set(s);
    }
    this.maxAttempts = r.effectiveMaxAttempts();
    this.maxBackoffNanos = r.maxBackoff().toNanos();
    this.retryNonIdempotent = r.nonIdempotent();
    this.callTimeoutNanos = config.timeout().call().toNanos();
    this.attemptTimeouts = new AttemptTimeouts(config.timeout().perAttempt().toNanos());
    this.openWaitNanos = config.breaker().openWait().toNanos();
    this.configuredPerAttemptNanos = config.timeout().perAttempt().toNanos();
    BreakerState initial = breaker == null ? BreakerState.DISABLED : BreakerState.CLOSED;
    this.breakerSeen = new AtomicReference<>(initial);
    this.breakerSinceNanos = ticker.read();
  }

  private static CircuitBreakerConfig breakerConfig(BreakerConfig b, Ticker ticker) {
    CircuitBreakerConfig.Builder cb = CircuitBreakerConfig.custom()
        .failureRateThreshold(b.failureRateThreshold())
        .slowCallRateThreshold(b.slowCallRateThreshold())
        .slowCallDurationThreshold(b.slowCallDuration())
        .slidingWindow(b.windowSize(), b.minimumCalls(), CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
        .waitDurationInOpenState(b.openWait())
        // a trial call whose response body is never closed must not hold the breaker half-open for ever
        .maxWaitDurationInHalfOpenState(b.openWait())
        .permittedNumberOfCallsInHalfOpenState(b.halfOpenCalls());
    if (ticker != Ticker.SYSTEM) {
      cb.clock(new TickerClock(ticker)); // tests drive the open-state wait with a fake ticker
    }
    return cb.build();
  }

  /** The config compiled here. */
  public ResilienceConfig config() {
    return config;
  }

  /** The retry budget. */
  public RetryBudget budget() {
    return budget;
  }

  /** The attempt timeout chooser (and the latency it learns from). */
  public AttemptTimeouts attemptTimeouts() {
    return attemptTimeouts;
  }

  /**
   * The deadline of a call starting at {@code nowNanos} (ticker nanos, or {@link Deadlines#NONE}): the earliest of
   * {@code inherited} (the caller's inbound deadline), the request's own {@value Deadlines#HEADER} and
   * {@code timeout.call}.
   */
  public long deadline(long nowNanos, long inherited, @Nullable String headerValue) {
    long d = inherited;
    if (callTimeoutNanos > 0) {
      d = Math.min(d, nowNanos + callTimeoutNanos);
    }
    long ms = Deadlines.parseMillis(headerValue);
    if (ms >= 0 && ms <= MAX_HEADER_DEADLINE_MS) { // longer than ~100 days: no deadline (and no overflow)
      d = Math.min(d, nowNanos + ms * 1_000_000L);
    }
    return d;
  }

  /**
   * Admission: deadline → bulkhead → rate limiter → breaker. Returns the {@code HELD_*} bits to pass to the
   * release methods; throws a specific rejection (counted here) without touching the network.
   */
  public int admit(long nowNanos, long deadline) throws MeshRejectedException {
    if (deadline != Deadlines.NONE && deadline - nowNanos <= 0) {
      deadlineExceeded.increment();
      throw new DeadlineExceededException(service, "no time left before the first attempt ("
          + (deadline - nowNanos) / 1_000_000L + " ms)");
    }
    int held = 0;
    Bulkhead bh = bulkhead;
    if (bh != null) {
      if (!bh.tryAcquirePermission()) {
        bulkheadRejections.increment();
        throw new BulkheadFullException(service, config.bulkhead().maxConcurrentCalls());
      }
      held = HELD_BULKHEAD;
    }
    try {
      RateLimiter rl = limiter;
      if (rl != null && !rl.acquirePermission()) {
        rateLimitRejections.increment();
        throw new RateLimitedException(service, config.rateLimit().permits(), config.rateLimit().period());
      }
      CircuitBreaker cb = breaker;
      if (cb != null) {
        if (!cb.tryAcquirePermission()) {
          breakerRejections.increment();
          noteBreakerState(cb);
          throw new CircuitOpenException(service, stateOf(cb.getState()).name());
        }
        noteBreakerState(cb); // OPEN -> HALF_OPEN happens inside tryAcquirePermission
        held |= HELD_BREAKER;
      }
      return held;
    } catch (MeshRejectedException | RuntimeException e) {
      if (bh != null) {
        bh.onComplete();
      }
      throw e;
    }
  }

  /** Releases the bulkhead slot {@link #admit} held (when the response headers arrived, or the call failed). */
  public int releaseBulkhead(int held) {
    if ((held & HELD_BULKHEAD) != 0) {
      Bulkhead bh = bulkhead;
      if (bh != null) {
        bh.onComplete();
      }
    }
    return held & ~HELD_BULKHEAD;
  }

  /**
   * Records the call's final outcome with the breaker (when the response body was read, or the call failed) and
   * releases what is still held.
   *
   * @param attempts attempts made (0: the call never reached the network, nothing is recorded)
   */
  public void release(int held, long durationNanos, Outcome outcome, int attempts) {
    if ((held & HELD_BREAKER) != 0) {
      CircuitBreaker cb = breaker;
      if (cb != null) {
        if (attempts == 0 || outcome == Outcome.CANCELLED || outcome == Outcome.REJECTED) {
          cb.releasePermission(); // nothing learned about the service
        } else if (outcome.isEndpointFailure()) {
          cb.onError(durationNanos, TimeUnit.NANOSECONDS, FAILED_CALL);
        } else {
          cb.onSuccess(durationNanos, TimeUnit.NANOSECONDS);
        }
        noteBreakerState(cb);
      }
    }
    releaseBulkhead(held);
  }

  /** One notification per breaker state change, found by comparing states (an event consumer allocates per call). */
  private void noteBreakerState(CircuitBreaker cb) {
    BreakerState now = stateOf(cb.getState());
    BreakerState seen = breakerSeen.get();
    if (now != seen && breakerSeen.compareAndSet(seen, now)) {
      breakerSinceNanos = ticker.read();
      if (now == BreakerState.OPEN) {
        log.warn("service '{}': circuit breaker {} -> OPEN (failure rate {}%, slow-call rate {}%)", service, seen,
            cb.getMetrics().getFailureRate(), cb.getMetrics().getSlowCallRate());
      } else {
        log.info("service '{}': circuit breaker {} -> {}", service, seen, now);
      }
      onBreakerState.accept(now);
    }
  }

  private static BreakerState stateOf(CircuitBreaker.State s) {
    return switch (s) {
      case OPEN -> BreakerState.OPEN;
      case HALF_OPEN -> BreakerState.HALF_OPEN;
      case FORCED_OPEN -> BreakerState.FORCED_OPEN;
      case DISABLED -> BreakerState.DISABLED;
      default -> BreakerState.CLOSED;
    };
  }

  /** Attempts a call may make, the first included. */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** Whether non-idempotent requests are retried after they may have been sent. */
  public boolean retriesNonIdempotent() {
    return retryNonIdempotent;
  }

  /** Whether {@code status} is configured as retryable. */
  public boolean isRetryableStatus(int status) {
    return status >= 0 && retryableStatus.get(status);
  }

  /**
   * Whether the failed attempt number {@code attempt} (0-based) may be retried, and after how long. Counts the
   * retry (or the budget or deadline refusal) here.
   *
   * @param retryAfter the response's {@code Retry-After} value, or {@code null}
   * @return the backoff in nanos, or one of the negative {@code NO_RETRY_*} reasons
   */
  public long retryDelay(Outcome outcome, String method, int attempt, long nowNanos, long deadline,
      @Nullable String retryAfter) {
    if (attempt + 1 >= maxAttempts) {
      return NO_RETRY_ATTEMPTS;
    }
    boolean neverLeft = outcome == Outcome.CONNECT_ERROR;
    if (!neverLeft && !retryNonIdempotent && !isIdempotent(method)) {
      return NO_RETRY_METHOD;
    }
    long delay = backoff.apply(attempt + 1) * 1_000_000L;
    if (retryAfter != null) {
      long asked = RetryAfter.nanos(retryAfter, System.currentTimeMillis());
      if (asked > maxBackoffNanos) {
        return NO_RETRY_RETRY_AFTER; // more patience than we are configured to spend: let the caller decide
      }
      delay = Math.max(delay, asked);
    }
    long need = configuredPerAttemptNanos > 0 ? configuredPerAttemptNanos : AttemptTimeouts.MIN_ATTEMPT_NANOS;
    if (deadline != Deadlines.NONE && deadline - nowNanos - delay < need) {
      deadlineExceeded.increment();
      return NO_RETRY_DEADLINE;
    }
    if (!budget.tryAcquireRetry(nowNanos)) {
      budgetDenied.increment();
      return NO_RETRY_BUDGET;
    }
    retries.increment();
    return delay;
  }

  /** Counts a deadline that expired between attempts or while a response was read. */
  public void countDeadlineExceeded() {
    deadlineExceeded.increment();
  }

  /** GET, HEAD, OPTIONS, PUT and DELETE (RFC 9110 idempotent methods; TRACE is never proxied). */
  public static boolean isIdempotent(String method) {
    return switch (method) {
      case "GET", "HEAD", "OPTIONS", "PUT", "DELETE" -> true;
      default -> false;
    };
  }

  /** The breaker state now. */
  public BreakerState breakerState() {
    CircuitBreaker cb = breaker;
    return cb == null ? BreakerState.DISABLED : stateOf(cb.getState());
  }

  /** Since when (ticker nanos) the breaker is in its current state, as far as the mesh saw. */
  public long breakerSinceNanos() {
    return breakerSinceNanos;
  }

  /** When an open breaker lets a trial call through (ticker nanos), or 0 when it is not open. */
  public long breakerNextTrialNanos() {
    return breakerState() == BreakerState.OPEN ? breakerSinceNanos + openWaitNanos : 0;
  }

  /** The breaker's failure rate in percent over its window, or -1 before it has enough calls. */
  public float breakerFailureRate() {
    CircuitBreaker cb = breaker;
    return cb == null ? -1 : cb.getMetrics().getFailureRate();
  }

  /** A {@link Clock} over a {@link Ticker}, so that the breaker's open-state wait follows an injected ticker. */
  static final class TickerClock extends Clock {
    private final Ticker ticker;

    TickerClock(Ticker ticker) {
      this.ticker = ticker;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.EPOCH.plusNanos(ticker.read());
    }
  }
}
