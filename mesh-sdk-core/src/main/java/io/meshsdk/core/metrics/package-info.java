/**
 * Micrometer metrics for the mesh: client call timers, active-call gauges, event counters, endpoint-state
 * gauges and the server-side request timer. Meters are created once per service/endpoint, never per call.
 */
@NullMarked
package io.meshsdk.core.metrics;

import org.jspecify.annotations.NullMarked;
