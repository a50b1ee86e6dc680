package io.meshsdk.spring;

import java.util.List;

/**
 * The per-service keys ({@code mesh.defaults.<key>}, {@code mesh.services.<service>.<key>}) as
 * docs/configuration.md lists them; used only to suggest the closest key when the core refuses an unknown one
 * (the core stays the judge of what is valid).
 */
final class ServiceKeys {

  static final List<String> ALL = List.of(
      "lb.policy",
      "lb.hash-header",
      "lb.ring-size",
      "lb.local-zone",
      "lb.zone-min-healthy-percent",
      "lb.subset-label",
      "lb.subset-header",
      "lb.slow-start-window",
      "lb.subset-weights",
      "breaker.enabled",
      "breaker.failure-rate-threshold",
      "breaker.slow-call-rate-threshold",
      "breaker.slow-call-duration",
      "breaker.window-size",
      "breaker.minimum-calls",
      "breaker.open-wait",
      "breaker.half-open-calls",
      "outlier.enabled",
      "outlier.consecutive-failures",
      "outlier.failure-rate-threshold",
      "outlier.failure-rate-minimum-calls",
      "outlier.failure-rate-window",
      "outlier.base-ejection-time",
      "outlier.max-ejection-time",
      "outlier.max-ejected-percent",
      "outlier.panic-threshold",
      "outlier.interval",
      "health-check.enabled",
      "health-check.path",
      "health-check.interval",
      "health-check.jitter",
      "health-check.timeout",
      "health-check.healthy-threshold",
      "health-check.unhealthy-threshold",
      "rate-limit.enabled",
      "rate-limit.permits",
      "rate-limit.period",
      "rate-limit.max-wait",
      "bulkhead.enabled",
      "bulkhead.max-concurrent-calls",
      "retry.enabled",
      "retry.max-attempts",
      "retry.backoff",
      "retry.backoff-multiplier",
      "retry.max-backoff",
      "retry.jitter",
      "retry.statuses",
      "retry.non-idempotent",
      "tls.mode",
      "tls.identity",
      "tls.trust-domain",
      "retry.budget.percent",
      "retry.budget.window",
      "retry.budget.min-per-second",
      "retry.buffer-limit",
      "timeout.per-attempt",
      "timeout.call",
      "route.mode",
      "route.key-header",
      "route.sidecar-health-path",
      "route.sidecar-retries",
      "route.shadow-max-concurrency",
      "route.shadow-timeout",
      "route.shadow-max-cpu",
      "route.plan");

  private ServiceKeys() {}
}
