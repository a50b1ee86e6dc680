package io.meshsdk.core.resilience.internal;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One daemon thread per process that runs the periodic resilience chores of every pipeline (restoring
 * ejected endpoints when their time is up, failure-rate windows, active health-check rounds). Tasks are short
 * and never block; a failing task is logged and keeps its schedule.
 */
public final class ResilienceTimer {

  private static final Logger log = LoggerFactory.getLogger(ResilienceTimer.class);

  private static final ScheduledThreadPoolExecutor EXECUTOR = create();

  private ResilienceTimer() {}

  private static ScheduledThreadPoolExecutor create() {
    ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "mesh-resilience-timer");
      t.setDaemon(true);
      return t;
    });
    e.setRemoveOnCancelPolicy(true);
    return e;
  }

  /** Runs {@code task} every {@code periodNanos}; cancel the returned future to stop it. */
  public static ScheduledFuture<?> every(long periodNanos, String name, Runnable task) {
    return EXECUTOR.scheduleWithFixedDelay(() -> runSafely(name, task), periodNanos, periodNanos,
        TimeUnit.NANOSECONDS);
  }

  /** Runs {@code task} once after {@code delayNanos}. */
  public static ScheduledFuture<?> after(long delayNanos, String name, Runnable task) {
    return EXECUTOR.schedule(() -> runSafely(name, task), delayNanos, TimeUnit.NANOSECONDS);
  }

  private static void runSafely(String name, Runnable task) {
    try {
      task.run();
    } catch (RuntimeException | Error e) {
      log.error("resilience task '{}' failed", name, e);
    }
  }
}
