package io.meshsdk.benchmarks;

import io.meshsdk.core.common.Ticker;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.endpoint.EndpointState;
import io.meshsdk.core.loadbalancer.LoadBalancer;
import io.meshsdk.core.loadbalancer.LoadBalancerConfig;
import io.meshsdk.core.loadbalancer.LoadBalancers;
import io.meshsdk.core.loadbalancer.PickContext;
import io.meshsdk.core.loadbalancer.Picker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One {@link Picker#pick} per operation, single-threaded, for every built-in balancer at 10, 1,000, 10,000 and
 * 100,000 endpoints. Goals: flat in the endpoint count (O(1), or O(log n) for ring-hash) and 0 B/op
 * ({@code -prof gc}: {@code gc.alloc.rate.norm} ≈ 0).
 *
 * <p>Endpoints have weights 1-10, zones {@code zone-a/b/c} round-robin, label {@code version} v1 (90 %) or
 * v2, and a latency EWMA of 1-50 ms; they were first seen a minute ago (out of slow start). Their records come from
 * one {@code StatsArena}, as a service directory makes them for a service's first snapshot, so least-request reads
 * their statistics from flat cells. Ring-hash calls
 * carry one of 1,024 distinct {@code x-user} keys in turn.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar LoadBalancerPick -prof gc -f 1 -wi 2 -w 1s -i 3 -r 1s</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class LoadBalancerPickBenchmark {

  @Param({"round-robin", "weighted", "least-request", "ring-hash", "zone-aware", "subset"})
  public String balancer;

  @Param({"10", "1000", "10000", "100000"})
  public int endpoints;

  private Picker picker;
  private final KeyContext ctx = new KeyContext();

  @Setup(Level.Trial)
  public void setUp() {
    SplittableRandom r = new SplittableRandom(1);
    long now = Ticker.SYSTEM.read();
    List<EndpointState> states = new ArrayList<>(endpoints);
    io.meshsdk.core.internal.directory.StatsArena arena = new io.meshsdk.core.internal.directory.StatsArena();
    arena.reserve(endpoints);
    for (int i = 0; i < endpoints; i++) {
      Endpoint e = Endpoint.builder("svc", "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255), 8080)
          .weight(1 + r.nextInt(10))
          .zone("zone-" + "abc".charAt(i % 3))
          .labels(Map.of("version", r.nextInt(10) == 0 ? "v2" : "v1"))
          .build();
      io.meshsdk.core.internal.directory.TrackedEndpoint s = arena.newRecord(e, now - TimeUnit.MINUTES.toNanos(1));
      s.attemptStarted();
      s.attemptEnded(TimeUnit.MILLISECONDS.toNanos(1 + r.nextInt(50)), now, false);
      states.add(s);
    }
    LoadBalancerConfig.Builder config = LoadBalancerConfig.builder();
    switch (balancer) {
      case "round-robin", "weighted", "least-request" -> config.policy(balancer);
      case "ring-hash" -> config.ringHash(KeyContext.HEADER);
      case "zone-aware" -> config.policy(LoadBalancerConfig.LEAST_REQUEST).localZone("zone-a");
      case "subset" -> config.policy(LoadBalancerConfig.LEAST_REQUEST)
          .subsetLabel("version")
          .subsetWeight("v1", 90)
          .subsetWeight("v2", 10);
      default -> throw new IllegalArgumentException(balancer);
    }
    LoadBalancer lb = LoadBalancers.create(config.build(), Ticker.SYSTEM);
    picker = lb.newPicker(new EndpointSet("svc", 1, states), states);
  }

  /** Advances the context's clock once per iteration, as the engine's attempts would. */
  @Setup(Level.Iteration)
  public void tick() {
    ctx.now = System.nanoTime();
  }

  @Benchmark
  public @Nullable EndpointState pick() {
    return picker.pick(ctx);
  }

  /** A first attempt whose {@code x-user} header cycles through 1,024 keys; allocation-free. */
  static final class KeyContext implements PickContext {
    static final String HEADER = "x-user";
    private final String[] keys = new String[1024];
    private int next;
    /** The attempt's time, as the engine supplies it (it reads the clock once per attempt anyway). */
    long now = System.nanoTime();

    KeyContext() {
      for (int i = 0; i < keys.length; i++) {
        keys[i] = "user-" + (i * 7919);
      }
    }

    @Override
    public @Nullable String header(String name) {
      return HEADER.equals(name) ? keys[next++ & (keys.length - 1)] : null;
    }

    @Override
    public int attempt() {
      return 0;
    }

    @Override
    public long nowNanos() {
      return now;
    }

    @Override
    public boolean alreadyTried(EndpointState endpoint) {
      return false;
    }
  }
}
