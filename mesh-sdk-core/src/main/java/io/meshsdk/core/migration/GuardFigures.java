package io.meshsdk.core.migration;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Locale;

/**
 * The calls one guard evaluation looked at: both paths over the guard window, counted from the first whole
 * second after the step began (so calls of an earlier step never count against this one).
 *
 * @param from the start of the first second counted
 * @param to when the figures were read
 * @param windowSeconds the seconds counted (the plan's window, or fewer right after a step change)
 * @param sidecarCalls calls that ended on the sidecar path
 * @param sidecarErrors of which failed (5xx or I/O error; with {@code route.sidecar-retries=sdk} a retryable
 *     answer retried direct counts here)
 * @param sidecarP99Micros the sidecar path's 99th percentile latency, µs (histogram resolution ~20 %)
 * @param directCalls calls that ended on the direct path (or, when {@code directFromBaseline}, the remembered
 *     baseline's)
 * @param directErrors of which failed
 * @param directP99Micros the direct path's 99th percentile latency, µs
 * @param directFromBaseline the direct figures are the last ones with enough calls, from an earlier window (the
 *     direct path had too few calls in this one, e.g. at {@code sidecar})
 */
public record GuardFigures(Instant from, Instant to, int windowSeconds, long sidecarCalls, long sidecarErrors,
    long sidecarP99Micros, long directCalls, long directErrors, long directP99Micros, boolean directFromBaseline) {

  /** Validates. */
  public GuardFigures {
    requireNonNull(from, "from");
    requireNonNull(to, "to");
  }

  /** Sidecar errors per call, 0 when there were none. */
  public double sidecarErrorRate() {
    return sidecarCalls == 0 ? 0 : (double) sidecarErrors / sidecarCalls;
  }

  /** Direct errors per call, 0 when there were none. */
  public double directErrorRate() {
    return directCalls == 0 ? 0 : (double) directErrors / directCalls;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "window %d s: sidecar %d calls, %d errors, p99 %d us; direct%s %d calls,"
        + " %d errors, p99 %d us", windowSeconds, sidecarCalls, sidecarErrors, sidecarP99Micros,
        directFromBaseline ? " (baseline)" : "", directCalls, directErrors, directP99Micros);
  }
}
