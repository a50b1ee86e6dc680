package io.meshsdk.core.internal.concurrent;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.Ticker;
import java.util.ArrayList;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enforces absolute call deadlines: a call with a deadline {@link #arm arms} a {@link Watch}, and if the watch is
 * still armed when the deadline passes, one daemon thread ({@code mesh-deadline}) fires it (the call's transport
 * cancels the exchange, headers or body, as OkHttp's {@code callTimeout} does). Per-read timeouts cannot do this: a
 * server that trickles a byte at a time never trips them.
 *
 * <p>Arming is lock-free (a queue offer; the thread is woken only when the new deadline is the earliest), and a
 * call that ends disarms its watch with one volatile write. Disarmed watches are dropped when their deadline
 * comes, or sooner in bulk when more than half of those held are disarmed, so the heap holds at most about twice
 * the calls in flight. The thread starts with the first watch and parks while there is nothing to watch.
 */
public final class DeadlineWatchdog implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DeadlineWatchdog.class);
  /** Longest park while watches are held, so that a ticker that is not the system clock (tests) is followed. */
  private static final long MAX_PARK_NANOS = 250_000_000L;

  private final Ticker ticker;
  private final String threadName;
  private final ConcurrentLinkedQueue<Watch> incoming = new ConcurrentLinkedQueue<>();
  private final LongAdder disarmed = new LongAdder();
  private final AtomicInteger state = new AtomicInteger(); // 0 = no thread yet, 1 = running, 2 = closed
  private volatile @Nullable Thread thread;
  /** When the parked thread wakes up next (ticker nanos); new watches earlier than this unpark it. */
  private volatile long nextWake = Long.MAX_VALUE;
  private volatile boolean sleeping;
  /** Whether the parked thread holds no watch (it then waits for {@link #arm} to wake it). */
  private volatile boolean idle;

  /** A watchdog on {@code ticker}; its thread is named {@code threadName}. */
  public DeadlineWatchdog(Ticker ticker, String threadName) {
    this.ticker = requireNonNull(ticker, "ticker");
    this.threadName = requireNonNull(threadName, "threadName");
  }

  /**
   * Watches a call: {@code onDeadline} runs on the watchdog thread at {@code deadlineNanos} unless the returned
   * watch is disarmed first.
   */
  public Watch arm(long deadlineNanos, Runnable onDeadline) {
    Watch w = new Watch(this, deadlineNanos, onDeadline);
    if (state.get() == 2) {
      return w; // closed: nothing enforces it any more (the mesh is shutting down)
    }
    if (state.get() == 0 && state.compareAndSet(0, 1)) {
      Thread t = new Thread(this::run, threadName);
      t.setDaemon(true);
      thread = t;
      t.start();
    }
    incoming.add(w);
    if (sleeping && (idle || deadlineNanos - nextWake < 0)) {
      Thread t = thread;
      if (t != null) {
        LockSupport.unpark(t);
      }
    }
    return w;
  }

  /** Watches held (armed or not yet dropped), for tests that check nothing grows. */
  int held() {
    return heapSize;
  }

  private volatile int heapSize;

  private void run() {
    PriorityQueue<Watch> heap = new PriorityQueue<>((a, b) -> Long.compare(a.deadline - b.deadline, 0));
    while (state.get() == 1) {
      Watch w;
      while ((w = incoming.poll()) != null) {
        heap.add(w);
      }
      long now = ticker.read();
      while (!heap.isEmpty() && heap.peek().deadline - now <= 0) {
        Watch due = heap.poll();
        if (due.armed) {
          due.armed = false;
          try {
            due.onDeadline.run();
          } catch (RuntimeException | Error e) {
            log.warn("deadline action failed", e);
          }
        } else {
          disarmed.decrement();
        }
      }
      long dropped = disarmed.sum();
      if (dropped > 64 && dropped * 2 > heap.size()) { // most are done: rebuild without them
        ArrayList<Watch> live = new ArrayList<>(heap.size());
        int removed = 0;
        for (Watch x : heap) {
          if (x.armed) {
            live.add(x);
          } else {
            removed++;
          }
        }
        heap.clear();
        heap.addAll(live);
        disarmed.add(-removed);
      }
      heapSize = heap.size();
      Watch first = heap.peek();
      idle = first == null;
      nextWake = first == null ? 0 : first.deadline;
      sleeping = true;
      if (incoming.isEmpty() && state.get() == 1) {
        if (first == null) {
          LockSupport.park(this);
        } else {
          long park = Math.min(MAX_PARK_NANOS, first.deadline - ticker.read());
          if (park > 0) {
            LockSupport.parkNanos(this, park);
          }
        }
      }
      sleeping = false;
    }
  }

  /** Stops the thread; armed watches never fire. */
  @Override
  public void close() {
    if (state.getAndSet(2) == 1) {
      Thread t = thread;
      if (t != null) {
        LockSupport.unpark(t);
      }
    }
    incoming.clear();
  }

  /** One watched call. */
  public static final class Watch {
    private final DeadlineWatchdog owner;
    final long deadline;
    final Runnable onDeadline;
    volatile boolean armed = true;
    private volatile boolean fired;

    Watch(DeadlineWatchdog owner, long deadline, Runnable onDeadline) {
      this.owner = owner;
      this.deadline = deadline;
      this.onDeadline = () -> {
        fired = true;
        onDeadline.run();
      };
    }

    /** The call ended: the deadline no longer matters. Idempotent. */
    public void disarm() {
      if (armed) {
        armed = false;
        owner.disarmed.increment();
      }
    }

    /** Whether the deadline passed while the call was still running (its action ran). */
    public boolean fired() {
      return fired;
    }
  }
}
