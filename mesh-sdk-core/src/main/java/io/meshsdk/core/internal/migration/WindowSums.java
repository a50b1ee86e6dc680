package io.meshsdk.core.internal.migration;

/**
 * Both paths' calls over a guard window, filled in place by the engine from a service's migration statistics (one
 * instance reused for every evaluation: no allocation per evaluation beyond the figures a plan keeps).
 */
public final class WindowSums {

  /** Seconds counted. */
  public int seconds;
  /** Ticker nanos of the start of the first second counted. */
  public long fromNanos;
  /** Calls that ended on the direct path. */
  public long directCalls;
  /** Of which failed. */
  public long directErrors;
  /** Direct p99, µs. */
  public long directP99Micros;
  /** Calls that ended on the sidecar path. */
  public long sidecarCalls;
  /** Of which failed. */
  public long sidecarErrors;
  /** Sidecar p99, µs. */
  public long sidecarP99Micros;

  /** Sets every figure. */
  public void set(int seconds, long fromNanos, long directCalls, long directErrors, long directP99Micros,
      long sidecarCalls, long sidecarErrors, long sidecarP99Micros) {
    this.seconds = seconds;
    this.fromNanos = fromNanos;
    this.directCalls = directCalls;
    this.directErrors = directErrors;
    this.directP99Micros = directP99Micros;
    this.sidecarCalls = sidecarCalls;
    this.sidecarErrors = sidecarErrors;
    this.sidecarP99Micros = sidecarP99Micros;
  }

  /** No calls at all ({@code fromNanos} as given). */
  public void clear(long fromNanos) {
    set(0, fromNanos, 0, 0, 0, 0, 0, 0);
  }
}
