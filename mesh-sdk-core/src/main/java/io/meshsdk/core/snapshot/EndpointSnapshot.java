package io.meshsdk.core.snapshot;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.endpoint.EndpointExclusion;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One endpoint as the mesh sees it now.
 *
 * @param endpoint the endpoint
 * @param status whether and how it takes calls
 * @param reason why it is out of rotation, or {@code null} while it is in
 * @param detail the figures behind the status ({@code 5 consecutive failures}, {@code slow start 40%}...), or ""
 * @param since when the status began (ejection, restoration or first sight), or {@code null}
 * @param until when an ejection ends at the latest, or {@code null} (not ejected, or held by health checks)
 * @param slowStartFactor the share of its full load it gets now, 0.1 to 1, relative to the longest-serving
 *     endpoint's (endpoints that started together get 1)
 * @param inFlight attempts waiting for response headers
 * @param latencyMillis the latency estimate, or 0 before the first answer
 * @param successes attempts that succeeded
 * @param failures attempts that failed
 * @param recentFailureRate recent failure share, 0 to 1
 */
public record EndpointSnapshot(
    Endpoint endpoint,
    Status status,
    EndpointExclusion.@Nullable Reason reason,
    String detail,
    @Nullable Instant since,
    @Nullable Instant until,
    double slowStartFactor,
    int inFlight,
    double latencyMillis,
    long successes,
    long failures,
    double recentFailureRate) {

  /** Checks the components. */
  public EndpointSnapshot {
    requireNonNull(endpoint, "endpoint");
    requireNonNull(status, "status");
    requireNonNull(detail, "detail");
  }

  /** Whether and how an endpoint takes calls. */
  public enum Status {
    /** In rotation with its full share. */
    SERVING,
    /** In rotation, ramping up after it appeared or returned ({@code lb.slow-start-window}). */
    SLOW_START,
    /** Out of rotation (see the reason). */
    EJECTED,
    /** Ejected, but taking calls because too few endpoints are healthy (panic mode). */
    SERVING_IN_PANIC
  }
}
