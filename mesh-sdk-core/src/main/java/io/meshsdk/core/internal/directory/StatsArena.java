package io.meshsdk.core.internal.directory;

import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.endpoint.StatsCells;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.jspecify.annotations.Nullable;

/**
 * The statistics cells of one service's endpoints ({@link StatsCells}, 16 bytes each), handed out one per endpoint
 * id when the endpoint is first seen and taken back when it leaves. Cells live in blocks that never move (a block
 * that is full is followed by a new one, half the capacity so far or the size of the batch that needs it), so a
 * record's cell is fixed for its life and the call path writes it without indirection. A fresh service's first
 * snapshot gets one block of exactly its size: the endpoints a picker compares are contiguous.
 *
 * <p>A cell taken back is reused only once it has been free for {@link #REUSE_AFTER_NANOS} and has nothing in
 * flight: a call that picked the endpoint just before it left may still record into it. A cell still in flight
 * goes back to the end of the free queue, so one long call does not stop reuse. What a late record can do to the
 * cell's next owner is bounded: one latency or failure sample (a weight of 1/2 or 1/16, forgotten like any
 * other); its in-flight count stays balanced (the reset is a compare-and-set against a late start). Not
 * thread-safe: the service's directory entry uses it under its own lock.
 */
public final class StatsArena {

  /** How long a freed cell rests before it is reused. */
  static final long REUSE_AFTER_NANOS = 2_000_000_000L;
  /** Freed cells looked at per new record before a new cell is taken: some may still have a call in flight. */
  private static final int REUSE_TRIES = 4;
  private static final int MIN_BLOCK = 4;
  private static final int[] NO_INTS = {};
  private static final StatsCells[] NO_VIEWS = {};
  private static final long[][] NO_BLOCKS = {};
  private static final long[] NO_LONGS = {};
  private static final VarHandle CELLS = MethodHandles.arrayElementVarHandle(long[].class);

  // the blocks and their views, exact-size arrays (a service has a few): block b is blocks[b], views[b]
  private StatsCells[] views = NO_VIEWS;
  private long[][] blocks = NO_BLOCKS;
  private int capacity;
  private int used; // cells handed out from the blocks, never freed ones
  private int nextInBlock; // next unused cell of the last block
  // freed cells, oldest first: a ring of (slot, freedAt)
  private int[] freeSlots = NO_INTS;
  private long[] freedAt = NO_LONGS;
  private int freeHead;
  private int freeCount;
  // the cells claimed by the update under way (one bit per slot), only while one is: not retained
  private long[] marks = NO_LONGS;
  private @Nullable StatsCells lastView; // the block slotOf found last: a snapshot's records come in runs

  /** An empty arena. */
  public StatsArena() {}

  /**
   * Makes room for {@code n} new cells in one block if the free ones and the last block cannot hold them, so that
   * a batch of new endpoints (a service's first snapshot) gets contiguous cells.
   */
  public void reserve(int n) {
    int inLast = blocks.length == 0 ? 0 : blocks[blocks.length - 1].length / StatsCells.STRIDE - nextInBlock;
    if (n > inLast + freeCount) {
      addBlock(Math.max(n, Math.max(MIN_BLOCK, capacity / 2)));
    }
  }

  /** A record for {@code endpoint}, first seen at {@code now}, with a zeroed cell of this arena. */
  public TrackedEndpoint newRecord(Endpoint endpoint, long now) {
    int slot = -1;
    // the oldest freed cells first; one with a call still in flight goes back to the tail (keeping its time)
    // rather than holding up the cells freed after it, or every new endpoint would get a new cell while it lasts
    for (int tries = Math.min(freeCount, REUSE_TRIES);
        slot < 0 && tries > 0 && now - freedAt[freeHead] >= REUSE_AFTER_NANOS;
        tries--) {
      int oldest = freeSlots[freeHead];
      long freedSince = freedAt[freeHead];
      freeHead = (freeHead + 1) % freeSlots.length;
      freeCount--;
      if (resetIfIdle(oldest)) {
        slot = oldest;
      } else {
        free(oldest, freedSince);
      }
    }
    boolean reused = slot >= 0;
    if (slot < 0) {
      if (blocks.length == 0 || nextInBlock == blocks[blocks.length - 1].length / StatsCells.STRIDE) {
        addBlock(Math.max(MIN_BLOCK, capacity / 2));
      }
      int b = blocks.length - 1;
      slot = views[b].firstSlot() + nextInBlock++;
      used++;
    }
    int b = blockOf(slot);
    long[] cells = blocks[b];
    StatsCells view = views[b];
    int index = slot - view.firstSlot();
    if (!reused) { // a reused cell's word 0 was reset by resetIfIdle
      CELLS.setVolatile(cells, index * StatsCells.STRIDE, 0L);
    }
    CELLS.setVolatile(cells, index * StatsCells.STRIDE + 1, 0L);
    return new TrackedEndpoint(endpoint, now, cells, index, view);
  }

