package io.meshsdk.core.sidecar.parity;

import static io.meshsdk.core.sidecar.parity.SnippetNames.duration;
import static io.meshsdk.core.sidecar.parity.SnippetNames.statuses;

import io.meshsdk.core.loadbalancer.LoadBalancerConfig;
import io.meshsdk.core.resilience.BreakerConfig;
import io.meshsdk.core.resilience.BulkheadConfig;
import io.meshsdk.core.resilience.HealthCheckConfig;
import io.meshsdk.core.resilience.OutlierConfig;
import io.meshsdk.core.resilience.RateLimitConfig;
import io.meshsdk.core.resilience.RetryConfig;
import io.meshsdk.core.resilience.TimeoutConfig;
import io.meshsdk.core.security.ServiceTlsConfig;
import io.meshsdk.core.security.policy.Decision;
import io.meshsdk.core.security.policy.EgressPolicy;
import io.meshsdk.core.sidecar.SidecarDialect;
import io.meshsdk.core.sidecar.SidecarRetries;
import io.meshsdk.core.sidecar.parity.PolicyParity.Concern;
import io.meshsdk.core.sidecar.parity.PolicyParity.Row;
import io.meshsdk.core.sidecar.parity.PolicyParity.Verdict;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The rules that turn a service's config into parity rows. What the SDK does on the sidecar path is fixed by the
 * engine (docs/adr/0003, 0018 and the budget commit): the egress policy and the call deadline apply before the
 * route, so on both paths; a hand-off carries {@code x-mesh-deadline-ms} and {@code x-mesh-max-retries} (and,
 * with {@code sidecar.dialect=envoy}, Envoy's timeout and retry headers); nothing else (no admission, balancing,
 * per-attempt timeout or ejection) is applied to a sidecar call.
 */
final class ParityRules {

  private ParityRules() {}

  static List<Row> rows(PolicyParity p) {
    boolean envoy = p.dialect() == SidecarDialect.ENVOY;
    boolean sdkRetries = p.sidecarRetries() == SidecarRetries.SDK;
    List<Row> rows = new ArrayList<>(Concern.values().length);
    rows.add(rateLimit(p.resilience().rateLimit()));
    rows.add(breaker(p.resilience().breaker()));
    rows.add(bulkhead(p.resilience().bulkhead()));
    rows.add(retries(p.resilience().retry(), envoy, sdkRetries));
    rows.add(retryBudget(p.resilience().retry(), envoy, sdkRetries));
    rows.add(callTimeout(p.resilience().timeout(), envoy));
    rows.add(attemptTimeout(p.resilience().timeout()));
    rows.add(outlier(p.resilience().outlier()));
    rows.add(healthCheck(p.resilience().healthCheck(), envoy));
    rows.add(balancing(p.loadBalancer()));
    rows.add(mtls(p.tls(), envoy));
    rows.add(access(p.egress(), p.service()));
    return List.copyOf(rows);
  }

  private static Row rateLimit(RateLimitConfig c) {
    if (!c.enabled()) {
      return new Row(Concern.RATE_LIMIT, "off", "nothing to configure", Verdict.OFF);
    }
    return new Row(Concern.RATE_LIMIT,
        c.permits() + " calls per " + duration(c.period()) + (c.maxWait().isZero()
            ? ", over it rejected at once" : ", a call waits up to " + duration(c.maxWait()) + " for a permit"),
        "the SDK does not limit sidecar calls: configure the sidecar's limit (Envoy local rate limit, HAProxy"
            + " stick-table, nginx limit_req; snippets)",
        Verdict.CONFIGURE_IN_SIDECAR);
  }

