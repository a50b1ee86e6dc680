package io.meshsdk.core.resilience;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * A rate limiter of {@code permits} per {@code period} (docs/adr/0024), lock-free and allocation-free: one
 * compare-and-set of one {@code long} per permit, no write at all per refusal. The mesh's outbound limiter
 * ({@code rate-limit.*}, one per service) and the inbound guard's per-caller limiters are instances of it.
 *
 * <h2>Semantics (those of resilience4j's {@code AtomicRateLimiter})</h2>
 *
 * <p>Time is cut into cycles of {@code period}, the first starting when the limiter is built. Each cycle brings
 * {@code permits} fresh permits; permits left unused at the end of a cycle are gone (never more than
 * {@code permits} at once). With a wait allowed ({@code max-wait} &gt; 0), a caller that finds its cycle spent may
 * reserve a permit of a coming cycle, and waits until that cycle starts, when the wait is within what it may
 * wait; the reservation counts against that cycle's permits. Otherwise it is refused and nothing is taken.
 *
 * <h2>State</h2>
 *
 * <p>One {@code long}: the low 32 bits of the current cycle (high half) and the permits taken counted from that
 * cycle's start (low half, unsigned: this cycle's and those reserved from the next ones). A caller in a later
 * cycle first drops what the cycles in between refreshed (whole cycles of permits), then takes the next permit:
 * the permit numbered {@code taken} (from 0) belongs to cycle {@code current + taken / permits}. A refusal writes
 * nothing. The full cycle number is recovered from the 32 stored bits with {@code cycleHint}, a lower bound a
 * caller raises <em>before</em> it installs a later cycle: the stored cycle is the largest number at most the hint
 * with those low bits, so the state stays exact whatever time passed between two calls (many more than 2^32
 * cycles), and the hint is written once per cycle at most, not per call.
 *
 * <p>Time is the caller's ticker reading (admission passes its own, so the limiter reads no clock). A reading
 * older than the cycle the limiter already moved to (a caller that read the ticker just before another caller
 * moved the limiter to the next cycle) counts as the start of that cycle: it neither moves the cycle back nor
 * waits for a cycle that has already begun. A reading from before the limiter was built counts as its start.
 */
public final class RateLimiter {

  /** {@link #acquire}: no permit within the wait allowed; nothing was taken. */
  public static final long REFUSED = -1;

  /** The low half of the state: permits taken from the start of the stored cycle on (unsigned). */
  static final long TAKEN_MASK = 0xFFFF_FFFFL;
  /** No more than this many permits are taken or reserved from one cycle's start on. */
  static final long MAX_TAKEN = TAKEN_MASK;

