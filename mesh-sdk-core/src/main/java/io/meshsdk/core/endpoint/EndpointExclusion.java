package io.meshsdk.core.endpoint;

import static java.util.Objects.requireNonNull;

/**
 * Why an endpoint is out of rotation, since when and until when.
 *
 * @param reason what took it out
 * @param detail the figures behind it, e.g. {@code 5 consecutive failures} or {@code 62% of 40 attempts failed}
 * @param sinceNanos when it was taken out (ticker nanos)
 * @param untilNanos when it returns at the latest (ticker nanos); {@link Long#MAX_VALUE} when it returns only once
 *     health checks pass again
 */
public record EndpointExclusion(Reason reason, String detail, long sinceNanos, long untilNanos) {

  /** Checks the components. */
  public EndpointExclusion {
    requireNonNull(reason, "reason");
    requireNonNull(detail, "detail");
  }

  /** What took an endpoint out of rotation. */
  public enum Reason {
    /** Passive ejection: too many failures in a row. */
    CONSECUTIVE_FAILURES,
    /** Passive ejection: the failure share of a window crossed the threshold. */
    FAILURE_RATE,
    /** Active health checks failed. */
    HEALTH_CHECK;

    private final String tag = name().toLowerCase(java.util.Locale.ROOT);

    /** Lower-case name for tags and reports: {@code consecutive_failures}, {@code failure_rate}, ... */
    public String tag() {
      return tag;
    }
  }
}
