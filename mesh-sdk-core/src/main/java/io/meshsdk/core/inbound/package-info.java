/**
 * The server side of the mesh, transport-neutral: {@link io.meshsdk.core.inbound.InboundGuard} admits or
 * rejects inbound requests (per-caller rate and concurrency limits) and exposes the caller's deadline to the
 * outbound side. Web frameworks adapt it (the Spring module as a servlet filter).
 */
@NullMarked
package io.meshsdk.core.inbound;

import org.jspecify.annotations.NullMarked;