  /**
   * Zeroes word 0 of a freed cell (in-flight count and failure rate) if nothing is in flight, with a
   * compare-and-set rather than a store: a late attempt on the cell's previous owner that starts meanwhile either
   * keeps the cell out of reuse (it started first) or is counted on the new owner, whose count its end takes back
   * (it started after). A store could lose such a start, and its end would leave the new owner at -1 for good.
   */
  private boolean resetIfIdle(int slot) {
    int b = blockOf(slot);
    int word = (slot - views[b].firstSlot()) * StatsCells.STRIDE;
    long counts = (long) CELLS.getVolatile(blocks[b], word);
    return StatsCells.inFlightOf(counts) == 0 && CELLS.compareAndSet(blocks[b], word, counts, 0L);
  }

  /** Starts an update: no record is claimed yet (see {@link #claim}, {@link #sweep}). */
  void begin() {
    marks = new long[(capacity + 63) >>> 6];
  }

  /**
   * Claims {@code t}'s cell for the update begun last: false when a record with the same cell was claimed already
   * (the same endpoint id listed twice). A record whose cell is not this arena's is always claimed.
   */
  boolean claim(TrackedEndpoint t) {
    int s = slotOf(t);
    if (s < 0 || s >>> 6 >= marks.length) {
      return true;
    }
    long bit = 1L << s;
    if ((marks[s >>> 6] & bit) != 0) {
      return false;
    }
    marks[s >>> 6] |= bit;
    return true;
  }

  /**
   * Ends the update: takes back the cells of the records of {@code before} that were not claimed (the endpoints
   * that left; a record carried over keeps its cell). O(size), no allocation.
   */
  void sweep(EndpointSet before, long now) {
    for (int i = 0; i < before.size(); i++) {
      int s = slotOf((TrackedEndpoint) before.get(i));
      if (s >= 0 && s >>> 6 < marks.length && (marks[s >>> 6] & 1L << s) == 0) {
        marks[s >>> 6] |= 1L << s; // once, whatever a broken snapshot holds
        free(s, now);
      }
    }
    marks = NO_LONGS;
  }

  /** Cells handed out and not taken back. */
  int live() {
    return used - freeCount;
  }

  /** Cells in all blocks. */
  int capacity() {
    return capacity;
  }

  /** This arena's number of {@code t}'s cell, or -1 when the cell is not this arena's. */
  private int slotOf(TrackedEndpoint t) {
    StatsCells v = t.statsCells();
    StatsCells hit = lastView;
    if (v != hit) {
      int b = blockOf(v.firstSlot());
      if (b < 0 || views[b] != v) {
        return -1;
      }
      lastView = v;
    }
    return v.firstSlot() + t.statsIndex();
  }

  private void free(int slot, long now) {
    if (freeCount == freeSlots.length) {
      int n = Math.max(16, freeSlots.length * 2);
      int[] slots = new int[n];
      long[] at = new long[n];
      for (int i = 0; i < freeCount; i++) {
        slots[i] = freeSlots[(freeHead + i) % freeSlots.length];
        at[i] = freedAt[(freeHead + i) % freeSlots.length];
      }
      freeSlots = slots;
      freedAt = at;
      freeHead = 0;
    }
    int tail = (freeHead + freeCount) % freeSlots.length;
    freeSlots[tail] = slot;
    freedAt[tail] = now;
    freeCount++;
  }

  /** The block holding {@code slot}, or -1: a binary search over the blocks (ordered by first slot). */
  private int blockOf(int slot) {
    int lo = 0;
    int hi = views.length - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      StatsCells v = views[mid];
      if (slot < v.firstSlot()) {
        hi = mid - 1;
      } else if (slot >= v.firstSlot() + v.capacity()) {
        lo = mid + 1;
      } else {
        return mid;
      }
    }
    return -1;
  }

  private void addBlock(int cells) {
    long[] block = new long[cells * StatsCells.STRIDE];
    blocks = java.util.Arrays.copyOf(blocks, blocks.length + 1);
    blocks[blocks.length - 1] = block;
    views = java.util.Arrays.copyOf(views, views.length + 1);
    views[views.length - 1] = new StatsCells(block, capacity);
    capacity += cells;
    nextInBlock = 0;
  }

  @Override
  public String toString() {
    return "StatsArena{live=" + live() + ", capacity=" + capacity + ", blocks=" + blocks.length + "}";
  }
}
