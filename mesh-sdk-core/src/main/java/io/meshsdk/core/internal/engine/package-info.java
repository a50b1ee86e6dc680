/**
 * The engine: one compiled pipeline per service (balancer, picker, resilience, route), rebuilt off the call path on
 * the service's serial control context; one executor that runs every attempt of every call on every path (direct,
 * via the sidecar, the direct fallback) with the same admission, deadline, header stamping, classification and
 * accounting; the services' lifecycle (declared, discovered later, deleted). Not API.
 */
@NullMarked
package io.meshsdk.core.internal.engine;

import org.jspecify.annotations.NullMarked;
