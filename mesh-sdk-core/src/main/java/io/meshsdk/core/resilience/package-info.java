/**
 * Resilience policies of the direct call path, configured per service: circuit breaker, outlier ejection
 * (with panic mode, slow start and an optional active health check), outbound rate limiter, bulkhead,
 * retries with a retry budget, per-attempt timeouts and call deadlines. See {@code docs/resilience.md} for the
 * fixed order in which they apply and why.
 */
@NullMarked
package io.meshsdk.core.resilience;

import org.jspecify.annotations.NullMarked;
