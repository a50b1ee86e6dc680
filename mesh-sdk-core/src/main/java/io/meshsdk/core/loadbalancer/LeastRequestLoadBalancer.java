package io.meshsdk.core.loadbalancer;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.Ticker;
import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.endpoint.EndpointState;
import io.meshsdk.core.endpoint.StatsCells;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Least-request with power-of-two-choices over a latency estimate (Finagle / Linkerd style), the default policy:
 * pick two distinct endpoints at random and send the call to the cheaper one, where
 *
 * <pre>cost = latency × (in-flight + 1) × (1 + {@value #FAILURE_PENALTY} × recent failure rate)</pre>
 *
 * <p>and {@code latency} is the endpoint's latency estimate ({@link EndpointState#ewmaNanos()}). Load, slowness and
 * failures all count: a slow endpoint, a saturated one and one answering errors all lose comparisons. O(1) per pick,
 * lock-free (two random draws, four opaque reads of two 16-byte cells of a flat array, {@link StatsCells}; the time
 * comes from {@link PickContext#nowNanos()}), no allocation.
 *
 * <h2>A soft comparison, so identical endpoints share evenly</h2>
 *
 * <p>The cheaper candidate wins with probability {@code costB² / (costA² + costB²)}, not always: two endpoints
 * whose costs differ by noise (±20 %) split calls about 60/40, one twice as costly gets a fifth of the
 * comparisons, one ten times as costly 1 %. A strict comparison starves identical endpoints: with one caller
 * thread nothing is ever in flight at pick time, so the endpoint whose estimate happens to be lowest wins every
 * comparison it is in and shares end up proportional to rank (0 % to 2/n). The soft comparison also keeps a
 * trickle of calls on an endpoint that looks bad, so its estimate recovers when it does.
 *
 * <p>Guards against the classic P2C failure modes:
 *
 * <ul>
 *   <li><b>New endpoints are not flooded.</b> An endpoint without a latency sample is assumed to be as fast as the
 *       peer it is compared with, so in-flight counts decide until its own samples arrive.
 *   <li><b>Slow start.</b> For {@code lb.slow-start-window} (default 10 s) after an endpoint appears or returns from
 *       ejection its share ramps up linearly from 10 % ({@link EndpointState#slowStartFactor}): when it is compared
 *       with an older endpoint, it sits the pick out with probability {@code 1 − f_young / f_old}. Relative, so when
 *       every endpoint starts together (a fresh service) nothing changes.
 *   <li><b>A slow spell is forgiven.</b> Once an endpoint has had no completed call for over {@value #IDLE_MILLIS}
 *       ms and has none in flight, its latency is read as decaying toward zero (time constant 10 s, from a table:
 *       {@link StatsCells#decay}), as in Finagle, so it is probed again.
 *   <li><b>Retries go elsewhere, to the cheaper of what is left.</b> On a retry the two candidates are drawn among
 *       the endpoints the call has not tried, and compared by cost like any pick (a retry never goes blindly to a
 *       hung endpoint just because it is the one left untried in the pair).
 * </ul>
 *
 * <p>Randomness comes from a {@link RandomSource}: {@code ThreadLocalRandom} in production, a seeded source in
 * tests.
 */
public final class LeastRequestLoadBalancer implements LoadBalancer {

  /** After this long without a completed call, an endpoint's latency is forgiven gradually. */
  public static final int IDLE_MILLIS = 1000;
  /** How much a failing endpoint's cost grows: ×(1 + 8 × its recent failure share). */
  public static final int FAILURE_PENALTY = 8;

  static final long SLOW_START_NANOS = LoadBalancerConfig.DEFAULT_SLOW_START_WINDOW.toNanos();
  private static final long IDLE_NANOS = IDLE_MILLIS * 1_000_000L;
  private static final int PROBABILITY_SCALE = 1 << 16;
  /** Random draws a retry spends looking for an untried candidate before it scans. */
  private static final int UNTRIED_DRAWS = 4;

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
    return new P2cPicker(endpoints, random, SlowStart.of(endpoints, ticker.read(), slowStartNanos), slowStartNanos);
  }

  @Override
  public String name() {
    return LoadBalancerConfig.LEAST_REQUEST;
  }

  @Override
  public String toString() {
    return name();
  }

  /**
   * Power of two choices over one endpoint array (at least two endpoints). The statistics it compares are read
   * from the endpoints' flat cells ({@link EndpointState#statsCells()}) when they have them: with one block whose
   * cell {@code i} is endpoint {@code i} (a service's first snapshot), a candidate costs one 16-byte read; else
   * through a location table ({@code int} per endpoint: block, cell). Endpoints without cells (or spread over more
   * than {@value #MAX_BLOCKS} blocks) are read through their getters.
   */
  static final class P2cPicker implements Picker {
    /** Most distinct cell blocks a picker reads through its location table. */
    static final int MAX_BLOCKS = 256;
    private static final int INDEX_BITS = 23;
    private static final int INDEX_MASK = (1 << INDEX_BITS) - 1;

    private final EndpointState[] endpoints;
    private final RandomSource random;
    private final SlowStart slowStart;
    private final long slowStartNanos;
    /** The cell blocks, or {@code null}: read the endpoints' getters. */
    private final StatsCells @Nullable [] blocks;
    /** Per endpoint, block number {@code << 23 |} cell index; {@code null} when endpoint i is cell i of block 0. */
    private final int @Nullable [] where;

    P2cPicker(EndpointState[] endpoints, RandomSource random, SlowStart slowStart, long slowStartNanos) {
      this.endpoints = endpoints;
      this.random = random;
      this.slowStart = slowStart;
      this.slowStartNanos = slowStartNanos;
      StatsCells @Nullable [] found = new StatsCells[4];
      int count = 0;
      int[] loc = new int[endpoints.length];
      boolean identity = true;
      int last = -1;
      for (int i = 0; i < endpoints.length && found != null; i++) {
        StatsCells v = endpoints[i].statsCells();
        int index = endpoints[i].statsIndex();
        if (v == null || index < 0 || index > INDEX_MASK) {
          found = null;
          break;
        }
        int b = last >= 0 && found[last] == v ? last : -1;
        for (int k = 0; b < 0 && k < count; k++) {
          if (found[k] == v) {
            b = k;
          }
        }
        if (b < 0) {
          if (count == MAX_BLOCKS) {
            found = null;
            break;
          }
          if (count == found.length) {
            found = java.util.Arrays.copyOf(found, Math.min(MAX_BLOCKS, count * 2));
          }
          b = count++;
          found[b] = v;
        }
        last = b;
        loc[i] = b << INDEX_BITS | index;
        identity &= b == 0 && index == i;
      }
      this.blocks = found == null ? null : java.util.Arrays.copyOf(found, count);
      this.where = found == null || identity ? null : loc;
    }

    @Override
    public EndpointState pick(PickContext ctx) {
      EndpointState[] a = endpoints;
      int n = a.length;
      RandomSource r = random;
      if (ctx.attempt() > 0) {
        int x = untried(a, r, ctx, -1);
        if (x >= 0) {
          int y = untried(a, r, ctx, x);
          return a[y < 0 ? x : cheaper(x, y, r, ctx.nowNanos())];
        }
      }
      int i = r.nextInt(n);
      int j = r.nextInt(n - 1);
      if (j >= i) {
        j++;
      }
      return a[cheaper(i, j, r, ctx.nowNanos())];
    }

    /** The index of a random endpoint the call has not tried, other than {@code not}; -1 when there is none. */
    private static int untried(EndpointState[] a, RandomSource r, PickContext ctx, int not) {
      int n = a.length;
      for (int k = 0; k < UNTRIED_DRAWS; k++) {
        int i = r.nextInt(n);
        if (i != not && !ctx.alreadyTried(a[i])) {
          return i;
        }
      }
      int start = r.nextInt(n);
      for (int k = 0; k < n; k++) {
        int i = (start + k) % n;
        if (i != not && !ctx.alreadyTried(a[i])) {
          return i;
        }
      }
      return -1;
    }

    /** {@code x} or {@code y}, whichever wins the soft comparison of the two endpoints' costs. */
    private int cheaper(int x, int y, RandomSource r, long now) {
      if (slowStart.active(now)) {
        double fx = endpoints[x].slowStartFactor(now, slowStartNanos);
        double fy = endpoints[y].slowStartFactor(now, slowStartNanos);
        if (fx < fy) {
          if (r.nextInt(PROBABILITY_SCALE) >= (int) (fx / fy * PROBABILITY_SCALE)) {
            return y;
          }
        } else if (fy < fx && r.nextInt(PROBABILITY_SCALE) >= (int) (fy / fx * PROBABILITY_SCALE)) {
          return x;
        }
      }
      StatsCells[] b = blocks;
      int inFlightX;
      int inFlightY;
      double latX;
      double latY;
      double rateX;
      double rateY;
      if (b != null) {
        int[] w = where;
        int lx = w == null ? x : w[x];
        int ly = w == null ? y : w[y];
        StatsCells bx = b[lx >>> INDEX_BITS];
        StatsCells by = b[ly >>> INDEX_BITS];
        int ix = lx & INDEX_MASK;
        int iy = ly & INDEX_MASK;
        long countsX = bx.loadCounts(ix);
        long countsY = by.loadCounts(iy);
        long latencyX = bx.loadLatency(ix);
        long latencyY = by.loadLatency(iy);
        int nowTick = StatsCells.tick(now);
        inFlightX = StatsCells.inFlightOf(countsX);
        inFlightY = StatsCells.inFlightOf(countsY);
        latX = charge(StatsCells.ewmaOf(latencyX), inFlightX,
            StatsCells.ticksToNanos(nowTick, StatsCells.tickOf(latencyX)));
        latY = charge(StatsCells.ewmaOf(latencyY), inFlightY,
            StatsCells.ticksToNanos(nowTick, StatsCells.tickOf(latencyY)));
        rateX = StatsCells.rateOf(countsX);
        rateY = StatsCells.rateOf(countsY);
      } else {
        EndpointState ex = endpoints[x];
        EndpointState ey = endpoints[y];
        inFlightX = ex.inFlight();
        inFlightY = ey.inFlight();
        latX = latency(ex, inFlightX, now);
        latY = latency(ey, inFlightY, now);
        rateX = ex.recentFailureRate();
        rateY = ey.recentFailureRate();
      }
      if (latX == 0.0) { // no sample yet: assume as fast as the peer, so in-flight decides
        latX = latY == 0.0 ? 1.0 : latY;
      }
      if (latY == 0.0) {
        latY = latX;
      }
      double costX = latX * (inFlightX + 1) * (1.0 + FAILURE_PENALTY * rateX);
      double costY = latY * (inFlightY + 1) * (1.0 + FAILURE_PENALTY * rateY);
      double cx = costX * costX;
      double cy = costY * costY;
      // x wins with probability cy / (cx + cy)
      return r.nextInt(PROBABILITY_SCALE) < (int) (cy / (cx + cy) * PROBABILITY_SCALE) ? x : y;
    }

    /**
     * The latency to charge {@code s}: its estimate, or once it has been idle for a while with nothing in flight,
     * its estimate decayed toward zero; 0 when it has no sample.
     */
    static double latency(EndpointState s, int inFlight, long now) {
      double own = s.ewmaNanos();
      return own == 0.0 || inFlight != 0 ? own : charge(own, inFlight, now - s.lastSampleNanos());
    }

    /** The latency to charge an endpoint whose estimate is {@code own}, last sampled {@code idleNanos} ago. */
    private static double charge(double own, int inFlight, long idleNanos) {
      if (own != 0.0 && inFlight == 0 && idleNanos > IDLE_NANOS) {
        return own * StatsCells.decay(idleNanos);
      }
      return own;
    }

    /** Whether the statistics are read from flat cells (for tests): "direct", "table" or "getters". */
    String layout() {
      return blocks == null ? "getters" : where == null ? "direct" : "table";
    }

    @Override
    public String toString() {
      return "least-request over " + endpoints.length + " (" + layout() + ")";
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
