/**
 * The mesh entry point ({@link io.meshsdk.core.Mesh}) and types shared by every part of the core.
 */
@NullMarked
package io.meshsdk.core;

import org.jspecify.annotations.NullMarked;
