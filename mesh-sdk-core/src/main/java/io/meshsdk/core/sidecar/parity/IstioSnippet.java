package io.meshsdk.core.sidecar.parity;

import static io.meshsdk.core.sidecar.parity.SnippetNames.duration;

import io.meshsdk.core.loadbalancer.LoadBalancerConfig;
import io.meshsdk.core.resilience.BulkheadConfig;
import io.meshsdk.core.resilience.OutlierConfig;
import io.meshsdk.core.resilience.RateLimitConfig;
import io.meshsdk.core.resilience.RetryConfig;
import io.meshsdk.core.resilience.TimeoutConfig;
import io.meshsdk.core.security.ServiceTlsConfig;
import io.meshsdk.core.security.SpiffeId;
import io.meshsdk.core.sidecar.SidecarDialect;
import io.meshsdk.core.sidecar.SidecarRetries;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** Istio {@code DestinationRule} + {@code VirtualService} (+ an {@code EnvoyFilter} for a rate limit), as YAML. */
final class IstioSnippet {

  /** Envoy's retry conditions for failures, the same the SDK sends in {@code x-envoy-retry-on}. */
  static final String RETRY_ON_FAILURES = "connect-failure,refused-stream,reset";

  private IstioSnippet() {}

  static String render(PolicyParity p) {
    StringBuilder y = new StringBuilder();
    String name = p.kubernetesName();
    String host = p.sidecarHost();
    Snippets.header(y, "#", p, "Istio (not applied to a cluster by mesh-sdk: review, then kubectl apply)");
    y.append("apiVersion: networking.istio.io/v1beta1\nkind: DestinationRule\nmetadata:\n  name: ").append(name)
        .append("\nspec:\n  host: ").append(q(host)).append('\n');
    List<String> policy = new ArrayList<>();
    loadBalancer(policy, p.loadBalancer());
    connectionPool(policy, p.resilience().bulkhead());
    outlier(policy, p.resilience().outlier());
    tls(policy, p.tls());
    boolean any = policy.stream().anyMatch(l -> !l.trim().startsWith("#"));
    y.append(any ? "  trafficPolicy:\n" : "  trafficPolicy: {}\n");
    for (String l : policy) {
      y.append("    ").append(l).append('\n');
    }
    y.append("---\n");
    virtualService(y, p, name, host);
    RateLimitConfig rl = p.resilience().rateLimit();
    if (rl.enabled()) {
      y.append("---\n");
      rateLimit(y, rl, name, host);
    } else {
      y.append("# rate-limit: off, no EnvoyFilter\n");
    }
    return y.toString();
  }

  private static void loadBalancer(List<String> out, LoadBalancerConfig lb) {
    String policy = lb.policy();
    switch (policy) {
      case LoadBalancerConfig.ROUND_ROBIN -> {
        out.add("loadBalancer:");
        out.add("  simple: ROUND_ROBIN                # lb.policy=round-robin");
      }
      case LoadBalancerConfig.WEIGHTED -> {
        out.add("loadBalancer:");
        out.add("  simple: ROUND_ROBIN                # lb.policy=weighted: Envoy's round robin honours endpoint"
            + " weights");
      }
      case LoadBalancerConfig.LEAST_REQUEST -> {
        out.add("loadBalancer:");
        out.add("  simple: LEAST_REQUEST              # lb.policy=least-request");
      }
      case LoadBalancerConfig.RING_HASH -> {
        if (lb.hashHeader().isEmpty()) {
          out.add("# lb.policy=ring-hash without lb.hash-header: nothing to hash on; not emitted");
        } else {
          out.add("loadBalancer:");
          out.add("  consistentHash:");
          out.add("    httpHeaderName: " + q(lb.hashHeader()) + "    # lb.hash-header");
          out.add("    minimumRingSize: " + lb.ringSize() + "    # lb.ring-size");
        }
      }
      default -> out.add("# lb.policy=" + policy + ": a custom balancer, no Istio equivalent; not emitted");
    }
    if (!lb.localZone().isEmpty()) {
      out.add("# lb.local-zone=" + lb.localZone() + " (spill over under " + lb.zoneMinHealthyPercent()
          + " % healthy): Istio's locality load balancing (localityLbSetting, needs outlierDetection); not emitted");
    }
    if (!lb.subsetLabel().isEmpty()) {
      out.add("# lb.subset-label=" + lb.subsetLabel() + " " + lb.subsetWeights() + ": DestinationRule subsets and"
          + " VirtualService route weights by pod label; not emitted (discovery labels need not be pod labels)");
    }
    if (!lb.slowStartWindow().isZero()) {
      out.add("# lb.slow-start-window=" + duration(lb.slowStartWindow()) + ": Istio's warmupDurationSecs"
          + " (ROUND_ROBIN and LEAST_REQUEST only); not emitted");
    }
  }

