package io.meshsdk.benchmarks;

import io.meshsdk.core.common.MeshRejectedException;
import io.meshsdk.core.common.Ticker;
import io.meshsdk.core.config.ServiceConfig;
import io.meshsdk.core.internal.resilience.ServicePolicies;
import io.meshsdk.core.resilience.BulkheadFullException;
import io.meshsdk.core.resilience.CircuitOpenException;
import io.meshsdk.core.resilience.DeadlineExceededException;
import io.meshsdk.core.resilience.Deadlines;
import io.meshsdk.core.resilience.RateLimitedException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a refused call costs: admission refusing it (an open breaker, a spent rate limiter, a full bulkhead, no time
 * left) at a realistic stack depth (a call made deep inside an application: {@code depth} frames), and the bare
 * construction of each rejection exception. Rejections are built without a stack trace, so the depth should not
 * matter; {@code filledIoException} shows what an exception with a trace costs at the same depth, and
 * {@code recursionOnly} what the benchmark's own recursion to that depth and its ticker read cost (the floor under
 * every admission figure here).
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar RejectionBenchmark -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RejectionBenchmark {

  @Param({"1", "60"})
  public int depth;

  private ServicePolicies openBreaker;
  private ServicePolicies spentLimiter;
  private ServicePolicies fullBulkhead;
  private ServicePolicies defaults;
  /** A deadline already passed (it stays passed): the admission's own cost, not a second ticker read. */
  private long pastDeadline;
  private final Ticker ticker = Ticker.SYSTEM;

  @Setup
  public void setUp() throws Exception {
    openBreaker = policies(ServiceConfig.builder().set("breaker.window-size", "2").set("breaker.minimum-calls", "2")
        .set("breaker.open-wait", "1h"));
    for (int i = 0; i < 2; i++) {
      int held = openBreaker.admit(ticker.read(), Deadlines.NONE);
      openBreaker.release(held, 1, io.meshsdk.core.observe.Outcome.SERVER_ERROR, 1);
    }
    spentLimiter = policies(ServiceConfig.builder().set("rate-limit.permits", "1").set("rate-limit.period", "1h"));
    spentLimiter.admit(ticker.read(), Deadlines.NONE);
    fullBulkhead = policies(ServiceConfig.builder().set("bulkhead.max-concurrent-calls", "1"));
    fullBulkhead.admit(ticker.read(), Deadlines.NONE);
    defaults = policies(ServiceConfig.builder());
    pastDeadline = ticker.read() - 1;
  }

  private ServicePolicies policies(ServiceConfig.Builder b) {
    return new ServicePolicies("bench", b.build().resilience(), ticker, state -> { });
  }

  private Object deep(int n, ServicePolicies p, long deadline) {
    if (n > 1) {
      return deep(n - 1, p, deadline);
    }
    try {
      return p.admit(ticker.read(), deadline);
    } catch (MeshRejectedException e) {
      return e;
    }
  }

  private long deepRead(int n) {
    if (n > 1) {
      return deepRead(n - 1);
    }
    return ticker.read();
  }

  private Object deepNew(int n, int kind) {
    if (n > 1) {
      return deepNew(n - 1, kind);
    }
    return switch (kind) {
      case 0 -> new CircuitOpenException("bench", "OPEN");
      case 1 -> new RateLimitedException("bench", 1, Duration.ofHours(1));
      case 2 -> new BulkheadFullException("bench", 1);
      case 3 -> new DeadlineExceededException("bench", "no time left before the first attempt", 0);
      default -> new java.io.IOException("a failure with a stack trace");
    };
  }

  @Benchmark
  public Object breakerOpen() {
    return deep(depth, openBreaker, Deadlines.NONE);
  }

  @Benchmark
  public Object rateLimited() {
    return deep(depth, spentLimiter, Deadlines.NONE);
  }

  @Benchmark
  public Object bulkheadFull() {
    return deep(depth, fullBulkhead, Deadlines.NONE);
  }

  @Benchmark
  public Object deadlinePassed() {
    return deep(depth, defaults, pastDeadline);
  }

  /** The recursion to {@code depth} and the ticker read every admission variant makes, nothing else. */
  @Benchmark
  public long recursionOnly() {
    return deepRead(depth);
  }

  @Benchmark
  public Object newCircuitOpenException() {
    return deepNew(depth, 0);
  }

  @Benchmark
  public Object filledIoException() {
    return deepNew(depth, 4);
  }
}
