/**
 * Engine internals: the directory of watched services (last-known-good snapshots fed by a discovery backend)
 * and the live, mutable record the engine keeps for each endpoint. Not API: the public view is
 * {@link io.meshsdk.core.endpoint.EndpointState}.
 */
@NullMarked
package io.meshsdk.core.internal.directory;

import org.jspecify.annotations.NullMarked;