  private static Row breaker(BreakerConfig c) {
    if (!c.enabled()) {
      return new Row(Concern.CIRCUIT_BREAKER, "off", "nothing to configure", Verdict.OFF);
    }
    return new Row(Concern.CIRCUIT_BREAKER,
        "opens at " + c.failureRateThreshold() + " % failed calls of the last " + c.windowSize() + " (min "
            + c.minimumCalls() + "), for " + duration(c.openWait()) + ", then " + c.halfOpenCalls() + " trial calls",
        "the SDK's breaker does not see sidecar calls, and no sidecar has a service-wide failure-rate breaker"
            + " (Istio, HAProxy and nginx eject endpoints one by one: see outlier ejection); calls via the sidecar"
            + " keep flowing to a failing service",
        Verdict.NOT_GOVERNED);
  }

  private static Row bulkhead(BulkheadConfig c) {
    if (!c.enabled()) {
      return new Row(Concern.BULKHEAD, "off", "nothing to configure", Verdict.OFF);
    }
    return new Row(Concern.BULKHEAD, "at most " + c.maxConcurrentCalls() + " calls at once, over it rejected at once",
        "the SDK does not count sidecar calls: configure the sidecar's limit (Istio connectionPool"
            + " http2MaxRequests, HAProxy maxconn per server, nginx max_conns per server; snippets)",
        Verdict.CONFIGURE_IN_SIDECAR);
  }

  /** What the SDK retries, as it says it. */
  static String retryFigures(RetryConfig r) {
    int attempts = r.effectiveMaxAttempts();
    if (attempts <= 1) {
      return r.enabled() ? "no retries (retry.max-attempts=1)" : "no retries (retry.enabled=false)";
    }
    return attempts + " attempts on connect failures" + (r.statuses().isEmpty() ? "" : " and "
        + statuses(r.statuses())) + (r.nonIdempotent() ? ", any method" : ", statuses and resets for idempotent"
        + " methods only") + ", each to another endpoint, backoff " + duration(r.backoff()) + " x"
        + trim(r.backoffMultiplier()) + " up to " + duration(r.maxBackoff());
  }

  private static Row retries(RetryConfig r, boolean envoy, boolean sdkRetries) {
    String direct = retryFigures(r);
    int retries = r.effectiveMaxAttempts() - 1;
    if (retries == 0) {
      return envoy
          ? new Row(Concern.RETRIES, direct, "each hand-off tells the sidecar 0 retries (x-envoy-max-retries: 0)",
              Verdict.EQUIVALENT)
          : new Row(Concern.RETRIES, direct, "HAProxy and nginx do not read x-mesh-max-retries: their config must"
              + " not retry (snippets: retries 0, proxy_next_upstream off)", Verdict.CONFIGURE_IN_SIDECAR);
    }
    if (sdkRetries) {
      return envoy
          ? new Row(Concern.RETRIES, direct, "the SDK retries (route.sidecar-retries=sdk): each hand-off tells the"
              + " sidecar 0 retries (x-envoy-max-retries: 0, honoured) and a retryable answer is retried direct",
              Verdict.EQUIVALENT)
          : new Row(Concern.RETRIES, direct, "the SDK retries a retryable sidecar answer direct"
              + " (route.sidecar-retries=sdk), but HAProxy and nginx do not read x-mesh-max-retries: a retry"
              + " policy in their config retries on top (up to " + (retries + 1) + " x its attempts); keep the"
              + " snippets' retries 0 / proxy_next_upstream off", Verdict.GOVERNED_TWICE);
    }
    return envoy
        ? new Row(Concern.RETRIES, direct, "the sidecar retries: each hand-off carries the call's remaining"
            + " allowance (x-envoy-max-retries: " + retries + ", 0 for a method the SDK would not retry),"
            + " x-envoy-retry-on and x-envoy-retriable-status-codes; the SDK never retries its answers",
            Verdict.EQUIVALENT)
        : new Row(Concern.RETRIES, direct, "the sidecar retries, but HAProxy and nginx do not read"
            + " x-mesh-max-retries: configure " + retries + " retries on the same statuses and methods (snippets);"
            + " their count is static, not the call's remaining allowance", Verdict.CONFIGURE_IN_SIDECAR);
  }

