/**
 * The JDK {@code java.net.http.HttpClient} transport: a client that puts calls to mesh services through the same
 * engine as OkHttp, proving the transport seam. Not API: reach it through {@code Mesh.newHttpClient(HttpClient)}.
 */
@NullMarked
package io.meshsdk.core.internal.jdk;

import org.jspecify.annotations.NullMarked;
