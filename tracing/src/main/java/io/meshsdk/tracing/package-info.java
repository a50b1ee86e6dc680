/**
 * OpenTelemetry tracing for mesh-sdk: {@link io.meshsdk.tracing.MeshTracing} (client spans and propagation,
 * a {@link io.meshsdk.core.observe.MeshObserver}) and {@link io.meshsdk.tracing.MeshServerTracing} (server
 * spans from inbound headers, transport-neutral).
 */
@NullMarked
package io.meshsdk.tracing;

import org.jspecify.annotations.NullMarked;
