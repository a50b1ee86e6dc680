/**
 * Configuration: immutable, validated mesh and per-service config, and flat-property binding.
 */
@NullMarked
package io.meshsdk.core.config;

import org.jspecify.annotations.NullMarked;
