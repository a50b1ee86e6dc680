package io.meshsdk.core.loadbalancer;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.Ticker;
import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.endpoint.EndpointState;
import java.util.List;

/**
 * Least-request with power-of-two-choices over peak-EWMA latency (Finagle / Linkerd style), the default
 * policy: pick two distinct endpoints at random and send the call to the cheaper one, where
 *
 * <pre>cost = latency × (in-flight + 1)</pre>
 *
 * <p>and {@code latency} is the endpoint's peak EWMA ({@link EndpointState#ewmaNanos()}). Both load signals
 * count: a slow endpoint and a saturated one both lose comparisons. O(1) per pick, lock-free (two random
 * draws, a few opaque reads; the time comes from {@link PickContext#nowNanos()}), no allocation.
 *
 * <p>Guards against the classic P2C failure modes:
 *
 * <ul>
 *   <li><b>New endpoints are not flooded.</b> An endpoint without a latency sample does not look infinitely
 *       cheap: it is assumed to be as fast as the peer it is compared with (a random peer, so on average the
 *       mean of its peers), so the comparison falls back to in-flight counts and the newcomer gets a fair
 *       share, no more, until its own samples arrive.
 *   <li><b>Slow start.</b> For {@code lb.slow-start-window} (default 10 s) after an endpoint appears or
 *       returns from ejection ({@link EndpointState#healthySinceNanos()}) its share ramps up linearly from
 *       10 % ({@link EndpointState#slowStartFactor}): when it is compared with an older endpoint, it sits the pick out
 *       with probability {@code 1 − f_young / f_old}. Relative, so when every endpoint starts together (a
 *       fresh service) nothing changes.
 *   <li><b>A slow spell is forgiven.</b> The peak EWMA only moves when a call completes, so an endpoint that
 *       was slow once could lose every comparison and never be sampled again. Once an endpoint has had no
 *       completed call for over {@value #IDLE_MILLIS} ms and has none in flight, its latency is read as
 *       decaying toward zero (time constant {@link EndpointState#EWMA_DECAY_NANOS}), as in Finagle, so it is
 *       probed again eventually; while that probe is in flight it is charged its full EWMA again, so the
 *       probe is one call, not a flood.
 *   <li><b>Retries go elsewhere.</b> On a retry a candidate the call already tried is passed over for an
 *       untried one.
 * </ul>
 *
 * <p>Ties go to the first candidate, which is itself uniformly random, so there is no positional bias.
 * Randomness comes from a {@link RandomSource}: {@code ThreadLocalRandom} in production, a seeded source in
 * tests.
 */
public final class LeastRequestLoadBalancer implements LoadBalancer {

  /** After this long without a completed call, an endpoint's latency is forgiven gradually. */
  public static final int IDLE_MILLIS = 1000;

  static final long SLOW_START_NANOS = LoadBalancerConfig.DEFAULT_SLOW_START_WINDOW.toNanos();
  private static final long IDLE_NANOS = IDLE_MILLIS * 1_000_000L;
  private static final int PROBABILITY_SCALE = 1 << 16;

  private final Ticker ticker;
  private final RandomSource random;
  private final long slowStartNanos;

  /** A least-request balancer on the system ticker with the default slow-start window. */
  public LeastRequestLoadBalancer() {
    this(Ticker.SYSTEM);
  }

  /**
   * A least-request balancer on {@code ticker}: read once per picker build; per pick, slow start and idle decay
   * use {@link PickContext#nowNanos()}, which the engine fills from the same ticker.
   */
  public LeastRequestLoadBalancer(Ticker ticker) {
    this(ticker, RandomSource.THREAD_LOCAL, SLOW_START_NANOS);
  }

  LeastRequestLoadBalancer(Ticker ticker, RandomSource random) {
    this(ticker, random, SLOW_START_NANOS);
  }

  LeastRequestLoadBalancer(Ticker ticker, RandomSource random, long slowStartNanos) {
    this.ticker = requireNonNull(ticker, "ticker");
    this.random = requireNonNull(random, "random");
    this.slowStartNanos = slowStartNanos;
  }

