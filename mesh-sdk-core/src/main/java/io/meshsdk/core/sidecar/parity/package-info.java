/**
 * Policy parity: for one service, what the SDK governs on the direct path (rate limit, breaker, bulkhead,
 * retries, timeouts, ejection, balancing, mTLS, egress policy), what happens to the same concern on the sidecar
 * path, and a verdict ({@link io.meshsdk.core.sidecar.parity.PolicyParity.Verdict}); plus the equivalent
 * Istio, HAProxy and nginx configuration, generated from the same figures, so that nothing is governed twice or
 * silently not at all while a service moves to its sidecar. See {@code docs/migration.md} ("Policy parity") and
 * {@code docs/adr/0022-policy-parity.md}.
 *
 * <p>Built from the parts of a service's config ({@code resilience}, {@code lb}, {@code tls}, {@code route}) and
 * the sidecar's config, not from {@code ServiceConfig} itself: {@code config} depends on {@code sidecar}, so this
 * package (part of the {@code sidecar} slice) must not depend on {@code config}.
 */
@NullMarked
package io.meshsdk.core.sidecar.parity;

import org.jspecify.annotations.NullMarked;
