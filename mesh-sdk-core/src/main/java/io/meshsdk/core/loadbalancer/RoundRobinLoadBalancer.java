package io.meshsdk.core.loadbalancer;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.Ticker;
import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.endpoint.EndpointState;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Plain round-robin over the eligible endpoints: an array and one atomic counter per picker, one
 * {@code getAndIncrement} per pick.
 *
 * <p>Each new picker starts at a random position, so that many clients (or many picker rebuilds after health
 * changes) do not all send their first call to the first endpoint. The counter may wrap around
 * {@link Integer#MAX_VALUE}; the index is taken with {@link Math#floorMod}, so wrapping only shifts the phase.
 * On a retry the picker walks on from its position to the first endpoint the call has not tried yet. A new or
 * returning endpoint ramps up over {@code lb.slow-start-window} (see {@link SlowStart}).
 */
public final class RoundRobinLoadBalancer implements LoadBalancer {

  private final RandomSource random;
  private final Ticker ticker;
  private final long slowStartNanos;

  /** A round-robin balancer with the default slow-start window. */
  public RoundRobinLoadBalancer() {
    this(Ticker.SYSTEM, LoadBalancerConfig.DEFAULT_SLOW_START_WINDOW.toNanos());
  }

  /**
   * A round-robin balancer on {@code ticker} whose new or returning endpoints ramp up over {@code slowStartNanos}
   * (0: no slow start).
   */
  public RoundRobinLoadBalancer(Ticker ticker, long slowStartNanos) {
    this(RandomSource.THREAD_LOCAL, ticker, slowStartNanos);
  }

  RoundRobinLoadBalancer(RandomSource random) {
    this(random, Ticker.SYSTEM, 0);
  }

  RoundRobinLoadBalancer(RandomSource random, Ticker ticker, long slowStartNanos) {
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
    return new RoundRobinPicker(endpoints, random.nextInt(endpoints.length),
        SlowStart.of(endpoints, ticker.read(), slowStartNanos), random);
  }

  @Override
  public String name() {
    return LoadBalancerConfig.ROUND_ROBIN;
  }

  @Override
  public String toString() {
    return name();
  }

  /** Round-robin over a fixed array. */
  static final class RoundRobinPicker implements Picker {
    private final EndpointState[] endpoints;
    private final AtomicInteger next;
    private final SlowStart slowStart;
    private final RandomSource random;

    RoundRobinPicker(EndpointState[] endpoints, int start, SlowStart slowStart, RandomSource random) {
      this.endpoints = endpoints;
      this.next = new AtomicInteger(start);
      this.slowStart = slowStart;
      this.random = random;
    }

    @Override
    public EndpointState pick(PickContext ctx) {
      EndpointState[] a = endpoints;
      int n = a.length;
      int i = Math.floorMod(next.getAndIncrement(), n);
      EndpointState e = a[i];
      long now;
      if (slowStart.active(now = ctx.nowNanos())) {
        for (int k = 0; k < n && slowStart.sitsOut(e, now, random); k++) {
          i = i + 1 == n ? 0 : i + 1;
          e = a[i];
        }
      }
      if (ctx.attempt() == 0 || !ctx.alreadyTried(e)) {
        return e;
      }
      EndpointState untried = Pickers.untriedFrom(a, i + 1, ctx);
      return untried != null ? untried : e;
    }

    @Override
    public String toString() {
      return "round-robin over " + endpoints.length;
    }
  }

  /** Registers {@value LoadBalancerConfig#ROUND_ROBIN}. */
  static final class Provider implements LoadBalancerProvider {
    @Override
    public String name() {
      return LoadBalancerConfig.ROUND_ROBIN;
    }

    @Override
    public LoadBalancer newLoadBalancer(LoadBalancerConfig config, Ticker ticker) {
      return new RoundRobinLoadBalancer(ticker, config.slowStartWindow().toNanos());
    }
  }
}
