package io.meshsdk.core.internal.resilience;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.jspecify.annotations.Nullable;

/**
 * How long one attempt of a call may wait, so that a hung endpoint cannot eat a call's whole deadline.
 *
 * <ul>
 *   <li>{@code timeout.per-attempt} set: that, capped by the time left before the deadline.
 *   <li>Not set (the default) and the call has a deadline: <em>adaptive</em>. An attempt gets the larger of its
 *       fair share of the time left ({@code left / attempts left}) and 4x the service's recent p99 latency, capped
 *       by the time left. A hung endpoint then costs one share, not the whole deadline, and the retry goes
 *       elsewhere with time to spare; a service whose normal calls are slow still gets what its p99 says they
 *       need.
 *   <li>No deadline and no per-attempt timeout: the HTTP client's own timeouts (OkHttp: 10 s per read).
 * </ul>
 *
 * <p>The p99 is learned from a sample of successful attempts (one in four, drawn by the call executor) with a
 * lock-free log-linear histogram (4 bins per power of two,
 * one atomic increment per sample); every {@value #RECOMPUTE_EVERY} samples the recording thread recomputes the
 * p99 and halves the counts, so the estimate follows the recent past at no timer's cost.
 */
public final class AttemptTimeouts {

  /** The least time an attempt is worth starting with. */
  public static final long MIN_ATTEMPT_NANOS = 1_000_000L;
  /** The p99 is trusted once this many samples are in the histogram. */
  static final int MIN_SAMPLES = 100;
  /** Recompute the p99 (and halve the counts) every this many samples. */
  static final int RECOMPUTE_EVERY = 1024;
  /** An attempt may take this many times the recent p99. */
  static final int P99_FACTOR = 4;
  private static final int BINS = 160;

  private final long configuredNanos;
  /** Made on the first sample: a service that is never called (most of a large fleet) holds no 1.3 KB histogram. */
  private volatile @Nullable AtomicLongArray bins;
  private final AtomicLong samples = new AtomicLong();
  private volatile long p99Nanos;

  AttemptTimeouts(long configuredNanos) {
    this.configuredNanos = configuredNanos;
  }

  /**
   * The timeout of the next attempt, in nanos, or 0 for the client's own.
   *
   * @param remainingNanos time left before the deadline, or {@link Long#MAX_VALUE} without one
   * @param attemptsLeft attempts the call may still make, this one included (at least 1)
   */
  public long forAttempt(long remainingNanos, int attemptsLeft) {
    if (configuredNanos > 0) {
      return Math.min(configuredNanos, remainingNanos);
    }
    if (remainingNanos == Long.MAX_VALUE) {
      return 0;
    }
    if (attemptsLeft <= 1) {
      return remainingNanos;
    }
    long share = remainingNanos / attemptsLeft;
    long p99 = p99Nanos;
    long learned = p99 > 0 ? P99_FACTOR * p99 : 0;
    return Math.min(remainingNanos, Math.max(share, learned));
  }

  /** The recent p99 of successful attempts, in nanos, or 0 while too few are known. */
  public long p99Nanos() {
    return p99Nanos;
  }

  /** Records the latency of a successful attempt (call path: one or two atomic increments). */
  public void record(long latencyNanos) {
    AtomicLongArray b = bins;
    if (b == null) {
      b = firstBins();
    }
    b.incrementAndGet(bin(latencyNanos / 1000));
    if (samples.incrementAndGet() % RECOMPUTE_EVERY == 0) {
      recompute(b);
    }
  }

  private synchronized AtomicLongArray firstBins() { // once per service
    AtomicLongArray b = bins;
    if (b == null) {
      b = new AtomicLongArray(BINS);
      bins = b;
    }
    return b;
  }

  private void recompute(AtomicLongArray bins) {
    long total = 0;
    long[] counts = new long[BINS];
    for (int i = 0; i < BINS; i++) {
      counts[i] = bins.get(i);
      total += counts[i];
    }
    if (total >= MIN_SAMPLES) {
      long rank = (long) Math.ceil(total * 0.99);
      long seen = 0;
      for (int i = 0; i < BINS; i++) {
        seen += counts[i];
        if (seen >= rank) {
          p99Nanos = binHigh(i) * 1000;
          break;
        }
      }
    }
    for (int i = 0; i < BINS; i++) { // decay: the next estimate weighs the recent past more
      long c = counts[i];
      if (c > 1) {
        bins.addAndGet(i, -(c / 2));
      }
    }
  }

  static int bin(long micros) {
    long v = Math.max(micros, 0);
    if (v < 4) {
      return (int) v;
    }
    int msb = 63 - Long.numberOfLeadingZeros(v);
    int sub = (int) (v >>> (msb - 2)) & 3;
    return Math.min(BINS - 1, (msb - 1) * 4 + sub);
  }

  /** The largest value in {@code bin}, in µs. */
  static long binHigh(int bin) {
    if (bin < 4) {
      return bin;
    }
    int msb = (bin + 1) / 4 + 1;
    return ((4L + (bin + 1) % 4) << (msb - 2)) - 1;
  }
}
