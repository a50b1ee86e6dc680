package io.meshsdk.core.common;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in submission order, on a backing executor (grpc-java's
 * {@code SynchronizationContext} is the model). The mesh's engine sends every state change of one service
 * (picker rebuilds, ejections, restorations, health results, discovery updates) through one of these, so they
 * never race and need no lock, and a call that triggers one only enqueues it: {@link #execute} is a lock-free
 * queue offer plus one CAS. Discovery backends deliver their callbacks through one with a direct backing
 * executor: the first thread to submit runs the queue, the others only add to it. A task that throws is logged
 * and does not stop the tasks after it.
 */
@UnstableApi
public final class SerialExecutor implements Executor {

  private static final Logger log = LoggerFactory.getLogger(SerialExecutor.class);
  private static final long HANDOFF_CHECK_MILLIS = 50;
  /** A task that runs another task which blocks must not hold a delivering thread for ever. */
  private static final long MAX_HANDOFF_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final String name;
  private final Executor backing;
  private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final Runnable drain = this::drain;
  private volatile boolean closed;
  private volatile @Nullable Thread drainer;

  /** A serial executor named {@code name} (for logs) on {@code backing}. */
  public SerialExecutor(String name, Executor backing) {
    this.name = requireNonNull(name, "name");
    this.backing = requireNonNull(backing, "backing");
  }

  @Override
  public void execute(Runnable task) {
    requireNonNull(task, "task");
    if (closed) {
      return;
    }
    queue.add(task);
    schedule();
  }

  /**
   * Queues {@code task} without running anything yet; {@link #flush()} runs what is queued. Lets a caller queue
   * work in order while it holds a lock and run it after releasing the lock.
   */
  public void enqueue(Runnable task) {
    requireNonNull(task, "task");
    if (!closed) {
      queue.add(task);
    }
  }

  /**
   * Runs {@code task} in order with every other task and returns once it has run (grpc-java's
   * {@code SynchronizationContext.execute}, plus the wait). If no thread is running the queue, this thread runs
   * it; if another is, this one waits until that thread has run {@code task} (at most 10 s, then it returns and
   * logs a warning). For threads that are not a caller's
   * (a discovery thread delivering a snapshot): the change is in effect when the delivery returns. Called from a
   * task of this executor, it only queues {@code task} (it runs right after the current one).
   */
  public void executeHere(Runnable task) {
    requireNonNull(task, "task");
    if (closed) {
      return;
    }
    if (drainer == Thread.currentThread()) {
      queue.add(task);
      return;
    }
    CountDownLatch ran = new CountDownLatch(1);
    queue.add(() -> {
      try {
        task.run();
      } finally {
        ran.countDown();
      }
    });
    if (scheduled.compareAndSet(false, true)) {
      drain();
      return;
    }
    long waitUntil = System.nanoTime() + MAX_HANDOFF_WAIT_NANOS;
    try {
      // another thread runs the queue; closing drops queued tasks, so look at the flag now and then
      while (!closed && !ran.await(HANDOFF_CHECK_MILLIS, TimeUnit.MILLISECONDS)) {
        if (System.nanoTime() - waitUntil > 0) {
          log.warn("{}: a queued task did not run within {} s; not waiting for it any longer (it still runs)", name,
              TimeUnit.NANOSECONDS.toSeconds(MAX_HANDOFF_WAIT_NANOS));
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Runs (or hands to the backing executor) what {@link #enqueue} queued. */
  public void flush() {
    if (!queue.isEmpty()) {
      schedule();
    }
  }

  private void schedule() {
    if (scheduled.compareAndSet(false, true)) {
      try {
        backing.execute(drain);
      } catch (RejectedExecutionException e) { // the mesh is closing: drop the work
        scheduled.set(false);
        queue.clear();
      }
    }
  }

  private void drain() {
    while (true) {
      drainer = Thread.currentThread();
      try {
        Runnable task;
        while ((task = queue.poll()) != null) {
          if (closed) {
            queue.clear();
            return;
          }
          try {
            task.run();
          } catch (RuntimeException | Error e) {
            log.error("{}: a state-change task failed; continuing with the next", name, e);
          }
        }
      } finally {
        drainer = null;
        scheduled.set(false);
      }
      // a task that arrived after the last poll and before the flag was cleared is run by this same thread, now:
      // whoever submitted it saw the queue being run and relies on it
      if (queue.isEmpty() || closed || !scheduled.compareAndSet(false, true)) {
        return;
      }
    }
  }

  /** Drops queued tasks and refuses new ones. A task running now finishes. */
  public void close() {
    closed = true;
    queue.clear();
  }

  @Override
  public String toString() {
    return "SerialExecutor{" + name + "}";
  }
}