  private static void connectionPool(List<String> out, BulkheadConfig b) {
    if (!b.enabled()) {
      out.add("# bulkhead: off, no connectionPool limit");
      return;
    }
    out.add("connectionPool:");
    out.add("  http:");
    out.add("    http2MaxRequests: " + b.maxConcurrentCalls() + "    # bulkhead.max-concurrent-calls (active"
        + " requests, HTTP/1.1 too; Envoy counts each retry, the SDK one slot per call)");
  }

  private static void outlier(List<String> out, OutlierConfig o) {
    if (!o.enabled()) {
      out.add("# outlier: off, no outlierDetection");
      return;
    }
    out.add("outlierDetection:");
    if (o.consecutiveFailures() > 0) {
      out.add("  consecutive5xxErrors: " + o.consecutiveFailures() + "    # outlier.consecutive-failures");
    } else {
      out.add("  consecutive5xxErrors: 0    # outlier.consecutive-failures=0 (that trigger off)");
    }
    out.add("  interval: " + duration(o.interval()) + "    # outlier.interval");
    out.add("  baseEjectionTime: " + duration(o.baseEjectionTime()) + "    # outlier.base-ejection-time");
    out.add("  maxEjectionPercent: " + o.maxEjectedPercent() + "    # outlier.max-ejected-percent");
    out.add("  # outlier.failure-rate-threshold=" + o.failureRateThreshold() + " % over "
        + duration(o.failureRateWindow()) + ": Envoy's failure_percentage ejection is not in DestinationRule");
    out.add("  # outlier.max-ejection-time=" + duration(o.maxEjectionTime()) + ": not in DestinationRule");
    out.add("  # outlier.panic-threshold=" + o.panicThreshold() + " %: Envoy's healthy_panic_threshold (50 % by"
        + " default) is not in DestinationRule");
  }

  private static void tls(List<String> out, ServiceTlsConfig tls) {
    if (!tls.isMtls()) {
      out.add("# tls.mode=off: no tls settings (Istio's automatic mTLS may still apply)");
      return;
    }
    out.add("tls:");
    out.add("  mode: ISTIO_MUTUAL    # tls.mode=mtls");
    if (!tls.identities().isEmpty()) {
      out.add("  subjectAltNames:    # tls.identity");
      for (String id : new TreeSet<>(tls.identities().stream().map(SpiffeId::toString).toList())) {
        out.add("  - " + q(id));
      }
    } else if (tls.trustDomain() != null) {
      out.add("  # tls.trust-domain=" + tls.trustDomain() + ": Istio checks the trust domain itself");
    }
  }

