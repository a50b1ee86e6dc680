/**
 * Service discovery, public for the mesh and for third-party backends: the backend SPI
 * ({@link io.meshsdk.core.discovery.ServiceDiscovery}, {@link io.meshsdk.core.discovery.DiscoveryListener}), the kit
 * every backend extends ({@link io.meshsdk.core.discovery.AbstractServiceDiscovery}: serialized callbacks, error
 * reporting, full or incremental updates), selection by URI scheme
 * ({@link io.meshsdk.core.discovery.ServiceDiscoveryProvider}, {@link io.meshsdk.core.discovery.ServiceDiscoveries}),
 * and the built-in static and file backends. A contract test every backend should pass lives in
 * {@code mesh-sdk-testing} ({@code AbstractServiceDiscoveryContractTest}).
 */
@NullMarked
package io.meshsdk.core.discovery;

import org.jspecify.annotations.NullMarked;
