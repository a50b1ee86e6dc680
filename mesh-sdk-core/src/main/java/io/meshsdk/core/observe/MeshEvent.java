package io.meshsdk.core.observe;

/** Notable things that happen to a call besides its attempts. */
public enum MeshEvent {
  /** Another attempt will be made. */
  RETRY,
  /** A retry was wanted but the retry budget was spent. */
  RETRY_BUDGET_EXHAUSTED,
  /** The service circuit breaker refused the call. */
  BREAKER_REJECTED,
  /** The outbound rate limiter refused the call. */
  RATE_LIMITED,
  /** The bulkhead (concurrency limit) refused the call. */
  BULKHEAD_REJECTED,
  /** The call's deadline left no time for (another) attempt. */
  DEADLINE_EXCEEDED,
  /** A sidecar-routed call went direct because the sidecar was not ready or refused the connection. */
  SIDECAR_FALLBACK;

  private final String tag = name().toLowerCase(java.util.Locale.ROOT);

  /** Lower-case name for tags and span events. */
  public String tag() {
    return tag;
  }
}