  private static Row retryBudget(RetryConfig r, boolean envoy, boolean sdkRetries) {
    if (r.effectiveMaxAttempts() <= 1) {
      return new Row(Concern.RETRY_BUDGET, "no retries", "nothing to configure", Verdict.OFF);
    }
    String direct = "retries add at most " + r.budgetPercent() + " % of requests over "
        + duration(r.budgetWindow()) + " (+" + r.budgetMinPerSecond() + "/s)";
    if (sdkRetries) {
      return new Row(Concern.RETRY_BUDGET, direct, "the SDK's retries of sidecar answers spend the same budget;"
          + " the sidecar is told to make none", Verdict.EQUIVALENT);
    }
    return new Row(Concern.RETRY_BUDGET, direct, envoy
        ? "the sidecar's retries are not budgeted: Istio's DestinationRule has no retry budget (Envoy's"
            + " cluster retry_budget needs an EnvoyFilter); use route.sidecar-retries=sdk to keep the budget"
        : "the sidecar's retries are not budgeted: HAProxy and nginx have no retry budget; use"
            + " route.sidecar-retries=sdk to keep the budget", Verdict.NOT_GOVERNED);
  }

  private static Row callTimeout(TimeoutConfig t, boolean envoy) {
    if (t.call().isZero()) {
      return new Row(Concern.CALL_TIMEOUT, "none configured (an inbound deadline still applies)",
          "an inherited deadline is enforced by the SDK and carried (x-mesh-deadline-ms"
              + (envoy ? ", x-envoy-upstream-rq-timeout-ms" : "") + ")", Verdict.OFF);
    }
    String direct = duration(t.call()) + " per call, retries included";
    return envoy
        ? new Row(Concern.CALL_TIMEOUT, direct, "enforced by the SDK on the sidecar call too, and the remaining time"
            + " is carried (x-envoy-upstream-rq-timeout-ms, honoured)", Verdict.EQUIVALENT)
        : new Row(Concern.CALL_TIMEOUT, direct, "enforced by the SDK on the sidecar call too, and carried"
            + " (x-mesh-deadline-ms), which HAProxy can read (http-request set-timeout) and nginx cannot (static"
            + " proxy_read_timeout); without it the sidecar works on after the caller gave up (snippets)",
            Verdict.CONFIGURE_IN_SIDECAR);
  }

  private static Row attemptTimeout(TimeoutConfig t) {
    if (t.perAttempt().isZero()) {
      return new Row(Concern.ATTEMPT_TIMEOUT, "none configured (the HTTP client's own timeouts)",
          "the sidecar's own timeouts", Verdict.OFF);
    }
    return new Row(Concern.ATTEMPT_TIMEOUT, duration(t.perAttempt()) + " per attempt",
        "not carried (the sidecar attempt is bounded by the call deadline only): configure it (Istio"
            + " perTryTimeout, HAProxy timeout server, nginx proxy_read_timeout; snippets)",
        Verdict.CONFIGURE_IN_SIDECAR);
  }

  private static Row outlier(OutlierConfig o) {
    if (!o.enabled()) {
      return new Row(Concern.OUTLIER_EJECTION, "off",
          "nothing to configure (nginx marks servers failed by default: the snippet sets max_fails=0)", Verdict.OFF);
    }
    String direct = (o.consecutiveFailures() > 0 ? "ejects after " + o.consecutiveFailures() + " failures in a row"
        + " or " : "ejects at ") + o.failureRateThreshold() + " % failed attempts over "
        + duration(o.failureRateWindow()) + " (min " + o.failureRateMinimumCalls() + "), for "
        + duration(o.baseEjectionTime()) + " x times ejected up to " + duration(o.maxEjectionTime())
        + ", at most " + o.maxEjectedPercent() + " % of endpoints, panic under " + o.panicThreshold() + " % healthy";
    return new Row(Concern.OUTLIER_EJECTION, direct, "the SDK ejects nothing for sidecar calls: configure the"
        + " sidecar's ejection (Istio outlierDetection, HAProxy observe layer7, nginx max_fails/fail_timeout;"
        + " snippets; failure-rate ejection has no equivalent there)", Verdict.CONFIGURE_IN_SIDECAR);
  }

