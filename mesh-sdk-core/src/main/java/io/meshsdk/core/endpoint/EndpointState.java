package io.meshsdk.core.endpoint;

import org.jspecify.annotations.Nullable;

/**
 * A read-only view of one endpoint's live state: the {@link Endpoint} value plus the statistics and health that
 * the mesh's engine keeps for it (carried across discovery updates by endpoint id, dropped when the endpoint
 * leaves). Load balancers, observers and reports read it; only the engine changes it (an SPI implementer can
 * never eject or restore an endpoint). Every read is a plain or opaque field read: safe and cheap on the pick
 * path.
 *
 * <p>Times are {@link io.meshsdk.core.common.Ticker} nanoseconds of the mesh that owns the endpoint.
 */
public interface EndpointState {

  /** Smallest weight factor of slow start: a returning endpoint gets at least 10 % of its share at once. */
  double SLOW_START_MIN_FACTOR = 0.1;

  /** The endpoint value. */
  Endpoint endpoint();

  /** Attempts to this endpoint currently waiting for response headers. */
  int inFlight();

  /** Latency estimate (time to response headers) in nanoseconds, or 0 before the first completed attempt. */
  double ewmaNanos();

  /** When the latency estimate last took a sample; 0 when it never did. */
  long lastSampleNanos();

  /** Completed attempts that succeeded. */
  long successes();

  /** Completed attempts that failed (5xx, connect error, reset, timeout, a body cut short). */
  long failures();

  /** Failures since the last success. */
  int consecutiveFailures();

  /**
   * Recent failure share of this endpoint's attempts, 0 to 1, decaying with time: balancers may weigh it into
   * an endpoint's cost so that an endpoint failing often gets fewer calls before it is ejected.
   */
  double recentFailureRate();

  /** Whether the endpoint is out of rotation (ejected or held down by health checks). */
  boolean isEjected();

  /** Until when the current ejection lasts; {@link Long#MAX_VALUE} while health checks hold it out. */
  long ejectedUntilNanos();

  /** How many times this endpoint has been ejected since its history was last forgotten. */
  int timesEjected();

  /** Since when the endpoint has been healthy (first seen, or last restored); slow start ramps from here. */
  long healthySinceNanos();

  /** When this endpoint was first seen. */
  long createdAtNanos();

  /** Why the endpoint is out of rotation now, or {@code null} while it is in rotation. */
  @Nullable EndpointExclusion exclusion();

  /**
   * The flat block holding this endpoint's hot statistics (in-flight, failure rate, latency estimate and its
   * sample time) at {@link #statsIndex()}, or {@code null} when it has none (the default). Balancers that compare
   * endpoints on every pick read the block, a dense array, rather than each state object; the values are those
   * of the getters above.
   */
  default @Nullable StatsCells statsCells() {
    return null;
  }

  /** The index of this endpoint's cell in {@link #statsCells()}; -1 when it has none. */
  default int statsIndex() {
    return -1;
  }

  /**
   * Slow-start weight factor: ramps linearly from {@value #SLOW_START_MIN_FACTOR} to 1.0 over {@code windowNanos}
   * after {@link #healthySinceNanos()}, so a new or returning instance is not flooded while it warms up.
   * Balancers multiply the endpoint's weight by it (or divide a cost by it). 1.0 when {@code windowNanos <= 0}
   * (slow start off), after the window, and while ejected.
   */
  default double slowStartFactor(long nowNanos, long windowNanos) {
    if (windowNanos <= 0 || isEjected()) {
      return 1.0;
    }
    long elapsed = nowNanos - healthySinceNanos();
    if (elapsed >= windowNanos) {
      return 1.0;
    }
    if (elapsed <= 0) {
      return SLOW_START_MIN_FACTOR;
    }
    return Math.max(SLOW_START_MIN_FACTOR, (double) elapsed / windowNanos);
  }
}
