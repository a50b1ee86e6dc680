/**
 * Observation SPI: per-call callbacks and mesh-wide events that metrics and tracing implement.
 */
@NullMarked
package io.meshsdk.core.observe;

import org.jspecify.annotations.NullMarked;
