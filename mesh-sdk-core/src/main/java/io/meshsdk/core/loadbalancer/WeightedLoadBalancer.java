package io.meshsdk.core.loadbalancer;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.Ticker;
import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.endpoint.EndpointState;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Smooth weighted round-robin that respects {@link io.meshsdk.core.endpoint.Endpoint#weight()}: O(1) and
 * lock-free per pick.
 *
 * <h2>Algorithm</h2>
 *
 * <p>The schedule is laid out once per picker (off the call path) and then walked with one atomic counter,
 * like gRPC's static-stride scheduler but with the whole period precomputed, so a pick is exactly one
 * {@code getAndIncrement}, one {@link Math#floorMod} and one array load: no rejection loop, no lock, no
 * allocation.
 *
 * <ol>
 *   <li>Weights are divided by their greatest common divisor; the period is their sum (e.g. 1:2:7 → 10).
 *   <li>Each endpoint of weight {@code w} gets {@code w} slots at virtual times {@code (k + phase) / w}; all
 *       slots are ordered by virtual time (earliest deadline first). This is the order nginx's smooth weighted
 *       round-robin produces, so an endpoint's calls are spread evenly over the period instead of coming in a
 *       burst: 7:2:1 becomes {@code C B C C A C C B C C}. Endpoints that share one weight get staggered phases
 *       and interleave. Ordering is a counting sort: O(period + n) per build. See {@link SmoothSequence}.
 *   <li>The period is capped at {@code max(65,536, 8 × endpoints)} slots. Weights whose reduced sum is larger
 *       are scaled down to fit (each endpoint keeps at least one slot), which keeps proportions exact to within
 *       one slot per endpoint.
 * </ol>
 *
 * <p>When all weights are equal this is plain round-robin. Each new picker starts at a random point of the
 * period (so rebuilds after health changes do not favour the first slots), and the int counter may wrap. On a
 * retry the picker walks on from its slot to the first endpoint the call has not tried yet. A new or returning
 * endpoint ramps up over {@code lb.slow-start-window} (see {@link SlowStart}).
 */
public final class WeightedLoadBalancer implements LoadBalancer {

  /** The shortest period cap: 65,536 slots (256 KiB of references at most for small services). */
  static final int MIN_PERIOD_CAP = 1 << 16;
  /** How many slots a retry walks before it scans the distinct endpoints. */
  private static final int RETRY_WALK = 64;

  private final RandomSource random;
  private final Ticker ticker;
  private final long slowStartNanos;

  /** A weighted balancer with the default slow-start window. */
  public WeightedLoadBalancer() {
    this(Ticker.SYSTEM, LoadBalancerConfig.DEFAULT_SLOW_START_WINDOW.toNanos());
  }

  /**
   * A weighted balancer on {@code ticker} whose new or returning endpoints ramp up over {@code slowStartNanos}
   * (0: no slow start).
   */
  public WeightedLoadBalancer(Ticker ticker, long slowStartNanos) {
    this(RandomSource.THREAD_LOCAL, ticker, slowStartNanos);
  }

  WeightedLoadBalancer(RandomSource random) {
    this(random, Ticker.SYSTEM, 0);
  }

  WeightedLoadBalancer(RandomSource random, Ticker ticker, long slowStartNanos) {
    this.random = requireNonNull(random, "random");
    this.ticker = requireNonNull(ticker, "ticker");
    this.slowStartNanos = slowStartNanos;
  }

  @Override
  public Picker newPicker(EndpointSet all, List<EndpointState> eligible) {
    EndpointState[] endpoints = eligible.toArray(new EndpointState[0]);
    Picker few = Pickers.forFew(endpoints);
    if (few != null) {
      return few;
    }
    int n = endpoints.length;
    long[] weights = new long[n];
    boolean uniform = true;
    for (int i = 0; i < n; i++) {
      weights[i] = endpoints[i].endpoint().weight();
      uniform &= weights[i] == weights[0];
    }
    SlowStart slowStart = SlowStart.of(endpoints, ticker.read(), slowStartNanos);
    if (uniform) {
      return new RoundRobinLoadBalancer.RoundRobinPicker(endpoints, random.nextInt(n), slowStart, random);
    }
    int[] order = SmoothSequence.build(weights, periodCap(n));
    EndpointState[] schedule = new EndpointState[order.length];
    for (int i = 0; i < order.length; i++) {
      schedule[i] = endpoints[order[i]];
    }
    return new WeightedPicker(schedule, endpoints, random.nextInt(schedule.length), slowStart, random);
  }

  static int periodCap(int endpoints) {
    return (int) Math.min(Integer.MAX_VALUE - 8, Math.max(MIN_PERIOD_CAP, 8L * endpoints));
  }

  @Override
  public String name() {
    return LoadBalancerConfig.WEIGHTED;
  }

  @Override
  public String toString() {
    return name();
  }

  /** Walks a precomputed smooth schedule with one atomic counter. */
  static final class WeightedPicker implements Picker {
    private final EndpointState[] schedule;
    private final EndpointState[] endpoints;
    private final AtomicInteger next;
    private final SlowStart slowStart;
    private final RandomSource random;

    WeightedPicker(EndpointState[] schedule, EndpointState[] endpoints, int start, SlowStart slowStart,
        RandomSource random) {
      this.schedule = schedule;
      this.endpoints = endpoints;
      this.next = new AtomicInteger(start);
      this.slowStart = slowStart;
      this.random = random;
    }

    @Override
    public EndpointState pick(PickContext ctx) {
      EndpointState[] s = schedule;
      int len = s.length;
      int i = Math.floorMod(next.getAndIncrement(), len);
      EndpointState e = s[i];
      long now;
      if (slowStart.active(now = ctx.nowNanos())) {
        for (int k = 0; k < Math.min(len, RETRY_WALK) && slowStart.sitsOut(e, now, random); k++) {
          i = i + 1 == len ? 0 : i + 1;
          e = s[i];
        }
      }
      if (ctx.attempt() == 0 || !ctx.alreadyTried(e)) {
        return e;
      }
      for (int k = 1, walk = Math.min(len, RETRY_WALK); k < walk; k++) {
        int j = i + k;
        EndpointState c = s[j >= len ? j - len : j];
        if (c != e && !ctx.alreadyTried(c)) {
          return c;
        }
      }
      EndpointState untried = Pickers.untriedFrom(endpoints, i, ctx);
      return untried != null ? untried : e;
    }

    /** The precomputed schedule (one period), for tests. */
    EndpointState[] schedule() {
      return schedule;
    }

    @Override
    public String toString() {
      return "weighted over " + endpoints.length + " (period " + schedule.length + ")";
    }
  }

  /** Registers {@value LoadBalancerConfig#WEIGHTED}. */
  static final class Provider implements LoadBalancerProvider {
    @Override
    public String name() {
      return LoadBalancerConfig.WEIGHTED;
    }

    @Override
    public LoadBalancer newLoadBalancer(LoadBalancerConfig config, Ticker ticker) {
      return new WeightedLoadBalancer(ticker, config.slowStartWindow().toNanos());
    }
  }
}
