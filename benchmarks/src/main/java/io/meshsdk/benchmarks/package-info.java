/**
 * JMH benchmarks of the mesh hot paths.
 */
@NullMarked
package io.meshsdk.benchmarks;

import org.jspecify.annotations.NullMarked;
