/**
 * Test fixtures: real loopback HTTP backends with fault modes.
 */
@NullMarked
package io.meshsdk.testing;

import org.jspecify.annotations.NullMarked;
