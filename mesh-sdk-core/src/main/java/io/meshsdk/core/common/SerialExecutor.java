package io.meshsdk.core.common;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
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

  private final String name;
  private final Executor backing;
  private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final Runnable drain = this::drain;
  private volatile boolean closed;

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
   * Queues {@code task} and, unless another thread is running the queue right now, runs the queue on this
   * thread before returning (grpc-java's {@code SynchronizationContext.execute}). For threads that are not a
   * caller's (a discovery thread delivering a snapshot): the change takes effect before the delivery returns.
   */
  public void executeHere(Runnable task) {
    requireNonNull(task, "task");
    if (closed) {
      return;
    }
    queue.add(task);
    if (scheduled.compareAndSet(false, true)) {
      drain();
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
      scheduled.set(false);
      if (!queue.isEmpty() && !closed) {
        schedule(); // a task arrived after the last poll and before the flag was cleared
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
