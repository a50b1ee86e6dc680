package io.meshsdk.core.endpoint;

import static java.util.Objects.requireNonNull;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A read-only view of a block of endpoints' hot statistics, laid out flat: {@value #STRIDE} longs (16 bytes) per
 * endpoint, four endpoints per cache line. The engine keeps the numbers a balancer compares on every pick here
 * rather than in each endpoint's own object, so that a balancer comparing two random endpoints of a large service
 * (least-request) reads two 16-byte cells of a dense array instead of two objects scattered over the heap; the
 * endpoints of one service share a few blocks. An {@link EndpointState} says where its cell is ({@link
 * EndpointState#statsCells()}, {@link EndpointState#statsIndex()}); the values are the same as its own getters.
 *
 * <p>Cell layout (engine-owned; a balancer only reads it through the methods below, every read an opaque read):
 *
 * <ul>
 *   <li>word 0: in-flight attempts (high 32 bits, signed) and the recent failure rate (low 32 bits, fixed point
 *       0..{@value #RATE_SCALE});
 *   <li>word 1: the latency estimate in nanoseconds as a {@code float} (high 32 bits; 0 = no sample yet) and when
 *       it last took a sample, in ticks of 2<sup>{@value #TICK_SHIFT}</sup> ns (~16.8 ms; low 32 bits, compared
 *       with wrapping arithmetic, so differences up to ~1.1 years are exact to a tick).
 * </ul>
 *
 * <p>A balancer that gets states without a cell (its own test doubles, say) reads the states' getters instead.
 */
public final class StatsCells {

  /** Longs per endpoint. */
  public static final int STRIDE = 2;
  /** Fixed-point scale of the recent failure rate. */
  public static final int RATE_SCALE = 1 << 16;
  /** A time tick is {@code nanos >> TICK_SHIFT}. */
  public static final int TICK_SHIFT = 24;
  /** Time constant of the latency decays ({@link #decay}): 10 s. */
  public static final long DECAY_NANOS = 10_000_000_000L;

  private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
  /** Step of the decay table: 2^26 ns (~67 ms), 1/149 of the time constant. */
  private static final int DECAY_STEP_SHIFT = 26;
  private static final double[] DECAY = new double[1024]; // covers ~68.7 s, 6.9 time constants
  private static final long DECAY_LIMIT = (long) (DECAY.length - 1) << DECAY_STEP_SHIFT;

  static {
    for (int i = 0; i < DECAY.length; i++) {
      DECAY[i] = Math.exp(-(double) ((long) i << DECAY_STEP_SHIFT) / DECAY_NANOS);
    }
  }

  private final long[] cells;
  private final int firstSlot;

  /**
   * A view of {@code cells} ({@value #STRIDE} longs per endpoint); {@code firstSlot} is the owner's number of the
   * block's first cell (the engine numbers the cells of a service across its blocks).
   */
  public StatsCells(long[] cells, int firstSlot) {
    this.cells = requireNonNull(cells, "cells");
    if (cells.length % STRIDE != 0) {
      throw new IllegalArgumentException("cells.length " + cells.length + " is not a multiple of " + STRIDE);
    }
    this.firstSlot = firstSlot;
  }

  /** How many endpoint cells the block holds. */
  public int capacity() {
    return cells.length / STRIDE;
  }

  /** The owner's number of this block's first cell. */
  public int firstSlot() {
    return firstSlot;
  }

  /** Word 0 of cell {@code index}: in-flight count and failure rate (see {@link #inFlightOf}, {@link #rateOf}). */
  public long loadCounts(int index) {
    return (long) LONGS.getOpaque(cells, index * STRIDE);
  }

  /** Word 1 of cell {@code index}: latency estimate and sample tick (see {@link #ewmaOf}, {@link #tickOf}). */
  public long loadLatency(int index) {
    return (long) LONGS.getOpaque(cells, index * STRIDE + 1);
  }

  /** The in-flight count held in a word 0. */
  public static int inFlightOf(long counts) {
    return (int) (counts >> 32);
  }

  /** The recent failure rate (0 to 1) held in a word 0. */
  public static double rateOf(long counts) {
    return Math.min(RATE_SCALE, (int) counts) / (double) RATE_SCALE;
  }

  /** The latency estimate (nanoseconds; 0 = no sample yet) held in a word 1. */
  public static double ewmaOf(long latency) {
    return Float.intBitsToFloat((int) (latency >>> 32));
  }

  /** The sample tick held in a word 1. */
  public static int tickOf(long latency) {
    return (int) latency;
  }

  /** A word 1: estimate {@code ewmaNanos} sampled at tick {@code tick}. */
  public static long latencyWord(float ewmaNanos, int tick) {
    return (long) Float.floatToRawIntBits(ewmaNanos) << 32 | (tick & 0xFFFF_FFFFL);
  }

  /** The tick of {@code nanos} (ticker nanoseconds). */
  public static int tick(long nanos) {
    return (int) (nanos >> TICK_SHIFT);
  }

  /** Nanoseconds between two ticks, {@code later - earlier}, with wrapping arithmetic. */
  public static long ticksToNanos(int later, int earlier) {
    return (long) (later - earlier) << TICK_SHIFT;
  }

  /**
   * {@code exp(-elapsed / 10 s)} from a table (steps of ~67 ms, so within 0.34 % of the exact value; no
   * {@code Math.exp} on the call or pick path): 1 for {@code elapsed <= 0}, and from ~68.7 s on the table's last
   * value (~0.001), never 0.
   */
  public static double decay(long elapsedNanos) {
    if (elapsedNanos <= 0) {
      return 1.0;
    }
    if (elapsedNanos >= DECAY_LIMIT) {
      return DECAY[DECAY.length - 1];
    }
    return DECAY[(int) ((elapsedNanos + (1L << (DECAY_STEP_SHIFT - 1))) >>> DECAY_STEP_SHIFT)];
  }

  @Override
  public String toString() {
    return "StatsCells[" + firstSlot + ".." + (firstSlot + capacity()) + ")";
  }
}
