/**
 * Contract tests for the mesh's extension points: every discovery backend extends
 * {@link io.meshsdk.testing.contract.AbstractServiceDiscoveryContractTest} and every registry
 * {@link io.meshsdk.testing.contract.AbstractServiceRegistryContractTest}, so that all backends behave alike where the
 * mesh's guarantees depend on them (first snapshot, changes, scale, late and deleted services, last-known-good on
 * errors and empty pushes, a clean close).
 */
@NullMarked
package io.meshsdk.testing.contract;

import org.jspecify.annotations.NullMarked;
