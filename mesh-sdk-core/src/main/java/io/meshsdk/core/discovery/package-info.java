/**
 * Service discovery: the backend SPI, the directory with last-known-good safety, and built-in static and file backends.
 */
@NullMarked
package io.meshsdk.core.discovery;

import org.jspecify.annotations.NullMarked;
