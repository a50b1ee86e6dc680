/**
 * A provider as an application runs one: a real HTTP server on loopback behind the mesh's inbound guard, registered
 * in a registry, that drains gracefully and restarts in place. For tests of registries and of the drain sequence.
 */
@NullMarked
package io.meshsdk.testing.provider;

import org.jspecify.annotations.NullMarked;
