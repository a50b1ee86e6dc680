package io.meshsdk.core.resilience;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.MeshHeaders;
import io.meshsdk.core.common.Ticker;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Deadline propagation. The remaining time of a call is sent downstream in header {@value #HEADER} (whole
 * milliseconds); a server reads it (see {@code io.meshsdk.core.inbound.InboundGuard}) and opens a
 * {@link Scope} for the thread that serves the request, so that every outbound mesh call made while serving
 * it inherits the deadline: a chain of services stops work that nobody will wait for.
 *
 * <p>The current deadline is a thread-local {@code long} (ticker nanos); reading it costs one thread-local
 * lookup and allocates nothing. Work handed to another thread keeps it when it is wrapped: {@link #wrap(Runnable)},
 * {@link #wrap(Callable)}, {@link #wrap(Executor)}, {@link #wrap(ExecutorService)}; OkHttp calls made with
 * {@code mesh.callFactory(client)} keep it for {@code enqueue}.
 */
public final class Deadlines {

  /** The header carrying the remaining deadline in milliseconds. */
  public static final String HEADER = MeshHeaders.DEADLINE;

  /** No deadline. */
  public static final long NONE = Long.MAX_VALUE;

  private static final ThreadLocal<long[]> CURRENT = ThreadLocal.withInitial(() -> new long[] {NONE});

  private Deadlines() {}

  /** The current thread's deadline in ticker nanos, or {@link #NONE}. */
  public static long current() {
    return CURRENT.get()[0];
  }

  /**
   * Sets the current thread's deadline to {@code remainingMillis} from {@code ticker}'s now, or to the
   * earlier of that and an enclosing deadline; closing the scope restores the enclosing one.
   */
  public static Scope withRemaining(long remainingMillis, Ticker ticker) {
    long now = ticker.read();
    long deadline = remainingMillis >= Long.MAX_VALUE / 1_000_000L ? NONE : now + remainingMillis * 1_000_000L;
    return withDeadline(deadline);
  }

  /** Sets the current thread's deadline (ticker nanos), keeping an earlier enclosing one. */
  public static Scope withDeadline(long deadlineNanos) {
    long[] cell = CURRENT.get();
    long previous = cell[0];
    cell[0] = Math.min(previous, deadlineNanos);
    return new Scope(cell, previous);
  }

  /**
   * {@code task}, made to run under the deadline current now (on whatever thread runs it later); {@code task}
   * itself when there is none.
   */
  public static Runnable wrap(Runnable task) {
    requireNonNull(task, "task");
    long captured = current();
    if (captured == NONE) {
      return task;
    }
    return () -> {
      try (Scope ignored = withDeadline(captured)) {
        task.run();
      }
    };
  }

  /** {@code task}, made to run under the deadline current now; {@code task} itself when there is none. */
  public static <V> Callable<V> wrap(Callable<V> task) {
    requireNonNull(task, "task");
    long captured = current();
    if (captured == NONE) {
      return task;
    }
    return () -> {
      try (Scope ignored = withDeadline(captured)) {
        return task.call();
      }
    };
  }

  /** An executor whose tasks run under the deadline current when each was submitted. */
  public static Executor wrap(Executor executor) {
    requireNonNull(executor, "executor");
    return task -> executor.execute(wrap(task));
  }

  /**
   * An executor service whose tasks ({@code execute}, {@code submit}, {@code invokeAll}...) run under the deadline
   * current when each was submitted. Shutting it down shuts {@code executor} down.
   */
  public static ExecutorService wrap(ExecutorService executor) {
    requireNonNull(executor, "executor");
    return new AbstractExecutorService() {
      @Override
      public void execute(Runnable command) {
        executor.execute(wrap(command));
      }

      @Override
      public void shutdown() {
        executor.shutdown();
      }

      @Override
      public List<Runnable> shutdownNow() {
        return executor.shutdownNow();
      }

      @Override
      public boolean isShutdown() {
        return executor.isShutdown();
      }

      @Override
      public boolean isTerminated() {
        return executor.isTerminated();
      }

      @Override
      public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return executor.awaitTermination(timeout, unit);
      }
    };
  }

  /**
   * Parses a {@value #HEADER} value: whole milliseconds >= 0, or -1 when absent or malformed (a malformed
   * deadline is ignored rather than failing the request).
   */
  public static long parseMillis(@Nullable String header) {
    if (header == null || header.isEmpty() || header.length() > 18) {
      return -1;
    }
    long v = 0;
    for (int i = 0; i < header.length(); i++) {
      char c = header.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  /** Restores the enclosing deadline when closed; close it on the thread that opened it. */
  public static final class Scope implements AutoCloseable {
    private final long[] cell;
    private final long previous;

    private Scope(long[] cell, long previous) {
      this.cell = cell;
      this.previous = previous;
    }

    @Override
    public void close() {
      cell[0] = previous;
    }
  }
}
