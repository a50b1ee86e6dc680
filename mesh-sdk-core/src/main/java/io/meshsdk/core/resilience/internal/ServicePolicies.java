package io.meshsdk.core.resilience.internal;

import io.meshsdk.core.internal.ObserverCalls;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.meshsdk.core.MeshException;
import io.meshsdk.core.Ticker;
import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.endpoint.EndpointState;
import io.meshsdk.core.observe.CallObserver;
import io.meshsdk.core.observe.MeshEvent;
import io.meshsdk.core.observe.MeshObserver;
import io.meshsdk.core.observe.Outcome;
import io.meshsdk.core.resilience.BreakerConfig;
import io.meshsdk.core.resilience.BulkheadFullException;
import io.meshsdk.core.resilience.CircuitOpenException;
import io.meshsdk.core.resilience.DeadlineExceededException;
import io.meshsdk.core.resilience.Deadlines;
import io.meshsdk.core.resilience.RateLimitedException;
import io.meshsdk.core.resilience.ResilienceConfig;
import io.meshsdk.core.resilience.ResilienceView;
import io.meshsdk.core.resilience.RetryConfig;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The resilience policies of one service, compiled once per config (never per call): resilience4j breaker,
 * rate limiter and bulkhead, the backoff function, the retry budget, the outlier detector and the optional
 * health checker, plus the counters behind {@link ResilienceView}.
 *
 * <p>Admission order is fixed: deadline → bulkhead → rate limiter → breaker (see {@code docs/resilience.md}).
 * Nothing here allocates on a call that is admitted and not retried.
 */
public final class ServicePolicies implements ResilienceView {

  private static final Logger log = LoggerFactory.getLogger(ServicePolicies.class);

  /** {@link #admit} acquired a bulkhead slot. */
  public static final int HELD_BULKHEAD = 1;
  /** {@link #admit} acquired a breaker permission. */
  public static final int HELD_BREAKER = 2;

  /** Recorded with the breaker for a call that failed with a status rather than an exception. */
  private static final Exception FAILED_CALL = new Exception("call failed", null, false, false) {
    private static final long serialVersionUID = 1L;
  };

  private final String service;
  private final ResilienceConfig config;
  private final Ticker ticker;
  private final @Nullable CircuitBreaker breaker;
  private volatile Runnable refreshPicker;
  private final @Nullable RateLimiter limiter;
  private final @Nullable Bulkhead bulkhead;
  private final IntervalFunction backoff;
  private final RetryBudget budget;
  private final OutlierDetector outlier;
  private final @Nullable HealthChecker healthChecker;
  private final boolean[] retryableStatus = new boolean[600];
  private final int maxAttempts;
  private final long perAttemptNanos;
  private final long callTimeoutNanos;
  private final long maxBackoffNanos;
  private final boolean retryNonIdempotent;
  private final int panicThreshold;
  private final LongAdder breakerRejections = new LongAdder();
  private final LongAdder rateLimitRejections = new LongAdder();
  private final LongAdder bulkheadRejections = new LongAdder();
  private final LongAdder deadlineExceeded = new LongAdder();
  private final LongAdder retries = new LongAdder();
  private final LongAdder budgetDenied = new LongAdder();
  private final LongAdder ejections = new LongAdder();
  private final LongAdder restorations = new LongAdder();
  private volatile boolean panic;
  private final java.util.concurrent.atomic.AtomicReference<CircuitBreaker.State> breakerSeen =
      new java.util.concurrent.atomic.AtomicReference<>(CircuitBreaker.State.CLOSED);
  private volatile EndpointState[] eligible = new EndpointState[0];
  private @Nullable ScheduledFuture<?> sweeper;