  @Override
  public Picker newPicker(EndpointSet all, List<EndpointState> eligible) {
    EndpointState[] endpoints = eligible.toArray(new EndpointState[0]);
    Picker few = Pickers.forFew(endpoints);
    if (few != null) {
      return few;
    }
    long now = ticker.read();
    long rampUntil = now;
    for (EndpointState s : endpoints) {
      long end = s.healthySinceNanos() + slowStartNanos;
      if (end - rampUntil > 0) {
        rampUntil = end;
      }
    }
    return new P2cPicker(endpoints, random, rampUntil, slowStartNanos);
  }

  @Override
  public String name() {
    return LoadBalancerConfig.LEAST_REQUEST;
  }

  @Override
  public String toString() {
    return name();
  }

  /** Power of two choices over one endpoint array (at least two endpoints). */
  static final class P2cPicker implements Picker {
    private final EndpointState[] endpoints;
    private final RandomSource random;
    /** Until when (ticker nanos) some endpoint may still be in slow start. */
    private final long rampUntil;
    private final long slowStartNanos;

    P2cPicker(EndpointState[] endpoints, RandomSource random, long rampUntil, long slowStartNanos) {
      this.endpoints = endpoints;
      this.random = random;
      this.rampUntil = rampUntil;
      this.slowStartNanos = slowStartNanos;
    }

    @Override
    public EndpointState pick(PickContext ctx) {
      EndpointState[] a = endpoints;
      int n = a.length;
      RandomSource r = random;
      int i = r.nextInt(n);
      int j = r.nextInt(n - 1);
      if (j >= i) {
        j++;
      }
      EndpointState x = a[i];
      EndpointState y = a[j];
      if (ctx.attempt() > 0) {
        boolean triedX = ctx.alreadyTried(x);
        boolean triedY = ctx.alreadyTried(y);
        if (triedX && triedY) {
          EndpointState untried = Pickers.untriedFrom(a, r.nextInt(n), ctx);
          if (untried != null) {
            return untried;
          }
        } else if (triedX) {
          return y;
        } else if (triedY) {
          return x;
        }
      }
      return cheaper(x, y, r, ctx.nowNanos());
    }

    private EndpointState cheaper(EndpointState x, EndpointState y, RandomSource r, long now) {
      if (now - rampUntil < 0) {
        double fx = x.slowStartFactor(now, slowStartNanos);
        double fy = y.slowStartFactor(now, slowStartNanos);
        if (fx < fy) {
          if (r.nextInt(PROBABILITY_SCALE) >= (int) (fx / fy * PROBABILITY_SCALE)) {
            return y;
          }
        } else if (fy < fx && r.nextInt(PROBABILITY_SCALE) >= (int) (fy / fx * PROBABILITY_SCALE)) {
          return x;
        }
      }
      int inFlightX = x.inFlight();
      int inFlightY = y.inFlight();
      double latX = latency(x, inFlightX, now);
      double latY = latency(y, inFlightY, now);
      if (latX == 0.0) { // no sample yet: assume as fast as the peer, so in-flight decides
        latX = latY == 0.0 ? 1.0 : latY;
      }
      if (latY == 0.0) {
        latY = latX;
      }
      double costX = latX * (inFlightX + 1);
      double costY = latY * (inFlightY + 1);
      return costX <= costY ? x : y;
    }

    /**
     * The latency to charge {@code s}: its peak EWMA, or once it has been idle for a while with nothing in
     * flight, its EWMA decayed toward zero; 0 when it has no sample.
     */
    static double latency(EndpointState s, int inFlight, long now) {
      double own = s.ewmaNanos();
      if (own != 0.0 && inFlight == 0) {
        long idle = now - s.lastSampleNanos();
        if (idle > IDLE_NANOS) {
          return own * Math.exp(-(double) idle / EndpointState.EWMA_DECAY_NANOS);
        }
      }
      return own;
    }

    @Override
    public String toString() {
      return "least-request over " + endpoints.length;
    }
  }

  /** Registers {@value LoadBalancerConfig#LEAST_REQUEST}. */
  static final class Provider implements LoadBalancerProvider {
    @Override
    public String name() {
      return LoadBalancerConfig.LEAST_REQUEST;
    }

    @Override
    public LoadBalancer newLoadBalancer(LoadBalancerConfig config, Ticker ticker) {
      return new LeastRequestLoadBalancer(
          ticker, RandomSource.THREAD_LOCAL, config.slowStartWindow().toNanos());
    }
  }
}
