package io.meshsdk.core.internal.engine;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jspecify.annotations.Nullable;

/**
 * A sliding window of one-second buckets of counters, lock-free: {@link #at} gives the counters of the current
 * second, a few {@link AtomicLongArray} increments record into them. The first writer of a new second swaps a fresh
 * bucket into the ring slot with a CAS (one allocation per second per ring, none per record); a bucket's second
 * never changes, so no count is lost or misfiled when buckets turn over. Readers sum the buckets of the seconds they
 * want with {@link #slot}. Shared by {@link MigrationStats} and {@link ShadowStats}.
 */
final class SecondBuckets {

  private final int seconds;
  private final int stride;
  private final AtomicReferenceArray<Bucket> ring;

  /**
   * A window of {@code seconds} buckets of {@code stride} counters each.
   */
  SecondBuckets(int seconds, int stride) {
    this.seconds = seconds;
    this.stride = stride;
    this.ring = new AtomicReferenceArray<>(seconds);
    for (int i = 0; i < seconds; i++) {
      ring.set(i, new Bucket(Long.MIN_VALUE, stride));
    }
  }

  /** The counters of one second; its {@code second} is fixed at creation. */
  private static final class Bucket {
    final long second;
    final AtomicLongArray data;

    Bucket(long second, int stride) {
      this.second = second;
      this.data = new AtomicLongArray(stride);
    }
  }

  /** How many one-second buckets the window holds. */
  int seconds() {
    return seconds;
  }

  /** The second (ticker nanos / 10^9, floored) holding {@code nanos}. */
  static long second(long nanos) {
    return Math.floorDiv(nanos, 1_000_000_000L);
  }

  /**
   * The counters of the second holding {@code nowNanos}; for a writer a whole window late, those of a newer second
   * (counted there).
   */
  AtomicLongArray at(long nowNanos) {
    long sec = second(nowNanos);
    int idx = (int) Math.floorMod(sec, (long) seconds);
    Bucket b = ring.get(idx);
    while (b.second < sec) { // a bucket from a window ago: replace it (once per second per slot)
      Bucket fresh = new Bucket(sec, stride);
      if (ring.compareAndSet(idx, b, fresh)) {
        return fresh.data;
      }
      b = ring.get(idx);
    }
    return b.data;
  }

  /**
   * The counters in ring slot {@code idx} (0 to {@link #seconds()} - 1) when they belong to a second from
   * {@code firstSecond} to {@code nowSecond}, else {@code null}: a reader visits every slot and sums those.
   */
  @Nullable AtomicLongArray slot(int idx, long nowSecond, long firstSecond) {
    Bucket b = ring.get(idx);
    return b.second > nowSecond || b.second < firstSecond ? null : b.data;
  }
}
