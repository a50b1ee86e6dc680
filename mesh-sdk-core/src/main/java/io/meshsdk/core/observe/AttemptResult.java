package io.meshsdk.core.observe;

import org.jspecify.annotations.Nullable;

/**
 * How one attempt ended.
 *
 * @param outcome the classification
 * @param status the HTTP status, or -1 when no response arrived
 * @param error the failure, or {@code null}
 * @param durationNanos time from attempt start to response headers or failure
 */
public record AttemptResult(Outcome outcome, int status, @Nullable Throwable error, long durationNanos) {}