  private static final VarHandle STATE;
  private static final VarHandle HINT;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      STATE = l.findVarHandle(RateLimiter.class, "state", long.class);
      HINT = l.findVarHandle(RateLimiter.class, "cycleHint", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final int permits;
  private final long periodNanos;
  private final long maxWaitNanos;
  private final long startNanos;
  /** Cycle (low 32 bits) in the high half, permits taken in the low half; swapped through {@link #STATE}. */
  @SuppressWarnings("UnusedVariable") // read and written through STATE
  private volatile long state;
  /** At least the stored cycle, and less than 2^32 above it; raised through {@link #HINT}. */
  @SuppressWarnings("UnusedVariable") // read and written through HINT
  private volatile long cycleHint;

  /**
   * A limiter of {@code permits} per {@code period} whose first cycle starts at {@code startNanos} (ticker nanos);
   * a caller may wait up to {@code maxWait} for a permit.
   */
  public RateLimiter(int permits, Duration period, Duration maxWait, long startNanos) {
    if (permits <= 0) {
      throw new IllegalArgumentException("permits must be > 0: " + permits);
    }
    long p = nanos(period);
    if (p <= 0) {
      throw new IllegalArgumentException("period must be > 0: " + period);
    }
    long w = nanos(maxWait);
    if (w < 0) {
      throw new IllegalArgumentException("max wait must be >= 0: " + maxWait);
    }
    this.permits = permits;
    this.periodNanos = p;
    this.maxWaitNanos = w;
    this.startNanos = startNanos;
  }

  /** The limiter {@code config} describes, its first cycle starting at {@code startNanos} (ticker nanos). */
  public RateLimiter(RateLimitConfig config, long startNanos) {
    this(config.permits(), config.period(), config.maxWait(), startNanos);
  }

  /** Nanoseconds of {@code d}, saturated at {@link Long#MAX_VALUE} (a period of centuries never refreshes). */
  private static long nanos(Duration d) {
    return d.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : d.toNanos();
  }

  /** The configured longest wait for a permit, in nanoseconds (0: refuse at once). */
  public long maxWaitNanos() {
    return maxWaitNanos;
  }

  /** {@link #acquire(long, long)} with the configured longest wait. */
  public long acquire(long nowNanos) {
    return acquire(nowNanos, maxWaitNanos);
  }

  /**
   * Takes a permit at {@code nowNanos} (ticker nanos): one of the current cycle, or, when it is spent, one
   * reserved in the first coming cycle with a permit left if that cycle starts within {@code maxWaitNanos}.
   *
   * @param maxWaitNanos the longest this caller may wait (0: a permit of the current cycle or nothing)
   * @return 0 when the permit is this cycle's; the nanoseconds until the cycle of the reserved permit starts
   *     (&gt; 0, at most {@code maxWaitNanos}: the caller waits that long, see {@link #park}); {@link #REFUSED}
   *     when there is none within the wait (nothing taken)
   */
  public long acquire(long nowNanos, long maxWaitNanos) {
    long sinceStart = nowNanos - startNanos; // a difference of ticker readings: safe across a wrap of the ticker
    if (sinceStart < 0) {
      sinceStart = 0; // read before the limiter was built: its first cycle
    }
    long cycle = sinceStart / periodNanos;
    long intoCycle = sinceStart - cycle * periodNanos;
    for (;;) {
      // the state first, then the hint: a hint is raised before a state holding its cycle is installed, so the
      // hint read after a state is at least that state's cycle (read the other way round, an old hint could meet
      // a newer state and place it 2^32 cycles back, resetting the permits taken)
      long s = (long) STATE.getVolatile(this);
      long hint = (long) HINT.getVolatile(this);
      long stored = storedCycle(hint, s);
      long taken = s & TAKEN_MASK;
      long current;
      long into;
      if (cycle > stored) {
        long refreshed = cycle - stored; // cycles started since: each brought `permits` fresh permits
        // all taken ones refreshed, or else refreshed <= (taken - 1) / permits: the product stays below taken
        taken = refreshed > (taken - 1) / permits ? 0 : taken - refreshed * permits;
        current = cycle;
        into = intoCycle;
      } else {
        current = stored; // a reading older than the current cycle counts as its start
        into = cycle == stored ? intoCycle : 0;
      }
      long ahead = taken / permits; // cycles after the current one the next permit belongs to
      long wait = 0;
      if (ahead > 0) {
        wait = ahead > Long.MAX_VALUE / periodNanos ? Long.MAX_VALUE : ahead * periodNanos - into;
        if (wait > maxWaitNanos || wait == Long.MAX_VALUE) {
          return REFUSED;
        }
      }
      if (taken >= MAX_TAKEN) {
        return REFUSED; // over four billion permits reserved ahead: refused rather than wrapped
      }
      if (current != stored) {
        raiseHint(current); // before the state can hold `current`
      }
      if (STATE.compareAndSet(this, s, (current << 32) | (taken + 1))) {
        return wait;
      }
    }
  }

  /** The cycle whose low 32 bits the state holds: the largest number at most {@code hint} with those bits. */
  private static long storedCycle(long hint, long state) {
    return hint - ((hint - (state >>> 32)) & TAKEN_MASK);
  }

  private void raiseHint(long cycle) {
    long h;
    while ((h = (long) HINT.getVolatile(this)) < cycle && !HINT.weakCompareAndSet(this, h, cycle)) {
      // lost to another caller: read again
    }
  }

  /**
   * Waits {@code waitNanos} of real time ({@link System#nanoTime()}) for a reserved permit's cycle to start.
   *
   * @return whether the wait ended undisturbed; false when the thread was interrupted (its interrupt status is
   *     kept; the reserved permit is spent)
   */
  public static boolean park(long waitNanos) {
    long end = System.nanoTime() + waitNanos;
    long left = waitNanos;
    while (left > 0) {
      LockSupport.parkNanos(left);
      if (Thread.currentThread().isInterrupted()) {
        return false;
      }
      left = end - System.nanoTime();
    }
    return true;
  }

  /** The stored cycle (for tests). */
  long cycle() {
    long s = (long) STATE.getVolatile(this); // the state first, as in acquire
    return storedCycle((long) HINT.getVolatile(this), s);
  }

  /** Permits taken from the stored cycle's start on (for tests). */
  long taken() {
    return (long) STATE.getVolatile(this) & TAKEN_MASK;
  }

  /** Permits left in the cycle of {@code nowNanos} without waiting (for tests; 0 when reservations are made). */
  int available(long nowNanos) {
    long sinceStart = Math.max(0, nowNanos - startNanos);
    long cycle = sinceStart / periodNanos;
    long stored = cycle();
    long taken = taken();
    if (cycle > stored) {
      long refreshed = cycle - stored;
      taken = refreshed > (taken - 1) / permits ? 0 : taken - refreshed * permits;
    }
    return (int) Math.max(0, permits - taken);
  }

  @Override
  public String toString() {
    return "RateLimiter{" + permits + " per " + periodNanos + " ns, max wait " + maxWaitNanos + " ns}";
  }
}
