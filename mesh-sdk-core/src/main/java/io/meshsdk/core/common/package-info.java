/**
 * The leaf every other package of the mesh may use: the time source ({@link io.meshsdk.core.common.Ticker}),
 * the base exceptions, configuration value parsing with uniform errors, the header names the mesh owns, and the
 * one validator of service names and endpoint hosts. It imports nothing else of the mesh.
 */
@NullMarked
package io.meshsdk.core.common;

import org.jspecify.annotations.NullMarked;
