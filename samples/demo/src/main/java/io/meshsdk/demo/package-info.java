/**
 * The mesh-sdk demo.
 */
@NullMarked
package io.meshsdk.demo;

import org.jspecify.annotations.NullMarked;
