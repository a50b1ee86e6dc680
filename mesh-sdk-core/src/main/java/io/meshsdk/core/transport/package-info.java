/**
 * The seam between the mesh's engine and HTTP clients: a client integration presents each logical call as a
 * {@link io.meshsdk.core.transport.TransportCall} and the engine runs every attempt of it (direct, via the sidecar,
 * or the direct fallback) through it, governed once per call. OkHttp and the JDK {@code HttpClient} ship with the
 * core; the Spring starter adapts {@code ClientHttpRequest}. See ADR 0006.
 */
@NullMarked
@UnstableApi
package io.meshsdk.core.transport;

import io.meshsdk.core.common.UnstableApi;
import org.jspecify.annotations.NullMarked;
