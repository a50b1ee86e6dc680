package io.meshsdk.core.observe;

import org.jspecify.annotations.Nullable;

/**
 * How a logical call ended, after every attempt.
 *
 * @param outcome the classification of the final result
 * @param status the HTTP status returned to the caller, or -1
 * @param error the failure thrown to the caller, or {@code null}
 * @param durationNanos time from call start to the end of the response body (closed, read to the end or failed),
 *     or to the failure
 * @param attempts attempts made (0 when rejected before any)
 * @param route the path the call took in the end
 */
public record CallResult(
    Outcome outcome, int status, @Nullable Throwable error, long durationNanos, int attempts, Route route) {}
