/**
 * The loopback end-to-end comparison: a real HTTP server in its own JVM, called through raw OkHttp, the mesh
 * (direct and via a real sidecar) and plain HAProxy/nginx hops. Run by hand; see {@link
 * io.meshsdk.benchmarks.loopback.LoopbackComparison}.
 */
@NullMarked
package io.meshsdk.benchmarks.loopback;

import org.jspecify.annotations.NullMarked;
