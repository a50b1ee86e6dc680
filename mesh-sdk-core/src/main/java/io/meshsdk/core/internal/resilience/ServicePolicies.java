package io.meshsdk.core.internal.resilience;

import io.github.resilience4j.core.IntervalFunction;
import io.meshsdk.core.common.MeshRejectedException;
import io.meshsdk.core.common.Ticker;
import io.meshsdk.core.observe.Outcome;
import io.meshsdk.core.resilience.BreakerState;
import io.meshsdk.core.resilience.Bulkhead;
import io.meshsdk.core.resilience.BulkheadFullException;
import io.meshsdk.core.resilience.CircuitOpenException;
import io.meshsdk.core.resilience.DeadlineExceededException;
import io.meshsdk.core.resilience.Deadlines;
import io.meshsdk.core.resilience.RateLimitedException;
import io.meshsdk.core.resilience.RateLimiter;
import io.meshsdk.core.resilience.ResilienceConfig;
import io.meshsdk.core.resilience.RetryConfig;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The resilience policies of one service, compiled once per config (never per call): the mesh's own
 * {@link ServiceBreaker}, {@link RateLimiter} and {@link Bulkhead}, resilience4j's backoff function, the retry
 * budget and the adaptive attempt timeout, plus the counters
 * behind {@link io.meshsdk.core.resilience.ResilienceView}. Pure decisions: the engine acts on them and tells the
 * observers.
 *
 * <p>Admission order is fixed: deadline → bulkhead → rate limiter → breaker (see {@code docs/resilience.md}).
 * Nothing here allocates on a call that is admitted and not retried; a rejection allocates its exception only (no
 * stack trace, no message until someone reads it).
 */
public final class ServicePolicies {

  /** {@link #admit} acquired a bulkhead slot. */
  public static final int HELD_BULKHEAD = 1;
  /** {@link #admit} acquired a breaker permission (its {@link ServiceBreaker} permit is in the bits above). */
  public static final int HELD_BREAKER = 2;
  /** Where the breaker's permit sits in the {@code held} bits. */
  private static final int PERMIT_SHIFT = 2;

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

  private final String service;
  private final ResilienceConfig config;
  private final @Nullable ServiceBreaker breaker;
  private final @Nullable RateLimiter limiter;
  private final @Nullable Bulkhead bulkhead;
  /** What the rejections say, read once here rather than through the config records per rejection. */
  private final int ratePermits;
  private final java.time.Duration ratePeriod;
  private final int maxConcurrentCalls;
  private final IntervalFunction backoff;
  private final RetryBudget budget;
  private final AttemptTimeouts attemptTimeouts;
  private final java.util.BitSet retryableStatus = new java.util.BitSet(600); // 80 B, not a 616 B boolean[600]
  private final int maxAttempts;
  private final long callTimeoutNanos;
  private final long maxBackoffNanos;
  private final boolean retryNonIdempotent;
  private final String retryableStatusList;
  private final long configuredPerAttemptNanos;
  final LongAdder breakerRejections = new LongAdder();
  final LongAdder rateLimitRejections = new LongAdder();
  final LongAdder bulkheadRejections = new LongAdder();
  final LongAdder deadlineExceeded = new LongAdder();
  final LongAdder retries = new LongAdder();
  final LongAdder budgetDenied = new LongAdder();
  private final long createdNanos;