  private static void virtualService(StringBuilder y, PolicyParity p, String name, String host) {
    RetryConfig r = p.resilience().retry();
    TimeoutConfig t = p.resilience().timeout();
    boolean sdk = p.sidecarRetries() == SidecarRetries.SDK;
    int retries = sdk ? 0 : r.effectiveMaxAttempts() - 1;
    y.append("apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\nmetadata:\n  name: ").append(name)
        .append("\nspec:\n  hosts:\n  - ").append(q(host)).append("\n  http:\n  - route:\n    - destination:\n")
        .append("        host: ").append(q(host)).append('\n');
    Duration call = t.call();
    Duration attempt = t.perAttempt();
    if (retries == 0 && !attempt.isZero() && (call.isZero() || attempt.compareTo(call) < 0)) {
      y.append("    timeout: ").append(duration(attempt)).append("    # timeout.per-attempt: the sidecar makes one"
          + " attempt").append(call.isZero() ? "" : " (timeout.call=" + duration(call) + ")").append('\n');
    } else if (!call.isZero()) {
      y.append("    timeout: ").append(duration(call)).append("    # timeout.call\n");
    } else {
      y.append("    # timeout.call not set: no route timeout; an inherited deadline is carried per request")
          .append(p.dialect() == SidecarDialect.ENVOY ? " (x-envoy-upstream-rq-timeout-ms)\n" : "\n");
    }
    y.append("    retries:\n");
    if (retries == 0) {
      y.append("      attempts: 0    # ").append(sdk ? "route.sidecar-retries=sdk: the SDK retries, the sidecar"
          + " must not" : Snippets.noRetriesWhy(r)).append('\n');
      return;
    }
    y.append("      attempts: ").append(retries).append("    # retry.max-attempts=").append(r.maxAttempts())
        .append(" (the first + ").append(retries).append("); route.sidecar-retries=sidecar\n");
    if (!attempt.isZero()) {
      y.append("      perTryTimeout: ").append(duration(attempt)).append("    # timeout.per-attempt\n");
    }
    String codes = SnippetNames.statuses(r.statuses());
    y.append("      retryOn: ").append(q(RETRY_ON_FAILURES + (codes.isEmpty() ? "" : "," + codes)))
        .append("    # connect failures, resets and retry.statuses\n");
    if (p.dialect() != SidecarDialect.ENVOY && !r.nonIdempotent()) {
      y.append("    # retry.non-idempotent=false: with sidecar.dialect=envoy the SDK sends x-envoy-max-retries: 0"
          + " for methods it does not retry; without it Envoy retries every method\n");
    }
  }

  private static void rateLimit(StringBuilder y, RateLimitConfig rl, String name, String host) {
    y.append("# rate-limit.permits=").append(rl.permits()).append(" per rate-limit.period=")
        .append(duration(rl.period())).append(": Envoy's local rate limit on this sidecar's route to ").append(host)
        .append('\n');
    y.append("# the route's virtual host is <host>:<service port>; port 80 is assumed: change it to the port the"
        + " service's Kubernetes Service exposes. Add a workloadSelector for the calling pods.\n");
    if (!rl.maxWait().isZero()) {
      y.append("# rate-limit.max-wait=").append(duration(rl.maxWait())).append(": Envoy never waits for a token,"
          + " a call over the limit gets 429 at once\n");
    }
    y.append("apiVersion: networking.istio.io/v1alpha3\nkind: EnvoyFilter\nmetadata:\n  name: ")
        .append(SnippetNames.kubernetesName(name + "-ratelimit")).append("\nspec:\n  configPatches:\n")
        .append("  - applyTo: HTTP_FILTER\n    match:\n      context: SIDECAR_OUTBOUND\n      listener:\n")
        .append("        filterChain:\n          filter:\n            name: envoy.filters.network.http_connection_manager\n")
        .append("            subFilter:\n              name: envoy.filters.http.router\n")
        .append("    patch:\n      operation: INSERT_BEFORE\n      value:\n")
        .append("        name: envoy.filters.http.local_ratelimit\n        typed_config:\n")
        .append("          \"@type\": type.googleapis.com/udpa.type.v1.TypedStruct\n")
        .append("          type_url: type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit\n")
        .append("          value:\n            stat_prefix: mesh_local_rate_limit\n")
        .append("  - applyTo: HTTP_ROUTE\n    match:\n      context: SIDECAR_OUTBOUND\n      routeConfiguration:\n")
        .append("        vhost:\n          name: ").append(q(host + ":80")).append("\n          route:\n")
        .append("            action: ANY\n")
        .append("    patch:\n      operation: MERGE\n      value:\n        typed_per_filter_config:\n")
        .append("          envoy.filters.http.local_ratelimit:\n")
        .append("            \"@type\": type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit\n")
        .append("            stat_prefix: mesh_local_rate_limit\n")
        .append("            token_bucket:\n")
        .append("              max_tokens: ").append(rl.permits()).append("    # rate-limit.permits\n")
        .append("              tokens_per_fill: ").append(rl.permits()).append("    # rate-limit.permits\n")
        .append("              fill_interval: ").append(duration(rl.period())).append("    # rate-limit.period\n")
        .append("            filter_enabled:\n              runtime_key: mesh_local_rate_limit_enabled\n")
        .append("              default_value: { numerator: 100, denominator: HUNDRED }\n")
        .append("            filter_enforced:\n              runtime_key: mesh_local_rate_limit_enforced\n")
        .append("              default_value: { numerator: 100, denominator: HUNDRED }\n");
  }

  /** A double-quoted YAML scalar. */
  static String q(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
