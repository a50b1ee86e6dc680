package io.meshsdk.core.loadbalancer;

import io.meshsdk.core.endpoint.EndpointState;

/**
 * Slow start ({@code lb.slow-start-window}) for the balancers that walk a fixed order (round-robin, weighted,
 * ring-hash): computed once per picker, it lets an endpoint that is still ramping up ({@link
 * EndpointState#slowStartFactor}) sit out a pick with probability {@code 1 - f / f_oldest}, where {@code f_oldest}
 * is the factor of the longest-serving endpoint, so a new or returning endpoint gets its ramping share and the rest
 * goes to the next one; when every endpoint started together (a fresh service) nothing changes. Once the window
 * after the youngest endpoint is over, {@link #active} is one comparison and the pick path is untouched.
 */
final class SlowStart {

  private static final int PROBABILITY_SCALE = 1 << 16;

  private final long windowNanos;
  private final long rampUntil;
  private final long oldestHealthySince;

  private SlowStart(long windowNanos, long rampUntil, long oldestHealthySince) {
    this.windowNanos = windowNanos;
    this.rampUntil = rampUntil;
    this.oldestHealthySince = oldestHealthySince;
  }

  /** The slow start of a picker over {@code endpoints} built at {@code nowNanos}. */
  static SlowStart of(EndpointState[] endpoints, long nowNanos, long windowNanos) {
    if (windowNanos <= 0 || endpoints.length < 2) {
      return new SlowStart(0, nowNanos, nowNanos);
    }
    long rampUntil = nowNanos;
    long oldest = Long.MAX_VALUE;
    for (EndpointState s : endpoints) {
      long since = s.healthySinceNanos();
      if (since + windowNanos - rampUntil > 0) {
        rampUntil = since + windowNanos;
      }
      if (oldest == Long.MAX_VALUE || since - oldest < 0) {
        oldest = since;
      }
    }
    return new SlowStart(windowNanos, rampUntil, oldest);
  }

  /** Whether some endpoint may still be ramping at {@code nowNanos}. */
  boolean active(long nowNanos) {
    return windowNanos > 0 && nowNanos - rampUntil < 0;
  }

  /** Whether {@code e} sits this pick out (only call while {@link #active}). */
  boolean sitsOut(EndpointState e, long nowNanos, RandomSource random) {
    double f = e.slowStartFactor(nowNanos, windowNanos);
    if (f >= 1.0) {
      return false;
    }
    long elapsed = nowNanos - oldestHealthySince;
    double oldest = elapsed >= windowNanos ? 1.0
        : Math.max(EndpointState.SLOW_START_MIN_FACTOR, Math.max(0, elapsed) / (double) windowNanos);
    if (f >= oldest) {
      return false;
    }
    return random.nextInt(PROBABILITY_SCALE) >= (int) (f / oldest * PROBABILITY_SCALE);
  }
}
