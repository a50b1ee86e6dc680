package io.meshsdk.benchmarks;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Floors for {@link ObservabilityBenchmark}'s metrics figures, measured in the same run: one Micrometer
 * {@code Timer.record} on a looked-up timer, and that plus the in-flight counter's increment and decrement
 * (what {@code MeshMetrics} does per call, minus its one map lookup).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MicrometerBaselineBenchmark {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Timer timer = Timer.builder("baseline").tag("service", "inventory").register(registry);
  private final AtomicInteger active = new AtomicInteger();

  @Benchmark
  public Timer timerRecord() {
    timer.record(1_000, TimeUnit.NANOSECONDS);
    return timer;
  }

  @Benchmark
  public Timer timerRecordAndActiveGauge() {
    active.incrementAndGet();
    timer.record(1_000, TimeUnit.NANOSECONDS);
    active.decrementAndGet();
    return timer;
  }
}
