package io.meshsdk.core.loadbalancer;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.Ticker;
import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.endpoint.EndpointState;
import java.util.Arrays;
import java.util.List;

/**
 * Consistent hashing on the value of one request header ({@code lb.hash-header}), ketama-style: calls with the
 * same key go to the same endpoint, and adding or removing one of N endpoints moves only about 1/N of the keys.
 *
 * <h2>Ring</h2>
 *
 * <p>Each endpoint is placed on a 64-bit ring at {@code v} points,
 * {@code mix64(XXH64(utf8(id)) + replica × 0x9E3779B97F4A7C15)} for {@code replica = 1..v} (the SplitMix64
 * sequence seeded by the id's hash: one XXH64 per endpoint, a few multiplies per point);
 * {@code v = max(1, round(K × weight / meanWeight))}, so weights are respected. {@code K}, the points per
 * endpoint of average weight, is {@code lb.ring-size / endpoints} rounded <em>down to a power of two</em>
 * (at least 1): the ring holds between half and all of {@code lb.ring-size} points (and at least one per
 * endpoint). Rounding keeps {@code K} unchanged when an endpoint joins or leaves in the common case, so the
 * other endpoints keep their points and only the keys of the changed endpoint move; with a plain
 * {@code ringSize / n} every endpoint would lose or gain points on each change and about twice as many keys
 * would move.
 *
 * <p>Points are kept as one sorted {@code long[]} (the low bits of each point carry the owner's index, which
 * does not disturb the order of the 64-bit positions in any way that matters) plus a parallel owner array.
 *
 * <h2>Pick</h2>
 *
 * <ul>
 *   <li>Key present: {@code XXH64(utf8(value))} (allocation-free for ASCII values), then the first point at or
 *       after it, by binary search: O(log points).
 *   <li>No header on the call: a random point, which is a weighted random endpoint: O(1).
 *   <li>Retry ({@code attempt() > 0}): walk the ring clockwise from the key's point to the next endpoint the
 *       call has not tried yet, the same "next replica" for every client.
 * </ul>
 */
public final class RingHashLoadBalancer implements LoadBalancer {

  /** How many ring points a retry walks before it scans the distinct endpoints. */
  private static final int RETRY_WALK = 4096;
  /** SplitMix64's increment: consecutive replicas of one endpoint are spread by a bijective mix. */
  private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

  private final String header;
  private final int ringSize;
  private final RandomSource random;
  private final Ticker ticker;
  private final long slowStartNanos;

  /** Ring-hash on the value of {@code header} with about {@code ringSize} ring points, no slow start. */
  public RingHashLoadBalancer(String header, int ringSize) {
    this(header, ringSize, RandomSource.THREAD_LOCAL, Ticker.SYSTEM, 0);
  }

  /**
   * Ring-hash on {@code header} whose new or returning endpoints ramp up over {@code slowStartNanos}: while one
   * ramps, a share of its keys goes to the next endpoint on the ring.
   */
  public RingHashLoadBalancer(String header, int ringSize, Ticker ticker, long slowStartNanos) {
    this(header, ringSize, RandomSource.THREAD_LOCAL, ticker, slowStartNanos);
  }

  RingHashLoadBalancer(String header, int ringSize, RandomSource random) {
    this(header, ringSize, random, Ticker.SYSTEM, 0);
  }

  RingHashLoadBalancer(String header, int ringSize, RandomSource random, Ticker ticker, long slowStartNanos) {
    this.ticker = requireNonNull(ticker, "ticker");
    this.slowStartNanos = slowStartNanos;
    this.header = requireNonNull(header, "header");
    if (ringSize < 1 || ringSize > LoadBalancerConfig.MAX_RING_SIZE) {
      throw new IllegalArgumentException(
          "ringSize: " + ringSize + " (expected: 1-" + LoadBalancerConfig.MAX_RING_SIZE + ")");
    }
    this.ringSize = ringSize;
    this.random = requireNonNull(random, "random");
  }

