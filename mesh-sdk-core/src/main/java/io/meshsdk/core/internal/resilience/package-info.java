/**
 * Engine internals: the resilience policies of one service compiled from its config (admission, retry decisions
 * and budget, adaptive attempt timeouts) and the outlier detector and health checker that eject and restore
 * endpoints on the service's control context. Not API: the public face is {@link io.meshsdk.core.resilience}.
 */
@NullMarked
package io.meshsdk.core.internal.resilience;

import org.jspecify.annotations.NullMarked;
