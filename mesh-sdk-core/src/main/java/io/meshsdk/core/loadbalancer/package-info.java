/**
 * Load balancing: the balancer and picker SPI, built-in policies and their configuration.
 */
@NullMarked
package io.meshsdk.core.loadbalancer;

import org.jspecify.annotations.NullMarked;
