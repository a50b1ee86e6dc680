/**
 * Internal engine: per-service pipelines and the OkHttp interceptor. Not API; may change without notice.
 */
@NullMarked
package io.meshsdk.core.internal;

import org.jspecify.annotations.NullMarked;
