/**
 * The OkHttp transport: the application interceptor that puts mesh calls through the engine, the
 * {@link io.meshsdk.core.transport.TransportCall} over an interceptor chain (attempts, replayable bodies, tracked
 * response bodies, cancellation), the call factory that carries the caller's deadline and context to OkHttp's
 * threads, and the hostname verifier that checks endpoint certificates against the service's identity. Not API.
 */
@NullMarked
package io.meshsdk.core.internal.okhttp;

import org.jspecify.annotations.NullMarked;