  private static Row healthCheck(HealthCheckConfig h, boolean envoy) {
    if (!h.enabled()) {
      return new Row(Concern.HEALTH_CHECK, "off", "nothing to configure", Verdict.OFF);
    }
    String direct = "GET " + h.path() + " every " + duration(h.interval()) + ", " + h.unhealthyThreshold()
        + " failures eject, " + h.healthyThreshold() + " passes restore";
    return envoy
        ? new Row(Concern.HEALTH_CHECK, direct, "Istio's DestinationRule has no active health check (Kubernetes"
            + " readiness probes decide which pods receive traffic)", Verdict.NOT_GOVERNED)
        : new Row(Concern.HEALTH_CHECK, direct, "HAProxy: option httpchk (snippet); nginx (open source) has no"
            + " active health check: not governed there", Verdict.CONFIGURE_IN_SIDECAR);
  }

  private static Row balancing(LoadBalancerConfig lb) {
    StringBuilder direct = new StringBuilder(lb.policy());
    if (LoadBalancerConfig.RING_HASH.equals(lb.policy())) {
      direct.append(lb.hashHeader().isEmpty() ? " (no hash header)" : " on header " + lb.hashHeader());
    }
    if (!lb.localZone().isEmpty()) {
      direct.append(", zone-aware (").append(lb.localZone()).append(')');
    }
    if (!lb.subsetLabel().isEmpty()) {
      direct.append(", subsets by label ").append(lb.subsetLabel());
    }
    if (!lb.slowStartWindow().isZero()) {
      direct.append(", slow start ").append(duration(lb.slowStartWindow()));
    }
    return new Row(Concern.LOAD_BALANCING, direct.toString(), "the sidecar balances (Istio loadBalancer, HAProxy"
        + " balance, nginx upstream method; snippets); zone, subset and slow-start settings are comments there",
        Verdict.CONFIGURE_IN_SIDECAR);
  }

  private static Row mtls(ServiceTlsConfig tls, boolean envoy) {
    if (!tls.isMtls()) {
      return new Row(Concern.MTLS, "off (calls go as their URL says)",
          "the sidecar's own (Istio's automatic mTLS may add it)", Verdict.OFF);
    }
    String identity = !tls.identities().isEmpty() ? "server must be " + tls.identities().size() + " SPIFFE id(s)"
        : tls.trustDomain() != null ? "server of trust domain " + tls.trustDomain()
        : "server id from the endpoint's spiffe-id label";
    return new Row(Concern.MTLS, "mutual TLS with the workload certificate, " + identity,
        envoy ? "the hand-off to the sidecar is plaintext on loopback; the sidecar must originate mTLS (Istio"
            + " ISTIO_MUTUAL, subjectAltNames from tls.identity; snippet)"
            : "the hand-off to the sidecar is plaintext on loopback; the sidecar must originate TLS with the"
            + " workload certificate (comment in the snippets: HAProxy and nginx cannot check a SPIFFE id)",
        Verdict.CONFIGURE_IN_SIDECAR);
  }

  private static Row access(@Nullable EgressPolicy egress, String service) {
    if (egress == null) {
      return new Row(Concern.ACCESS_POLICY, "no egress policy", "nothing to configure", Verdict.OFF);
    }
    Decision fixed = egress.fixedFor(service);
    String decision = fixed == null ? "decided per method and path" : (fixed.denied() ? "denied" : fixed.wouldDeny()
        ? "would be denied (dry run)" : "allowed") + " by rule " + fixed.ruleId();
    return new Row(Concern.ACCESS_POLICY, "egress policy (" + egress.ruleCount() + " rules): " + decision,
        "checked by the SDK before the route, so it applies to sidecar calls too", Verdict.EQUIVALENT);
  }

  private static String trim(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }
}
