package io.meshsdk.benchmarks;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.meshsdk.core.common.Ticker;
import io.meshsdk.core.config.ServiceConfig;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.internal.concurrent.MeshScheduler;
import io.meshsdk.core.internal.directory.TrackedEndpoint;
import io.meshsdk.core.internal.resilience.ServiceBreaker;
import io.meshsdk.core.internal.resilience.ServicePolicies;
import io.meshsdk.core.internal.resilience.ServiceResilience;
import io.meshsdk.core.observe.Outcome;
import io.meshsdk.core.resilience.BreakerConfig;
import io.meshsdk.core.resilience.Deadlines;
import io.meshsdk.core.resilience.ResilienceConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Admission + retry wrapper cost per call with no network: the mesh's compiled {@link ServicePolicies} (and the
 * outlier detector's bookkeeping) doing exactly what the engine's call executor does around an attempt that
 * succeeds (deadline, bulkhead, rate limiter,
 * breaker, retry budget, retry decision, outlier bookkeeping, release), next to resilience4j's own decorators
 * (Bulkhead → RateLimiter → CircuitBreaker → Retry) around the same no-op, in the same order. The
 * {@code *BreakerOnly} pair compares the mesh's {@link ServiceBreaker} with resilience4j's {@code CircuitBreaker}
 * alone (permission + a successful outcome, same window).
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar ResilienceBenchmark -prof gc -f 1 -wi 3 -w 1s -i 5 -r 1s
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ResilienceBenchmark {

  private static final int OK = 200;

  private ServiceResilience allPolicies;
  private ServiceResilience defaultPolicies;
  private TrackedEndpoint endpoint;
  private MeshScheduler scheduler;
  private Supplier<Integer> r4jAll;
  private Supplier<Integer> r4jDefault;
  private RateLimiter rateLimiter;
  private io.meshsdk.core.resilience.RateLimiter meshRateLimiter;
  private ServiceBreaker meshBreaker;
  private CircuitBreaker r4jBreaker;
  private long callStart;
  private final Ticker ticker = Ticker.SYSTEM;

  @Setup(Level.Trial)
  public void setUp() {
    endpoint = new TrackedEndpoint(Endpoint.of("bench", "127.0.0.1", 8080), ticker.read());
    EndpointSet set = new EndpointSet("bench", 1, List.of(endpoint));
    ResilienceConfig all = ServiceConfig.builder()
        .set("rate-limit.permits", "1000000000")
        .set("rate-limit.period", "1s")
        .set("bulkhead.max-concurrent-calls", "1000")
        .build().resilience();
    scheduler = new MeshScheduler("bench-control");
    okhttp3.OkHttpClient client = new okhttp3.OkHttpClient();
    allPolicies = new ServiceResilience("bench", all, ticker, () -> set, Runnable::run, scheduler, client,
        (e, ejected, reason, detail) -> { }, state -> { });
    defaultPolicies = new ServiceResilience("bench", ResilienceConfig.ofDefaults(), ticker, () -> set,
        Runnable::run, scheduler, client, (e, ejected, reason, detail) -> { }, state -> { });

    CircuitBreaker cb = CircuitBreaker.of("bench", CircuitBreakerConfig.custom()
        .failureRateThreshold(50).slidingWindow(100, 20, CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
        .waitDurationInOpenState(Duration.ofSeconds(10)).permittedNumberOfCallsInHalfOpenState(5).build());
    RateLimiter rl = RateLimiter.of("bench", RateLimiterConfig.custom().limitForPeriod(1_000_000_000)
        .limitRefreshPeriod(Duration.ofSeconds(1)).timeoutDuration(Duration.ZERO).build());
    rateLimiter = RateLimiter.of("bench-rl", rl.getRateLimiterConfig());
    meshRateLimiter = new io.meshsdk.core.resilience.RateLimiter(1_000_000_000, Duration.ofSeconds(1),
        Duration.ZERO, ticker.read());
    Bulkhead bh = Bulkhead.of("bench", BulkheadConfig.custom().maxConcurrentCalls(1000)
        .maxWaitDuration(Duration.ZERO).build());
    Retry retry = Retry.of("bench", RetryConfig.<Integer>custom().maxAttempts(3)
        .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(25, 2.0, 0.5, 1000))
        .retryOnResult(code -> code == 502 || code == 503 || code == 504).build());
    Supplier<Integer> attempt = () -> OK;
    r4jAll = Bulkhead.decorateSupplier(bh, RateLimiter.decorateSupplier(rl,
        CircuitBreaker.decorateSupplier(cb, Retry.decorateSupplier(retry, attempt))));
    CircuitBreaker cb2 = CircuitBreaker.of("bench2", cb.getCircuitBreakerConfig());
    Retry retry2 = Retry.of("bench2", retry.getRetryConfig());
    r4jDefault = CircuitBreaker.decorateSupplier(cb2, Retry.decorateSupplier(retry2, attempt));
    meshBreaker = new ServiceBreaker("bench3", BreakerConfig.ofDefaults(), ticker, state -> { });
    r4jBreaker = CircuitBreaker.of("bench3", cb.getCircuitBreakerConfig());
    callStart = ticker.read();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    allPolicies.close();
    defaultPolicies.close();
    scheduler.close();
  }

  /**
   * What the call executor adds around one successful attempt, minus what the call path does besides
   * resilience (pick, rewrite, proceed, endpoint statistics): the same calls in the same order.
   */
  private int mesh(ServiceResilience r) throws Exception {
    ServicePolicies p = r.policies();
    long start = ticker.read();
    long deadline = p.deadline(start, Deadlines.NONE, null);
    int held = p.admit(start, deadline);
    Outcome outcome = Outcome.REJECTED;
    int attempts = 0;
    long end = start;
    try {
      p.budget().recordRequest(start);
      attempts++;
      int code = OK; // the attempt
      long t1 = ticker.read();
      end = t1;
      outcome = Outcome.SUCCESS;
      r.outlier().onAttemptEnd(endpoint, false);
      if (p.isRetryableStatus(code)) {
        throw new IllegalStateException("not on the success path");
      }
      held = p.releaseBulkhead(held);
      return code;
    } finally {
      p.release(held, end - start, outcome, attempts);
    }
  }

  @Benchmark
  public int meshAllPolicies() throws Exception {
    return mesh(allPolicies);
  }

  @Benchmark
  public Integer resilience4jAllPolicies() {
    return r4jAll.get();
  }

  @Benchmark
  public int meshDefaults() throws Exception {
    return mesh(defaultPolicies);
  }

  @Benchmark
  public Integer resilience4jBreakerAndRetry() {
    return r4jDefault.get();
  }

  /**
   * The mesh's breaker alone: a permission and a fast success (default window: 100 calls). The time is the call's
   * start, which the call path has already read (a closed breaker does not look at it), so no clock read here.
   */
  @Benchmark
  public int meshBreakerOnly() {
    int permit = meshBreaker.tryAcquire(callStart);
    meshBreaker.onResult(permit, 1_000, false);
    return permit;
  }

  /** resilience4j's breaker alone, same window: a permission and a fast success. */
  @Benchmark
  public boolean resilience4jBreakerOnly() {
    boolean permitted = r4jBreaker.tryAcquirePermission();
    r4jBreaker.onSuccess(1_000, TimeUnit.NANOSECONDS);
    return permitted;
  }

  /** resilience4j's AtomicRateLimiter alone: it allocates a new immutable state per permit. */
  @Benchmark
  public boolean resilience4jRateLimiterOnly() {
    return rateLimiter.acquirePermission();
  }

  /**
   * The mesh's rate limiter alone (ADR 0024), with the ticker read resilience4j's makes inside: one
   * compare-and-set of a {@code long}, no allocation.
   */
  @Benchmark
  public boolean meshRateLimiterOnly() {
    return meshRateLimiter.acquire(ticker.read()) == 0;
  }

  @Benchmark
  public void baselineNoop(Blackhole bh) {
    bh.consume(OK);
  }
}