  @Override
  public Picker newPicker(EndpointSet all, List<EndpointState> eligible) {
    EndpointState[] endpoints = eligible.toArray(new EndpointState[0]);
    Picker few = Pickers.forFew(endpoints);
    if (few != null) {
      return few;
    }
    int n = endpoints.length;
    int perEndpoint = Integer.highestOneBit(Math.max(1, ringSize / n));
    double weightSum = 0;
    for (EndpointState s : endpoints) {
      weightSum += s.endpoint().weight();
    }
    double meanWeight = weightSum / n;
    int[] replicas = new int[n];
    long total = 0;
    for (int i = 0; i < n; i++) {
      replicas[i] = (int) Math.max(1, Math.round(perEndpoint * endpoints[i].endpoint().weight() / meanWeight));
      total += replicas[i];
    }
    int indexBits = 32 - Integer.numberOfLeadingZeros(n - 1);
    long indexMask = (1L << indexBits) - 1;
    long[] points = new long[Math.toIntExact(total)];
    int p = 0;
    for (int i = 0; i < n; i++) {
      long idHash = Hashing.xxh64(endpoints[i].endpoint().id(), 0);
      for (int r = 1; r <= replicas[i]; r++) {
        points[p++] = (Hashing.mix64(idHash + r * GOLDEN_GAMMA) & ~indexMask) | i;
      }
    }
    Arrays.sort(points);
    EndpointState[] owners = new EndpointState[points.length];
    for (int k = 0; k < points.length; k++) {
      owners[k] = endpoints[(int) (points[k] & indexMask)];
    }
    return new RingPicker(header, points, owners, endpoints, random,
        SlowStart.of(endpoints, ticker.read(), slowStartNanos));
  }

  @Override
  public String name() {
    return LoadBalancerConfig.RING_HASH;
  }

  @Override
  public String toString() {
    return name() + "(" + header + ")";
  }

  /** Looks keys up on an immutable ring. */
  static final class RingPicker implements Picker {
    private final String header;
    private final long[] points;
    private final EndpointState[] owners;
    private final EndpointState[] endpoints;
    private final RandomSource random;
    private final SlowStart slowStart;

    RingPicker(String header, long[] points, EndpointState[] owners, EndpointState[] endpoints, RandomSource random,
        SlowStart slowStart) {
      this.header = header;
      this.points = points;
      this.owners = owners;
      this.endpoints = endpoints;
      this.random = random;
      this.slowStart = slowStart;
    }

    @Override
    public EndpointState pick(PickContext ctx) {
      String key = ctx.header(header);
      int i = key == null ? random.nextInt(points.length) : indexOf(hash(key));
      EndpointState e = owners[i];
      long now;
      if (slowStart.active(now = ctx.nowNanos()) && slowStart.sitsOut(e, now, random)) {
        EndpointState[] o = owners;
        for (int k = 1, len = o.length; k < Math.min(len, RETRY_WALK); k++) {
          EndpointState c = o[(i + k) % len];
          if (c != e) {
            i = (i + k) % len;
            e = c;
            break;
          }
        }
      }
      if (ctx.attempt() == 0 || !ctx.alreadyTried(e)) {
        return e;
      }
      EndpointState[] o = owners;
      int len = o.length;
      for (int k = 1, walk = Math.min(len, RETRY_WALK); k < walk; k++) {
        int j = i + k;
        EndpointState c = o[j >= len ? j - len : j];
        if (c != e && !ctx.alreadyTried(c)) {
          return c;
        }
      }
      EndpointState untried = Pickers.untriedFrom(endpoints, 0, ctx); // a long run of tried points: rare
      return untried != null ? untried : e;
    }

    /** The hash of a key, as the ring sees it. */
    static long hash(String key) {
      return Hashing.xxh64(key, 0);
    }

    /** The index of the first point at or after {@code hash}, wrapping to 0. */
    int indexOf(long hash) {
      int i = Arrays.binarySearch(points, hash);
      if (i < 0) {
        i = -i - 1;
      }
      return i == points.length ? 0 : i;
    }

    /** Number of points on the ring, for tests. */
    int size() {
      return points.length;
    }

    @Override
    public String toString() {
      return "ring-hash(" + header + ") with " + points.length + " points";
    }
  }

  /** Registers {@value LoadBalancerConfig#RING_HASH}. */
  static final class Provider implements LoadBalancerProvider {
    @Override
    public String name() {
      return LoadBalancerConfig.RING_HASH;
    }

    @Override
    public LoadBalancer newLoadBalancer(LoadBalancerConfig config, Ticker ticker) {
      return new RingHashLoadBalancer(config.hashHeader(), config.ringSize(), ticker,
          config.slowStartWindow().toNanos());
    }
  }
}
