package io.meshsdk.core.migration;

import static java.util.Objects.requireNonNull;

/**
 * What one guard found in one evaluation.
 *
 * @param guard {@value #ERROR_RATE} or {@value #P99}
 * @param verdict held, tripped, undecided (too few calls, no baseline) or off
 * @param observed the sidecar path's figure: error rate in % ({@code error-rate}), p99 in µs ({@code p99}); 0 when
 *     undecided or off
 * @param threshold the figure above which the guard trips, same unit; 0 when undecided or off
 * @param detail the finding in words, with the call counts
 */
public record GuardResult(String guard, Verdict verdict, double observed, double threshold, String detail) {

  /** The guard comparing error rates. */
  public static final String ERROR_RATE = "error-rate";
  /** The guard comparing 99th percentile latencies. */
  public static final String P99 = "p99";

  /** A guard's verdict. */
  public enum Verdict {
    /** Enough calls, within the threshold: allows an advance. */
    HELD,
    /** Enough calls, above the threshold: rolls back. */
    TRIPPED,
    /** Too few calls in the window (or no direct baseline): neither trips nor allows an advance. */
    UNDECIDED,
    /** The guard is switched off in the plan: never trips, never blocks. */
    OFF
  }

  /** Validates. */
  public GuardResult {
    requireNonNull(guard, "guard");
    requireNonNull(verdict, "verdict");
    requireNonNull(detail, "detail");
  }

  @Override
  public String toString() {
    return guard + " " + verdict.name().toLowerCase(java.util.Locale.ROOT) + ": " + detail;
  }
}
