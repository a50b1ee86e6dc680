/**
 * The sidecar bridge: per-service route modes ({@code direct}, {@code sidecar}, {@code split:N}) that hand
 * chosen calls to a local sidecar proxy, with readiness probing, fail-open fallback to the direct path and a
 * migration report comparing both paths. See {@code docs/migration.md}.
 */
@NullMarked
package io.meshsdk.core.sidecar;

import org.jspecify.annotations.NullMarked;
