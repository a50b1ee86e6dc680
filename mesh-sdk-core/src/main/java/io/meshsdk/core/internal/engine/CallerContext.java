package io.meshsdk.core.internal.engine;

import org.jspecify.annotations.Nullable;

/**
 * What a call created with {@code Mesh.callFactory} carries from the thread that created it to the thread that
 * runs it: the caller's deadline and the observers' captured context (e.g. the trace span).
 *
 * @param deadlineNanos the inherited deadline (ticker nanos), or {@code Deadlines.NONE}
 * @param observerContext what {@code MeshObserver.captureContext()} returned, or {@code null}
 */
public record CallerContext(long deadlineNanos, @Nullable Object observerContext) {}