  /**
   * Compiles {@code config} for {@code service}.
   *
   * @param onBreakerState told of every breaker state change, once (on the thread that made it; must not block)
   */
  public ServicePolicies(String service, ResilienceConfig config, Ticker ticker, Consumer<BreakerState> onBreakerState) {
    this.service = service;
    this.config = config;
    this.createdNanos = ticker.read();
    this.breaker = config.breaker().enabled()
        ? new ServiceBreaker(service, config.breaker(), ticker, onBreakerState) : null;
    this.limiter = config.rateLimit().enabled() ? new RateLimiter(config.rateLimit(), createdNanos) : null;
    this.bulkhead = config.bulkhead().enabled() ? new Bulkhead(config.bulkhead().maxConcurrentCalls()) : null;
    this.ratePermits = config.rateLimit().permits();
    this.ratePeriod = config.rateLimit().period();
    this.maxConcurrentCalls = config.bulkhead().maxConcurrentCalls();
    RetryConfig r = config.retry();
    this.backoff = IntervalFunction.ofExponentialRandomBackoff(r.backoff().toMillis(), r.backoffMultiplier(),
        r.jitter(), r.maxBackoff().toMillis());
    this.budget = new RetryBudget(r.budgetPercent(), r.budgetWindow().toNanos(), r.budgetMinPerSecond());
    for (int s : r.statuses()) {
      retryableStatus.set(s);
    }
    this.retryableStatusList = retryableStatus.stream().mapToObj(Integer::toString)
        .collect(java.util.stream.Collectors.joining(","));
    this.maxAttempts = r.effectiveMaxAttempts();
    this.maxBackoffNanos = r.maxBackoff().toNanos();
    this.retryNonIdempotent = r.nonIdempotent();
    this.callTimeoutNanos = config.timeout().call().toNanos();
    this.attemptTimeouts = new AttemptTimeouts(config.timeout().perAttempt().toNanos());
    this.configuredPerAttemptNanos = config.timeout().perAttempt().toNanos();
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
   *
   * <p>With {@code rate-limit.max-wait} &gt; 0 a call may wait here for a permit of a coming cycle, as long as the
   * wait ends within {@code max-wait} and before {@code deadline}; otherwise it is refused at once.
   */
  public int admit(long nowNanos, long deadline) throws MeshRejectedException {
    if (deadline != Deadlines.NONE && deadline - nowNanos <= 0) {
      deadlineExceeded.increment();
      throw new DeadlineExceededException(service, "no time left before the first attempt",
          (nowNanos - deadline) / 1_000_000L);
    }
    int held = 0;
    Bulkhead bh = bulkhead;
    if (bh != null) {
      if (!bh.tryAcquire()) {
        bulkheadRejections.increment();
        throw new BulkheadFullException(service, maxConcurrentCalls);
      }
      held = HELD_BULKHEAD;
    }
    try {
      RateLimiter rl = limiter;
      if (rl != null) {
        long maxWait = rl.maxWaitNanos();
        if (maxWait > 0 && deadline != Deadlines.NONE) {
          maxWait = Math.min(maxWait, deadline - nowNanos - 1); // the wait ends before the deadline
        }
        long wait = rl.acquire(nowNanos, maxWait);
        if (wait != 0 && (wait == RateLimiter.REFUSED || !RateLimiter.park(wait))) {
          rateLimitRejections.increment();
          throw new RateLimitedException(service, ratePermits, ratePeriod);
        }
      }
      ServiceBreaker cb = breaker;
      if (cb != null) {
        int permit = cb.tryAcquire(nowNanos);
        if (permit == ServiceBreaker.REFUSED) {
          breakerRejections.increment();
          throw new CircuitOpenException(service, cb.state().name());
        }
        held |= HELD_BREAKER | (permit << PERMIT_SHIFT);
      }
      return held;
    } catch (MeshRejectedException | RuntimeException e) {
      if (bh != null) {
        bh.release();
      }
      throw e;
    }
  }

  /** Releases the bulkhead slot {@link #admit} held (when the response headers arrived, or the call failed). */
  public int releaseBulkhead(int held) {
    if ((held & HELD_BULKHEAD) != 0) {
      Bulkhead bh = bulkhead;
      if (bh != null) {
        bh.release();
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
      ServiceBreaker cb = breaker;
      if (cb != null) {
        int permit = held >>> PERMIT_SHIFT;
        if (attempts == 0 || outcome == Outcome.CANCELLED || outcome == Outcome.REJECTED) {
          cb.releasePermit(permit); // nothing learned about the service
        } else {
          cb.onResult(permit, durationNanos, outcome.isEndpointFailure());
        }
      }
    }
    releaseBulkhead(held);
  }

  /** Attempts a call may make, the first included. */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** Whether non-idempotent requests are retried after they may have been sent. */
  public boolean retriesNonIdempotent() {
    return retryNonIdempotent;
  }

  /** The retryable statuses, ascending, comma-separated ({@code "502,503,504"}), computed at config time. */
  public String retryableStatusList() {
    return retryableStatusList;
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
    ServiceBreaker cb = breaker;
    return cb == null ? BreakerState.DISABLED : cb.state();
  }

  /** Since when (ticker nanos) the breaker is in its current state (when these policies were built, if off). */
  public long breakerSinceNanos() {
    ServiceBreaker cb = breaker;
    return cb == null ? createdNanos : cb.sinceNanos();
  }

  /** When an open breaker lets a trial call through (ticker nanos), or 0 when it is not open. */
  public long breakerNextTrialNanos() {
    ServiceBreaker cb = breaker;
    return cb == null ? 0 : cb.nextTrialNanos();
  }

  /**
   * The breaker's failure rate in percent (over its window when closed, the trial calls when half-open, the calls
   * that opened it when open), or -1 before it has enough calls.
   */
  public float breakerFailureRate() {
    ServiceBreaker cb = breaker;
    return cb == null ? -1 : cb.failureRate();
  }
}
