package io.meshsdk.core.internal.engine;

import io.meshsdk.core.common.Ticker;
import io.meshsdk.core.sidecar.MigrationReport;
import io.meshsdk.core.sidecar.RouteTransition;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Per-service call statistics by path over a sliding window of {@value #WINDOW_SECONDS} one-second buckets:
 * calls, errors (5xx or I/O failure) and a log-linear latency histogram (4 sub-buckets per power of two,
 * ~20 % resolution, 1 µs to ~2.4 h) per path, plus fallbacks. Lock-free: a record is a few
 * {@link AtomicLongArray} increments on the bucket of the current second ({@link SecondBuckets}: one ~2 KB
 * allocation per second per service, none per call).
 *
 * <p>Memory: ~125 KB per service, allocated only for services that were ever routed to the sidecar, plus the last
 * {@value RouteTransition#KEPT_PER_SERVICE} route transitions (a config-time record, never touched by calls), and,
 * for a service ever set to {@code shadow:N}, its {@link ShadowStats} (another ~125 KB).
 */
final class MigrationStats {

  static final int WINDOW_SECONDS = 60;
  static final int BINS = 128;
  static final int DIRECT = 0;
  static final int SIDECAR = 1;
  private static final int CALLS = 0;
  private static final int ERRORS = 1;
  private static final int HIST = 2;
  private static final int PATH_STRIDE = HIST + BINS;
  private static final int FALLBACKS = 2 * PATH_STRIDE;
  private static final int BUCKET_STRIDE = FALLBACKS + 1;
  private static final long MAX_MICROS = (1L << 33) - 1;

  private final Ticker ticker;
  private final SecondBuckets ring = new SecondBuckets(WINDOW_SECONDS, BUCKET_STRIDE);
  // readiness reporting, written by the sidecar's probing thread (MeshEngine.readinessRound), read by reports
  volatile @org.jspecify.annotations.Nullable Boolean toldReady;
  volatile long readySinceNanos;
  volatile long lastWarnNanos;
  long lastLogNanos; // route-change log rate (engine lock)
  long unloggedTransitions; // idem
  final java.util.concurrent.atomic.AtomicLong notReadyWarnings = new java.util.concurrent.atomic.AtomicLong();
  private final ArrayDeque<RouteTransition> transitions = new ArrayDeque<>(RouteTransition.KEPT_PER_SERVICE);
  private volatile @org.jspecify.annotations.Nullable ShadowStats shadow; // once ever set to shadow:N

  MigrationStats(Ticker ticker) {
    this.ticker = ticker;
  }

  /** Records a call that ended on {@code path} after {@code nanos}; {@code error} for 5xx or I/O failure. */
  void record(int path, long nanos, boolean error) {
    record(path, nanos, error, ticker.read());
  }

  /** As {@link #record(int, long, boolean)} with the ticker already read at {@code nowNanos}. */
  void record(int path, long nanos, boolean error, long nowNanos) {
    AtomicLongArray data = ring.at(nowNanos);
    int base = path * PATH_STRIDE;
    data.incrementAndGet(base + CALLS);
    if (error) {
      data.incrementAndGet(base + ERRORS);
    }
    data.incrementAndGet(base + HIST + bin(nanos / 1000));
  }

  /** Records a call meant for the sidecar that went direct. */
  void fallback() {
    ring.at(ticker.read()).incrementAndGet(FALLBACKS);
  }

  static int bin(long micros) {
    long v = Math.min(Math.max(micros, 0), MAX_MICROS);
    if (v < 4) {
      return (int) v;
    }
    int msb = 63 - Long.numberOfLeadingZeros(v);
    int sub = (int) (v >>> (msb - 2)) & 3;
    return (msb - 1) * 4 + sub;
  }

  /** The smallest value in {@code bin}, in µs. */
  static long binLow(int bin) {
    if (bin < 4) {
      return bin;
    }
    int msb = bin / 4 + 1;
    return (4L + bin % 4) << (msb - 2);
  }

  /** The largest value in {@code bin}, in µs. */
  static long binHigh(int bin) {
    return bin < 4 ? bin : binLow(bin + 1) - 1;
  }

  /** Sums the window ending now. */
  Snapshot snapshot() {
    long now = SecondBuckets.second(ticker.read());
    long[][] hist = new long[2][BINS];
    long[] calls = new long[2];
    long[] errors = new long[2];
    long fallbacks = 0;
    for (int idx = 0; idx < WINDOW_SECONDS; idx++) {
      AtomicLongArray data = ring.slot(idx, now, now - WINDOW_SECONDS + 1);
      if (data == null) {
        continue;
      }
      for (int path = 0; path < 2; path++) {
        int base = path * PATH_STRIDE;
        calls[path] += data.get(base + CALLS);
        errors[path] += data.get(base + ERRORS);
        for (int b = 0; b < BINS; b++) {
          hist[path][b] += data.get(base + HIST + b);
        }
      }
      fallbacks += data.get(FALLBACKS);
    }
    return new Snapshot(path(calls[0], errors[0], hist[0]), path(calls[1], errors[1], hist[1]), fallbacks);
  }

  /**
   * Sums both paths over the last {@code seconds} seconds (the current one included), counting only seconds after
   * the one holding {@code sinceNanos}, into {@code out}; {@code hist} is the caller's scratch ({@code [2][BINS]}),
   * so a plan's evaluation allocates nothing here.
   */
  void window(int seconds, long sinceNanos, long[][] hist, io.meshsdk.core.internal.migration.WindowSums out) {
    long now = SecondBuckets.second(ticker.read());
    long first = Math.max(now - Math.min(seconds, WINDOW_SECONDS) + 1, SecondBuckets.second(sinceNanos) + 1);
    long dCalls = 0;
    long dErrors = 0;
    long sCalls = 0;
    long sErrors = 0;
    java.util.Arrays.fill(hist[0], 0);
    java.util.Arrays.fill(hist[1], 0);
    for (int idx = 0; idx < WINDOW_SECONDS; idx++) {
      AtomicLongArray data = ring.slot(idx, now, first);
      if (data == null) {
        continue;
      }
      dCalls += data.get(CALLS);
      dErrors += data.get(ERRORS);
      sCalls += data.get(PATH_STRIDE + CALLS);
      sErrors += data.get(PATH_STRIDE + ERRORS);
      for (int b = 0; b < BINS; b++) {
        hist[0][b] += data.get(HIST + b);
        hist[1][b] += data.get(PATH_STRIDE + HIST + b);
      }
    }
    out.set((int) Math.max(0, now - first + 1), first * 1_000_000_000L, dCalls, dErrors, percentile(hist[0], 0.99),
        sCalls, sErrors, percentile(hist[1], 0.99));
  }

  private static MigrationReport.PathStats path(long calls, long errors, long[] hist) {
    return new MigrationReport.PathStats(calls, errors, percentile(hist, 0.50), percentile(hist, 0.99));
  }

  /** The midpoint of the bin holding quantile {@code q}, in µs; 0 when empty. */
  static long percentile(long[] hist, double q) {
    long total = 0;
    for (long c : hist) {
      total += c;
    }
    if (total == 0) {
      return 0;
    }
    long rank = Math.max(1, (long) Math.ceil(q * total));
    long seen = 0;
    for (int b = 0; b < hist.length; b++) {
      seen += hist[b];
      if (seen >= rank) {
        return (binLow(b) + binHigh(b)) / 2;
      }
    }
    return binHigh(hist.length - 1);
  }

  /** The service's shadow statistics and permits, created the first time it is set to {@code shadow:N}. */
  synchronized ShadowStats shadow() {
    ShadowStats s = shadow;
    if (s == null) {
      s = new ShadowStats(ticker);
      shadow = s;
    }
    return s;
  }

  /** The service's shadow statistics, or {@code null} when it was never set to {@code shadow:N}. */
  @org.jspecify.annotations.Nullable ShadowStats shadowIfAny() {
    return shadow;
  }

  /** Keeps {@code t}, dropping the oldest beyond {@link RouteTransition#KEPT_PER_SERVICE}. */
  void transition(RouteTransition t) {
    synchronized (transitions) {
      if (transitions.size() == RouteTransition.KEPT_PER_SERVICE) {
        transitions.removeFirst();
      }
      transitions.addLast(t);
    }
  }

  /** The transitions kept, oldest first. */
  List<RouteTransition> transitions() {
    synchronized (transitions) {
      return List.copyOf(transitions);
    }
  }

  record Snapshot(MigrationReport.PathStats direct, MigrationReport.PathStats sidecar, long fallbacks) {}
}
