/**
 * What this process advertises when it registers itself: a {@link io.meshsdk.core.registration.ServiceRegistration}
 * value and the {@link io.meshsdk.core.registration.RegistrationPortPolicy} that, for a service migrated to a
 * sidecar, advertises the sidecar's inbound port instead of the application's. Registry backends (the
 * {@code ServiceRegistry} SPI) build on these.
 */
@NullMarked
package io.meshsdk.core.registration;

import org.jspecify.annotations.NullMarked;
