/**
 * Registering this process: what it advertises ({@link io.meshsdk.core.registration.ServiceRegistration}) and the
 * registry SPI
 * ({@link io.meshsdk.core.registration.ServiceRegistry}, selected by URI with
 * {@link io.meshsdk.core.registration.ServiceRegistries}). A contract test every registry should pass lives in
 * {@code mesh-sdk-testing} ({@code AbstractServiceRegistryContractTest}).
 */
@NullMarked
package io.meshsdk.core.registration;

import org.jspecify.annotations.NullMarked;