  /**
   * Compiles {@code config} for {@code service}.
   *
   * @param endpoints the service's current snapshot
   * @param refreshPicker rebuilds the service's picker (after an ejection or restoration)
   */
  public ServicePolicies(String service, ResilienceConfig config, Supplier<EndpointSet> endpoints,
      Runnable refreshPicker, MeshObserver observer, Ticker ticker) {
    this.service = service;
    this.config = config;
    this.ticker = ticker;
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
      retryableStatus[s] = true;
    }
    this.maxAttempts = r.effectiveMaxAttempts();
    this.maxBackoffNanos = r.maxBackoff().toNanos();
    this.retryNonIdempotent = r.nonIdempotent();
    this.perAttemptNanos = config.timeout().perAttempt().toNanos();
    this.callTimeoutNanos = config.timeout().call().toNanos();
    this.panicThreshold = config.outlier().panicThreshold();
    this.refreshPicker = refreshPicker;
    this.outlier = new OutlierDetector(service, config.outlier(), endpoints, () -> this.refreshPicker.run(),
        observer, ticker, ejections, restorations);
    this.healthChecker = config.healthCheck().enabled()
        ? new HealthChecker(config.healthCheck(), endpoints, outlier) : null;
  }

  private static CircuitBreakerConfig breakerConfig(BreakerConfig b, Ticker ticker) {
    CircuitBreakerConfig.Builder cb = CircuitBreakerConfig.custom()
        .failureRateThreshold(b.failureRateThreshold())
        .slowCallRateThreshold(b.slowCallRateThreshold())
        .slowCallDurationThreshold(b.slowCallDuration())
        .slidingWindow(b.windowSize(), b.minimumCalls(),
            CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
        .waitDurationInOpenState(b.openWait())
        .permittedNumberOfCallsInHalfOpenState(b.halfOpenCalls());
    if (ticker != Ticker.SYSTEM) {
      cb.clock(new TickerClock(ticker)); // tests drive the open-state wait with a fake ticker
    }
    return cb.build();
  }

  /**
   * Hands these policies (breaker state, budget, ejections, counters) to a new pipeline of the same service
   * after a config change that left the resilience config as it was: ejections and restorations now rebuild
   * {@code refreshPicker}'s picker.
   */
  public void rebind(Runnable refreshPicker) {
    this.refreshPicker = java.util.Objects.requireNonNull(refreshPicker, "refreshPicker");
  }

  /** Starts the periodic chores (restoration, failure-rate windows, health checks); idempotent. */
  public synchronized void start() {
    if (sweeper != null) {
      return;
    }
    sweeper = ResilienceTimer.every(config.outlier().interval().toNanos(), "outlier-sweep " + service,
        outlier::sweep);
    if (healthChecker != null) {
      healthChecker.start();
    }
  }

  /** Stops the chores. */
  public void close() {
    ScheduledFuture<?> s = sweeper;
    if (s != null) {
      s.cancel(false);
    }
    if (healthChecker != null) {
      healthChecker.close();
    }
  }

  /** The config compiled here. */
  public ResilienceConfig config() {
    return config;
  }

  /** The outlier detector. */
  public OutlierDetector outlier() {
    return outlier;
  }

  /** The retry budget. */
  public RetryBudget budget() {
    return budget;
  }

  /**
   * The eligible endpoints for a new picker (non-ejected, or all in panic mode); also remembered for
   * "retry elsewhere" lookups. Called when the picker is rebuilt, never per call.
   */
  public List<EndpointState> eligible(EndpointSet set) {
    List<EndpointState> out = new ArrayList<>(set.size());
    boolean nowPanic = OutlierDetector.eligible(set, panicThreshold, out);
    if (nowPanic != panic) {
      panic = nowPanic;
      if (nowPanic) {
        log.warn("service '{}': panic mode, only {} of {} endpoint(s) healthy (threshold {}%); balancing over all",
            service, set.size() - outlier.ejected().size(), set.size(), panicThreshold);
      } else {
        log.info("service '{}': left panic mode", service);
      }
    }
    eligible = out.toArray(new EndpointState[0]);
    return out;
  }

  /** The current eligible endpoints (read-only; do not modify). */
  public EndpointState[] eligibleArray() {
    return eligible;
  }

  /**
   * The deadline of a call starting at {@code nowNanos} (ticker nanos, or {@link Deadlines#NONE}): the
   * earliest of the thread's inbound deadline, the request's own {@value Deadlines#HEADER} and
   * {@code timeout.call}.
   */
  public long deadline(long nowNanos, @Nullable String headerValue) {
    long d = Deadlines.current();
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
   * Admission: deadline → bulkhead → rate limiter → breaker. Returns the {@code HELD_*} bits to pass to
   * {@link #release}; throws a specific rejection without touching the network.
   */
  public int admit(long nowNanos, long deadline, CallObserver obs) throws MeshException {
    if (deadline != Deadlines.NONE && deadline - nowNanos <= 0) {
      deadlineExceeded.increment();
      ObserverCalls.event(obs, MeshEvent.DEADLINE_EXCEEDED, "no time left before the first attempt");
      throw new DeadlineExceededException(service, "no time left before the first attempt ("
          + (deadline - nowNanos) / 1_000_000L + " ms)");
    }
    int held = 0;
    Bulkhead bh = bulkhead;
    if (bh != null) {
      if (!bh.tryAcquirePermission()) {
        bulkheadRejections.increment();
        ObserverCalls.event(obs, MeshEvent.BULKHEAD_REJECTED, "max-concurrent-calls reached");
        throw new BulkheadFullException(service, config.bulkhead().maxConcurrentCalls());
      }
      held = HELD_BULKHEAD;
    }
    try {
      RateLimiter rl = limiter;
      if (rl != null && !rl.acquirePermission()) {
        rateLimitRejections.increment();
        ObserverCalls.event(obs, MeshEvent.RATE_LIMITED, "no permit");
        throw new RateLimitedException(service, config.rateLimit().permits(), config.rateLimit().period());
      }
      CircuitBreaker cb = breaker;
      if (cb != null) {
        if (!cb.tryAcquirePermission()) {
          breakerRejections.increment();
          String state = cb.getState().name();
          ObserverCalls.event(obs, MeshEvent.BREAKER_REJECTED, state);
          throw new CircuitOpenException(service, state);
        }
        held |= HELD_BREAKER;
      }
      return held;
    } catch (MeshException | RuntimeException e) {
      if (bh != null) {
        bh.onComplete();
      }
      throw e;
    }
  }

  /**
   * Releases what {@link #admit} held and records the call's final outcome with the breaker.
   *
   * @param attempts attempts made (0: the call never reached the network, nothing is recorded)
   */
  public void release(int held, long durationNanos, Outcome outcome, int attempts) {
    if ((held & HELD_BREAKER) != 0) {
      CircuitBreaker cb = breaker;
      if (cb != null) {
        if (attempts == 0 || outcome == Outcome.CANCELLED) { // nothing learned about the service
          cb.releasePermission();
        } else if (outcome.isEndpointFailure()) {
          cb.onError(durationNanos, TimeUnit.NANOSECONDS, FAILED_CALL);
        } else {
          cb.onSuccess(durationNanos, TimeUnit.NANOSECONDS);
        }
        logTransition(cb);
      }
    }
    if ((held & HELD_BULKHEAD) != 0) {
      Bulkhead bh = bulkhead;
      if (bh != null) {
        bh.onComplete();
      }
    }
  }

  /**
   * One log line per breaker state change, found by comparing states (a resilience4j event consumer would make
   * the breaker allocate an event object on every call).
   */
  private void logTransition(CircuitBreaker cb) {
    CircuitBreaker.State now = cb.getState();
    CircuitBreaker.State seen = breakerSeen.get();
    if (now != seen && breakerSeen.compareAndSet(seen, now)) {
      if (now == CircuitBreaker.State.OPEN) {
        log.warn("service '{}': circuit breaker {} -> OPEN (failure rate {}%, slow-call rate {}%)", service, seen,
            cb.getMetrics().getFailureRate(), cb.getMetrics().getSlowCallRate());
      } else {
        log.info("service '{}': circuit breaker {} -> {}", service, seen, now);
      }
    }
  }

  /** Attempts a call may make, the first included. */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** Per-attempt timeout in nanos, or 0. */
  public long perAttemptNanos() {
    return perAttemptNanos;
  }

  /** Whether {@code status} is configured as retryable. */
  public boolean isRetryableStatus(int status) {
    return status >= 0 && status < retryableStatus.length && retryableStatus[status];
  }

  /**
   * Whether the failed attempt number {@code attempt} (0-based) may be retried, and after how long.
   *
   * @param outcome how the attempt ended
   * @param method the HTTP method
   * @param response the response of a retryable status (for {@code Retry-After}), or {@code null}
   * @return the backoff in nanos, or -1 for "do not retry"
   */
  public long retryDelay(Outcome outcome, String method, int attempt, long nowNanos, long deadline,
      @Nullable Response response, CallObserver obs) {
    if (attempt + 1 >= maxAttempts) {
      return -1;
    }
    boolean neverLeft = outcome == Outcome.CONNECT_ERROR;
    if (!neverLeft && !retryNonIdempotent && !isIdempotent(method)) {
      return -1;
    }
    long delay = backoff.apply(attempt + 1) * 1_000_000L;
    if (response != null) {
      long retryAfter = retryAfterNanos(response.header("Retry-After"));
      if (retryAfter > maxBackoffNanos) {
        return -1; // the server asks for more patience than we are configured to spend: let the caller decide
      }
      delay = Math.max(delay, retryAfter);
    }
    if (deadline != Deadlines.NONE) {
      long need = perAttemptNanos > 0 ? perAttemptNanos : 1_000_000L;
      if (deadline - nowNanos - delay < need) {
        deadlineExceeded.increment();
        ObserverCalls.event(obs, MeshEvent.DEADLINE_EXCEEDED, "no room for another attempt");
        return -1;
      }
    }
    if (!budget.tryAcquireRetry(nowNanos)) {
      budgetDenied.increment();
      ObserverCalls.event(obs, MeshEvent.RETRY_BUDGET_EXHAUSTED, "retry budget spent");
      return -1;
    }
    retries.increment();
    ObserverCalls.event(obs, MeshEvent.RETRY, outcome.tag());
    return delay;
  }

  /** A deadline header above this (about 104 days) means "no deadline"; also keeps the nanos from overflowing. */
  static final long MAX_HEADER_DEADLINE_MS = 9_000_000_000L;
  /** {@code Retry-After} is read up to a year (it is capped by the max backoff anyway). */
  static final long MAX_RETRY_AFTER_SECONDS = 365L * 24 * 3600;

  /** GET, HEAD, OPTIONS, PUT and DELETE (RFC 9110 idempotent methods; TRACE is never proxied). */
  public static boolean isIdempotent(String method) {
    return switch (method) {
      case "GET", "HEAD", "OPTIONS", "PUT", "DELETE" -> true;
      default -> false;
    };
  }

  /** {@code Retry-After} as delay-seconds in nanos; 0 when absent or an HTTP date (not honoured). */
  static long retryAfterNanos(@Nullable String value) {
    long s = Deadlines.parseMillis(value == null ? null : value.trim()); // same digits-only parser
    return s < 0 ? 0 : Math.min(s, MAX_RETRY_AFTER_SECONDS) * 1_000_000_000L;
  }

  /** The service's circuit breaker, or {@code null} when it is off (for metrics binding). */
  public @Nullable CircuitBreaker circuitBreaker() {
    return breaker;
  }

  // ---- ResilienceView

  @Override
  public String breakerState() {
    CircuitBreaker cb = breaker;
    return cb == null ? "DISABLED" : cb.getState().name();
  }

  @Override
  public long breakerRejections() {
    return breakerRejections.sum();
  }

  @Override
  public long rateLimitRejections() {
    return rateLimitRejections.sum();
  }

  @Override
  public long bulkheadRejections() {
    return bulkheadRejections.sum();
  }

  @Override
  public long deadlineExceeded() {
    return deadlineExceeded.sum();
  }

  @Override
  public long retries() {
    return retries.sum();
  }

  @Override
  public long retriesDeniedByBudget() {
    return budgetDenied.sum();
  }

  @Override
  public long ejections() {
    return ejections.sum();
  }

  @Override
  public long restorations() {
    return restorations.sum();
  }

  @Override
  public List<EndpointState> ejectedEndpoints() {
    return outlier.ejected();
  }

  @Override
  public boolean panicMode() {
    return panic;
  }

  /** Counts a deadline that expired between attempts. */
  public void countDeadlineExceeded() {
    deadlineExceeded.increment();
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%s breaker=%s rejected(breaker=%d, rate=%d, bulkhead=%d, deadline=%d)"
            + " retries=%d budget-denied=%d ejections=%d restorations=%d",
        service, breakerState(), breakerRejections(), rateLimitRejections(), bulkheadRejections(),
        deadlineExceeded(), retries(), retriesDeniedByBudget(), ejections(), restorations());
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
