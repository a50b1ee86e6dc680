package io.meshsdk.core.internal.resilience;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Bounds retries to a share of recent requests plus a small floor, so that an outage cannot turn into a retry
 * storm (Finagle's and Linkerd's retry budget). Requests and retries are counted in {@value #BUCKETS} time
 * buckets covering the window; a retry is allowed while
 * {@code retries < requests × percent / 100 + minPerSecond × windowSeconds} over the window.
 *
 * <p>Lock-free and allocation-free: a request costs one or two atomic operations on a bucket; only a retry
 * decision sums the buckets. A bucket that rolls over is reset by whichever thread sees it first; a race
 * there can lose a count or two, which a budget tolerates.
 */
public final class RetryBudget {

  static final int BUCKETS = 10;

  private final long bucketNanos;
  private final int percent;
  private final long floor;
  // per bucket: [epoch, requests, retries]
  private final AtomicLongArray cells = new AtomicLongArray(BUCKETS * 3);

  /**
   * A budget of {@code percent} % of requests over {@code windowNanos}, plus {@code minPerSecond} retries per
   * second of the window.
   */
  public RetryBudget(int percent, long windowNanos, int minPerSecond) {
    this.bucketNanos = Math.max(1L, windowNanos / BUCKETS);
    this.percent = percent;
    this.floor = (long) Math.ceil(minPerSecond * (windowNanos / 1e9));
    for (int i = 0; i < BUCKETS; i++) {
      cells.set(i * 3, Long.MIN_VALUE);
    }
  }

  /** Counts a new logical call (not its retries) at {@code nowNanos}. */
  public void recordRequest(long nowNanos) {
    cells.incrementAndGet(bucket(nowNanos) + 1);
  }

  /** Takes one retry from the budget if there is one left at {@code nowNanos}. */
  public boolean tryAcquireRetry(long nowNanos) {
    int current = bucket(nowNanos);
    long epoch = Math.floorDiv(nowNanos, bucketNanos);
    long requests = 0;
    long retries = 0;
    for (int i = 0; i < BUCKETS; i++) {
      int base = i * 3;
      long e = cells.get(base);
      if (e > epoch - BUCKETS && e <= epoch) {
        requests += cells.get(base + 1);
        retries += cells.get(base + 2);
      }
    }
    if (retries * 100 >= requests * percent + floor * 100) {
      return false;
    }
    cells.incrementAndGet(current + 2);
    return true;
  }

  /** The index of the bucket for {@code nowNanos}, reset first if it belongs to an older epoch. */
  private int bucket(long nowNanos) {
    long epoch = Math.floorDiv(nowNanos, bucketNanos);
    int base = (int) Math.floorMod(epoch, (long) BUCKETS) * 3;
    long seen = cells.get(base);
    if (seen != epoch && cells.compareAndSet(base, seen, epoch)) {
      cells.set(base + 1, 0);
      cells.set(base + 2, 0);
    }
    return base;
  }
}
