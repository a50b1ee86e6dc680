/**
 * Engine parts of the resilience policies (compiled per-service policies, outlier detector, retry budget,
 * health checker, shared timer). Not API; may change without notice.
 */
@NullMarked
package io.meshsdk.core.resilience.internal;

import org.jspecify.annotations.NullMarked;
