/**
 * Real sidecar proxies (Debian's HAProxy and nginx) started on loopback with a generated config that routes
 * by Host header to given backends and answers a ready path: for the sidecar-bridge tests, the demo and the
 * benchmarks.
 */
@NullMarked
package io.meshsdk.testing.sidecar;

import org.jspecify.annotations.NullMarked;
