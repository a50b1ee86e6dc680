package io.meshsdk.core.resilience;

import io.meshsdk.core.Ticker;
import org.jspecify.annotations.Nullable;

/**
 * Deadline propagation. The remaining time of a call is sent downstream in header {@value #HEADER} (whole
 * milliseconds); a server reads it (see {@code io.meshsdk.core.inbound.InboundGuard}) and opens a
 * {@link Scope} for the thread that serves the request, so that every outbound mesh call made while serving
 * it inherits the deadline: a chain of services stops work that nobody will wait for.
 *
 * <p>The current deadline is a thread-local {@code long} (ticker nanos); reading it costs one thread-local
 * lookup and allocates nothing.
 */
public final class Deadlines {

  /** The header carrying the remaining deadline in milliseconds. */
  public static final String HEADER = "x-mesh-deadline-ms";

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
