package io.meshsdk.core.internal.engine;

import io.meshsdk.core.common.Ticker;
import io.meshsdk.core.sidecar.MigrationReport;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The shadow traffic of one service ({@code route.mode=shadow:N}) over the same sliding window as
 * {@link MigrationStats} ({@value MigrationStats#WINDOW_SECONDS} one-second buckets): copies sent, dropped (by
 * reason), and the compared pairs: per side calls, errors and a latency histogram (the bins of
 * {@link MigrationStats#bin}), plus status and status-class mismatches. Also the service's shadow permits: the
 * count of copies in flight, taken with a CAS and never waited for.
 *
 * <p>Lock-free and allocation-free per call, like {@link MigrationStats}: a record is a few {@link AtomicLongArray}
 * increments in the bucket of the current second ({@link SecondBuckets}). Exists only for services ever set to a shadow mode (~125 KB each), created when such a route is compiled,
 * kept (with the service's {@code MigrationStats}) across route changes so that copies in flight return their
 * permit to the counter they took it from.
 */
final class ShadowStats {

  static final int DIRECT = 0;
  static final int SHADOW = 1;
  private static final int BINS = MigrationStats.BINS;
  private static final int CALLS = 0;
  private static final int ERRORS = 1;
  private static final int HIST = 2;
  private static final int PATH_STRIDE = HIST + BINS;
  private static final int SENT = 2 * PATH_STRIDE;
  private static final int DROPPED_CONCURRENCY = SENT + 1;
  private static final int DROPPED_NOT_READY = SENT + 2;
  private static final int DROPPED_CPU = SENT + 3;
  private static final int MISMATCH = SENT + 4;
  private static final int CLASS_MISMATCH = SENT + 5;
  private static final int BUCKET_STRIDE = SENT + 6;
  private static final int WINDOW = MigrationStats.WINDOW_SECONDS;

  private final Ticker ticker;
  private final SecondBuckets ring = new SecondBuckets(WINDOW, BUCKET_STRIDE);
  private final AtomicInteger inFlight = new AtomicInteger();
  /** The {@code route.shadow-max-concurrency} of the route compiled last (for the report); 0 out of shadow mode. */
  volatile int maxConcurrency;

  ShadowStats(Ticker ticker) {
    this.ticker = ticker;
  }

  // ---- permits ------------------------------------------------------------------------------------------------

  /** Takes one of {@code max} permits if one is free: a CAS loop, never a wait. */
  boolean tryAcquire(int max) {
    while (true) {
      int n = inFlight.get();
      if (n >= max) {
        return false;
      }
      if (inFlight.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  /** Returns a permit (the copy ended, however). */
  void release() {
    inFlight.decrementAndGet();
  }

  /** Copies in flight now. */
  int inFlight() {
    return inFlight.get();
  }

  // ---- counts -------------------------------------------------------------------------------------------------

  void sent(long nowNanos) {
    ring.at(nowNanos).incrementAndGet(SENT);
  }

  void droppedConcurrency(long nowNanos) {
    ring.at(nowNanos).incrementAndGet(DROPPED_CONCURRENCY);
  }

  void droppedNotReady(long nowNanos) {
    ring.at(nowNanos).incrementAndGet(DROPPED_NOT_READY);
  }

  void droppedCpu(long nowNanos) {
    ring.at(nowNanos).incrementAndGet(DROPPED_CPU);
  }

  /**
   * Records a compared pair. A status of -1 is a failure without a status (I/O error, timeout); an error is a 5xx
   * or such a failure.
   */
  void pair(int directStatus, long directNanos, int shadowStatus, long shadowNanos, long nowNanos) {
    AtomicLongArray data = ring.at(nowNanos);
    side(data, DIRECT, directStatus, directNanos);
    side(data, SHADOW, shadowStatus, shadowNanos);
    if (directStatus != shadowStatus) {
      data.incrementAndGet(MISMATCH);
      if (statusClass(directStatus) != statusClass(shadowStatus)) {
        data.incrementAndGet(CLASS_MISMATCH);
      }
    }
  }

  private static void side(AtomicLongArray data, int side, int status, long nanos) {
    int base = side * PATH_STRIDE;
    data.incrementAndGet(base + CALLS);
    if (status < 0 || status >= 500) {
      data.incrementAndGet(base + ERRORS);
    }
    data.incrementAndGet(base + HIST + MigrationStats.bin(nanos / 1000));
  }

  /** 1 to 5 for 1xx to 5xx; 0 for a failure without a status (or anything else). */
  static int statusClass(int status) {
    int c = status / 100;
    return status >= 0 && c >= 1 && c <= 5 ? c : 0;
  }

  /** Sums the window ending now. */
  MigrationReport.Shadow snapshot() {
    long now = SecondBuckets.second(ticker.read());
    long[] totals = new long[BUCKET_STRIDE];
    for (int idx = 0; idx < WINDOW; idx++) {
      AtomicLongArray data = ring.slot(idx, now, now - WINDOW + 1);
      if (data == null) {
        continue;
      }
      for (int i = 0; i < BUCKET_STRIDE; i++) {
        totals[i] += data.get(i);
      }
    }
    return new MigrationReport.Shadow(totals[SENT], totals[CALLS], totals[DROPPED_CONCURRENCY],
        totals[DROPPED_NOT_READY], totals[DROPPED_CPU], totals[MISMATCH], totals[CLASS_MISMATCH], path(totals, DIRECT),
        path(totals, SHADOW), inFlight.get(), maxConcurrency);
  }

  private static MigrationReport.PathStats path(long[] totals, int side) {
    int base = side * PATH_STRIDE;
    long[] hist = new long[BINS];
    System.arraycopy(totals, base + HIST, hist, 0, BINS);
    return new MigrationReport.PathStats(totals[base + CALLS], totals[base + ERRORS],
        MigrationStats.percentile(hist, 0.50), MigrationStats.percentile(hist, 0.99));
  }
}
