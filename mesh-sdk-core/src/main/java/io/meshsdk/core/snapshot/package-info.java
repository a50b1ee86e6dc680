/**
 * What the mesh is doing and why, as read-only values ({@code Mesh.snapshot()}): per service its route, breaker,
 * panic and discovery state, and per endpoint whether it takes calls and, when it does not, the reason with since
 * and until (ejected for consecutive failures, a failure rate or health checks; slow start with its factor; serving
 * in panic; last-known-good served). The Spring actuator and the demo render the same facts.
 */
@NullMarked
package io.meshsdk.core.snapshot;

import org.jspecify.annotations.NullMarked;
