package io.meshsdk.core.observe;

/** Notable things that happen to a call besides its attempts. */
public enum MeshEvent {
  /** Another attempt will be made. */
  RETRY,
  /** A retry was wanted but the retry budget was spent. */
  RETRY_BUDGET_EXHAUSTED,
  /**
   * A retry (or the direct attempt after a sidecar failure) was wanted but the request's body cannot be sent again
   * (one-shot, streaming of unknown length, or larger than the replay buffer).
   */
  RETRY_SKIPPED,
  /** The service circuit breaker refused the call. */
  BREAKER_REJECTED,
  /** The outbound rate limiter refused the call. */
  RATE_LIMITED,
  /** The bulkhead (concurrency limit) refused the call. */
  BULKHEAD_REJECTED,
  /** The call's deadline left no time for (another) attempt, or passed while the response was being read. */
  DEADLINE_EXCEEDED,
  /** A sidecar-routed call went direct (sidecar not ready, refused the connection, or crashed). */
  SIDECAR_FALLBACK,
  /**
   * A sidecar-routed call went direct because, when it started, the sidecar (or, with
   * {@code route.sidecar-health-path}, its route for the service) was not ready; also reported as
   * {@link #SIDECAR_FALLBACK}.
   */
  SIDECAR_NOT_READY,
  /**
   * In {@code route.mode=shadow:N}, a copy of this call was handed to the sidecar path (asynchronously; the call
   * itself goes direct and its answer is the one returned).
   */
  SHADOW_SENT,
  /**
   * In {@code shadow:N}, this call was picked for a shadow copy but none was sent: the service's
   * {@code route.shadow-max-concurrency} copies were all in flight (dropped, never queued).
   */
  SHADOW_DROPPED,
  /**
   * In {@code shadow:N}, this call was picked for a shadow copy but none was sent: the sidecar (or its route for
   * the service) was not ready.
   */
  SHADOW_SKIPPED,
  /**
   * In {@code shadow:N}, this call was picked for a shadow copy but none was sent: the host's CPU use was above
   * the service's {@code route.shadow-max-cpu} (shed, so that copies never take CPU the primary calls need).
   */
  SHADOW_SHED;

  private final String tag = name().toLowerCase(java.util.Locale.ROOT);

  /** Lower-case name for tags and span events. */
  public String tag() {
    return tag;
  }
}
