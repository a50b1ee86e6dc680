package io.meshsdk.core.internal.concurrent;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control thread of one mesh ({@code mesh-control}, a daemon): runs every state change and periodic chore
 * (picker rebuilds, ejections and restorations, failure-rate windows, health-check rounds, discovery updates),
 * never a call. Tasks are short and never block; one that fails is logged and keeps its schedule. Closing the
 * mesh stops the thread.
 */
public final class MeshScheduler implements Executor, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(MeshScheduler.class);

  private final ScheduledThreadPoolExecutor executor;

  /** A scheduler with one daemon thread named {@code threadName}. */
  public MeshScheduler(String threadName) {
    this.executor = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
      return t;
    });
    executor.setRemoveOnCancelPolicy(true);
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
  }

  @Override
  public void execute(Runnable task) {
    executor.execute(() -> runSafely("task", task));
  }

  /** Runs {@code task} every {@code periodNanos} (first after one period); cancel the future to stop it. */
  public @Nullable ScheduledFuture<?> every(long periodNanos, String name, Runnable task) {
    try {
      return executor.scheduleWithFixedDelay(() -> runSafely(name, task), periodNanos, periodNanos,
          TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      return null; // closed
    }
  }

  /** Runs {@code task} once after {@code delayNanos}; {@code null} when the scheduler is closed. */
  public @Nullable ScheduledFuture<?> after(long delayNanos, String name, Runnable task) {
    try {
      return executor.schedule(() -> runSafely(name, task), Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      return null;
    }
  }

  /** Tasks waiting (scheduled or queued), for tests that check nothing is left behind. */
  public int pendingTasks() {
    return executor.getQueue().size();
  }

  private static void runSafely(String name, Runnable task) {
    try {
      task.run();
    } catch (RuntimeException | Error e) {
      log.error("mesh control task '{}' failed", name, e);
    }
  }

  /** Stops the thread; queued tasks are dropped. */
  @Override
  public void close() {
    executor.shutdownNow();
  }
}
