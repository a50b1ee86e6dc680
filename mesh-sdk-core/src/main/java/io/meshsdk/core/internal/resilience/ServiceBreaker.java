package io.meshsdk.core.internal.resilience;

import io.meshsdk.core.common.Ticker;
import io.meshsdk.core.resilience.BreakerConfig;
import io.meshsdk.core.resilience.BreakerState;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The circuit breaker of one service (docs/adr/0014): a count-based window over the last
 * {@link BreakerConfig#windowSize()} logical calls, lock-free and allocation-free on the call path.
 *
 * <h2>States</h2>
 *
 * <ul>
 *   <li>{@code CLOSED}: every call is permitted and its outcome recorded in the window. Once the window holds at
 *       least {@code minimumCalls} outcomes and the failure share or the slow share reaches its threshold, the
 *       breaker opens.
 *   <li>{@code OPEN}: calls are refused; the first permission request at least {@code openWait} after the breaker
 *       opened moves it to {@code HALF_OPEN}.
 *   <li>{@code HALF_OPEN}: {@code halfOpenCalls} trial permits. When all trials have reported, the breaker opens
 *       again if their failure or slow share reaches its threshold, otherwise it closes with an empty window. A
 *       trial that learned nothing gives its permit back ({@link #releasePermit}); a trial that never reports
 *       does not hold the breaker half-open for ever: a permission request that finds no trial permit left
 *       {@code openWait} after the breaker went half-open opens it again.
 * </ul>
 *
 * <p>{@link BreakerState#FORCED_OPEN} and {@link BreakerState#DISABLED} are never states of this breaker: a
 * disabled breaker is not built, and nothing forces one open.
 *
 * <h2>Concurrency</h2>
 *
 * <p>The state lives in one immutable {@link Phase} (state, generation, since when), swapped by compare-and-set
 * and allocated only on a state change; the thread whose swap succeeds reports the change, exactly once. A
 * permission carries the generation of the phase that granted it, and an outcome is recorded only while that
 * phase is current: a call admitted while {@code CLOSED} that ends after the breaker opened records nothing (it
 * cannot count as a half-open trial, nor leak into the fresh window after the breaker closes again), and a trial
 * that ends after its half-open phase was given up records nothing either. Half-open accounting therefore only
 * ever sees the permits it granted: {@code recorded + outstanding + left = halfOpenCalls}.
 *
 * <p>The window is a ring of one-byte outcome codes with a shared cursor and one packed word of counts (calls,
 * failed, slow; 21 bits each). A record moves the cursor, reads its slot and stops there when the slot already
 * holds the same code: a steady stream of fast successes writes nothing but the cursor. When the code differs,
 * the recording thread claims the slot (compare-and-set to a busy mark), adds the difference to the counts with
 * one atomic add and then publishes the new code, so the counts always equal the sum over the slots and never go
 * negative or past the window. A record that finds its slot claimed by a concurrent record of the same slot (the
 * cursor went once round the window in between) is dropped, as if overwritten by it: nobody waits. Thresholds are
 * checked only when a record adds a call to a filling window or raises the failed or slow count.
 *
 * <p>Time comes from the mesh's {@link Ticker}; the call path passes its own reading, and the breaker reads the
 * ticker only when it changes state.
 */
public final class ServiceBreaker {

  private static final Logger log = LoggerFactory.getLogger(ServiceBreaker.class);

  /** {@link #tryAcquire}: no permission. */
  public static final int REFUSED = -1;

  /** Generations wrap within 28 bits, so a permission fits, shifted, in the bits of an {@code int}. */
  static final int GENERATION_MASK = (1 << 28) - 1;

  // outcome codes of a window slot
  static final int EMPTY = 0;
  static final int CALL = 1;
  static final int FAILED = 2;
  static final int SLOW = 4;
  static final int BUSY = 8;

  // packed counts: calls in bits 0-20, failed calls in 21-41, slow calls in 42-62 (each at most 100,000 < 2^21)
  static final int FIELD_BITS = 21;
  static final long FIELD_MASK = (1L << FIELD_BITS) - 1;
  static final long ONE_CALL = 1L;
  static final long ONE_FAILED = 1L << FIELD_BITS;
  static final long ONE_SLOW = 1L << (2 * FIELD_BITS);
  private static final long NO_CHECK = -1;

  private static final VarHandle PHASE;
  private static final VarHandle PERMITS;
  private static final VarHandle TRIALS;
  private static final VarHandle CURSOR;
  private static final VarHandle COUNTS;
  private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(byte[].class);

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      PHASE = l.findVarHandle(ServiceBreaker.class, "phase", Phase.class);
      PERMITS = l.findVarHandle(Phase.class, "permits", int.class);
      TRIALS = l.findVarHandle(Phase.class, "trials", long.class);
      CURSOR = l.findVarHandle(Window.class, "cursor", long.class);
      COUNTS = l.findVarHandle(Window.class, "counts", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final String service;
  private final Ticker ticker;
  private final Consumer<BreakerState> onChange;
  private final int failureRateThreshold;
  private final int slowCallRateThreshold;
  private final long slowCallNanos;
  private final int windowSize;
  private final int minimumCalls;
  private final long openWaitNanos;
  private final int halfOpenCalls;
  private volatile Phase phase; // swapped through PHASE

  /**
   * A closed breaker for {@code service}.
   *
   * @param onChange told of every state change, once, on the thread that made it (must not block)
   */
  public ServiceBreaker(String service, BreakerConfig config, Ticker ticker, Consumer<BreakerState> onChange) {
    this.service = service;
    this.ticker = ticker;
    this.onChange = onChange;
    this.failureRateThreshold = config.failureRateThreshold();
    this.slowCallRateThreshold = config.slowCallRateThreshold();
    this.slowCallNanos = config.slowCallDuration().toNanos();
    this.windowSize = config.windowSize();
    this.minimumCalls = Math.min(config.minimumCalls(), config.windowSize());
    this.openWaitNanos = config.openWait().toNanos();
    this.halfOpenCalls = config.halfOpenCalls();
    this.phase = closed(0, ticker.read());
  }

  /**
   * Asks for a permission at {@code nowNanos} (ticker nanos). Moves an open breaker whose wait is over to
   * {@code HALF_OPEN} and takes one of its trial permits.
   *
   * @return the permission (&ge; 0, at most {@link #GENERATION_MASK}) to pass to {@link #onResult} or
   *     {@link #releasePermit}, or {@link #REFUSED}
   */
  public int tryAcquire(long nowNanos) {
    for (;;) {
      Phase p = phase;
      BreakerState s = p.state;
      if (s == BreakerState.CLOSED) {
        return p.generation;
      }
      if (s == BreakerState.OPEN) {
        if (nowNanos - p.since < openWaitNanos) {
          return REFUSED;
        }
        transition(p, BreakerState.HALF_OPEN, nowNanos, 0, 0); // won or lost, take a trial from what is current
        continue;
      }
      if (s != BreakerState.HALF_OPEN) {
        return REFUSED;
      }
      int left = (int) PERMITS.getVolatile(p);
      if (left > 0) {
        if (PERMITS.compareAndSet(p, left, left - 1)) {
          return p.generation;
        }
        continue; // another trial took it, or gave one back
      }
      if (nowNanos - p.since >= openWaitNanos) { // half-open for open-wait and a trial still out: give up on it
        transition(p, BreakerState.OPEN, nowNanos, (long) TRIALS.getVolatile(p), halfOpenCalls);
      }
      return REFUSED;
    }
  }

  /** A call with {@code permit} learned nothing about the service (cancelled, never sent): a trial comes back. */
  public void releasePermit(int permit) {
    Phase p = phase;
    if (p.generation == permit && p.state == BreakerState.HALF_OPEN) {
      PERMITS.getAndAdd(p, 1);
    }
  }

  /**
   * Records the outcome of the call that held {@code permit}.
   *
   * @param durationNanos how long the call took (to the end of its body)
   * @param failed whether it failed
   */
  public void onResult(int permit, long durationNanos, boolean failed) {
    Phase p = phase;
    if (p.generation != permit) {
      return; // granted by an earlier phase: see the class comment
    }
    int code = CALL | (failed ? FAILED : 0) | (durationNanos >= slowCallNanos ? SLOW : 0);
    if (p.state == BreakerState.CLOSED) {
      Window w = p.window;
      if (w != null) {
        long counts = w.record(code);
        if (counts != NO_CHECK && exceeds(counts, minimumCalls)) {
          transition(p, BreakerState.OPEN, ticker.read(), counts, minimumCalls);
        }
      }
    } else if (p.state == BreakerState.HALF_OPEN) {
      long delta = weight(code);
      long trials = (long) TRIALS.getAndAdd(p, delta) + delta;
      if ((trials & FIELD_MASK) == halfOpenCalls) { // the last trial: exactly one thread gets here
        BreakerState next = exceeds(trials, halfOpenCalls) ? BreakerState.OPEN : BreakerState.CLOSED;
        transition(p, next, ticker.read(), trials, halfOpenCalls);
      }
    }
  }

  /** The state now. */
  public BreakerState state() {
    return phase.state;
  }

  /** Since when (ticker nanos) the breaker is in its current state. */
  public long sinceNanos() {
    return phase.since;
  }

  /** When an open breaker lets a trial call through (ticker nanos), or 0 when it is not open. */
  public long nextTrialNanos() {
    Phase p = phase;
    return p.state == BreakerState.OPEN ? p.since + openWaitNanos : 0;
  }

  /**
   * The failure share in percent of the calls that count now: the window when closed, the trials when half-open,
   * the calls that opened the breaker when open. -1 before there are enough of them.
   */
  public float failureRate() {
    Phase p = phase;
    return rate(countsOf(p), minimumOf(p), FIELD_BITS);
  }

  /** The slow-call share in percent, over the same calls as {@link #failureRate}; -1 before there are enough. */
  public float slowCallRate() {
    Phase p = phase;
    return rate(countsOf(p), minimumOf(p), 2 * FIELD_BITS);
  }

  // ---- internals (package-private for tests) ----------------------------------------------------------------

  /** The packed counts behind the rates: calls, failed ({@link #FIELD_BITS} up), slow (twice that). */
  long counts() {
    return countsOf(phase);
  }

  /** The generation of the current phase: the number of state changes so far (modulo 2^28). */
  int generation() {
    return phase.generation;
  }

  /** Trial permits left when half-open, else 0. */
  int trialPermitsLeft() {
    Phase p = phase;
    return p.state == BreakerState.HALF_OPEN ? (int) PERMITS.getVolatile(p) : 0;
  }

  /** The window of the current phase, when closed. */
  @Nullable Window window() {
    return phase.window;
  }

  /** The current phase. */
  Phase currentPhase() {
    return phase;
  }

  private static long countsOf(Phase p) {
    Window w = p.window;
    if (w != null) {
      return w.counts();
    }
    return p.state == BreakerState.HALF_OPEN ? (long) TRIALS.getVolatile(p) : p.frozenCounts;
  }

  private int minimumOf(Phase p) {
    if (p.window != null) {
      return minimumCalls;
    }
    return p.state == BreakerState.HALF_OPEN ? halfOpenCalls : p.frozenMinimum;
  }

  /** The share in percent of the field at {@code shift} in {@code counts}, or -1 below {@code minimum} calls. */
  static float rate(long counts, int minimum, int shift) {
    long calls = counts & FIELD_MASK;
    if (calls == 0 || calls < minimum) {
      return -1;
    }
    return ((counts >>> shift) & FIELD_MASK) * 100f / calls;
  }

  private boolean exceeds(long counts, int minimum) {
    long calls = counts & FIELD_MASK;
    if (calls == 0 || calls < minimum) {
      return false;
    }
    long failed = (counts >>> FIELD_BITS) & FIELD_MASK;
    long slow = (counts >>> (2 * FIELD_BITS)) & FIELD_MASK;
    return failed * 100 >= failureRateThreshold * calls || slow * 100 >= slowCallRateThreshold * calls;
  }

  static long weight(int code) {
    if (code == EMPTY) {
      return 0;
    }
    return ONE_CALL + ((code & FAILED) != 0 ? ONE_FAILED : 0) + ((code & SLOW) != 0 ? ONE_SLOW : 0);
  }

  private Phase closed(int generation, long now) {
    return new Phase(BreakerState.CLOSED, generation, now, new Window(windowSize), 0, 0, 0);
  }

  /**
   * Swaps {@code from} for a new phase in state {@code to}; the winner reports the change.
   *
   * @param counts the counts that decided (kept by an open phase for its rates)
   * @param minimum calls those counts need before their rates count
   */
  private void transition(Phase from, BreakerState to, long now, long counts, int minimum) {
    int generation = (from.generation + 1) & GENERATION_MASK;
    Phase next = switch (to) {
      case CLOSED -> closed(generation, now);
      case HALF_OPEN -> new Phase(to, generation, now, null, 0, 0, halfOpenCalls);
      default -> new Phase(to, generation, now, null, counts, minimum, 0);
    };
    if (!PHASE.compareAndSet(this, from, next)) {
      return; // another thread changed the state first, and reported it
    }
    if (to == BreakerState.OPEN) {
      boolean gaveUp = from.state == BreakerState.HALF_OPEN && (counts & FIELD_MASK) < halfOpenCalls;
      if (gaveUp) {
        log.warn("service '{}': circuit breaker HALF_OPEN -> OPEN (a trial call did not report within {} ms)",
            service, openWaitNanos / 1_000_000L);
      } else {
        log.warn("service '{}': circuit breaker {} -> OPEN (failure rate {}%, slow-call rate {}%)", service,
            from.state, rate(counts, minimum, FIELD_BITS), rate(counts, minimum, 2 * FIELD_BITS));
      }
    } else {
      log.info("service '{}': circuit breaker {} -> {}", service, from.state, to);
    }
    onChange.accept(to);
  }

  /** One state of the breaker: immutable but for the half-open trial accounting. */
  static final class Phase {
    final BreakerState state;
    final int generation;
    final long since;
    /** The window, when closed. */
    final @Nullable Window window;
    /** When open: the counts that opened the breaker, and the calls they needed. */
    final long frozenCounts;
    final int frozenMinimum;
    /** When half-open: trial permits left. */
    @SuppressWarnings("UnusedVariable") // through PERMITS
    volatile int permits;
    /** When half-open: the trials' packed counts. */
    @SuppressWarnings("UnusedVariable") // through TRIALS
    volatile long trials;

    Phase(BreakerState state, int generation, long since, @Nullable Window window, long frozenCounts,
        int frozenMinimum, int permits) {
      this.state = state;
      this.generation = generation;
      this.since = since;
      this.window = window;
      this.frozenCounts = frozenCounts;
      this.frozenMinimum = frozenMinimum;
      this.permits = permits;
    }
  }

  /** The count-based window of a closed breaker: a ring of outcome codes and their packed counts. */
  static final class Window {
    final byte[] ring;
    /**
     * Records so far: a long, because an int would wrap after 2^31 records (hours at 100k calls/s) onto a slot
     * that is not the next one unless the window's size divides 2^32, and the window would stop holding the last
     * {@code window-size} calls.
     */
    @SuppressWarnings("UnusedVariable") // through CURSOR
    volatile long cursor;
    @SuppressWarnings("UnusedVariable") // through COUNTS
    volatile long counts;

    Window(int size) {
      this.ring = new byte[size];
    }

    /**
     * Writes {@code code} in the next slot.
     *
     * @return the counts after the write when it added a call or raised the failed or slow count (so the
     *     thresholds need a look), else {@link #NO_CHECK}
     */
    long record(int code) {
      byte[] r = ring;
      int i = (int) Math.floorMod((long) CURSOR.getAndAdd(this, 1L), (long) r.length);
      int old = (byte) SLOT.getAcquire(r, i);
      if (old == code) {
        return NO_CHECK; // nothing changes: the common case
      }
      if ((old & BUSY) != 0 || !SLOT.compareAndSet(r, i, (byte) old, (byte) (code | BUSY))) {
        return NO_CHECK; // a concurrent record of the same slot has it: this one counts as overwritten by it
      }
      long delta = weight(code) - weight(old);
      long after = (long) COUNTS.getAndAdd(this, delta) + delta;
      SLOT.setRelease(r, i, (byte) code);
      boolean rises = old == EMPTY || (code & ~old & (FAILED | SLOW)) != 0;
      return rises ? after : NO_CHECK;
    }

    /** The packed counts. */
    long counts() {
      return (long) COUNTS.getVolatile(this);
    }
  }
}
