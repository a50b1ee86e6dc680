package io.meshsdk.core.sidecar.parity;

import static io.meshsdk.core.sidecar.parity.SnippetNames.duration;

import io.meshsdk.core.common.MeshHeaders;
import io.meshsdk.core.loadbalancer.LoadBalancerConfig;
import io.meshsdk.core.resilience.BulkheadConfig;
import io.meshsdk.core.resilience.OutlierConfig;
import io.meshsdk.core.resilience.RateLimitConfig;
import io.meshsdk.core.resilience.RetryConfig;
import io.meshsdk.core.resilience.TimeoutConfig;
import io.meshsdk.core.sidecar.SidecarConfig;
import io.meshsdk.core.sidecar.SidecarRetries;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/** nginx {@code http}-level configuration: a rate-limit zone, an upstream and a server for the service's host. */
final class NginxSnippet {

  /** The statuses {@code proxy_next_upstream} accepts. */
  static final Set<Integer> RETRYABLE = Set.of(403, 404, 429, 500, 502, 503, 504);

  private NginxSnippet() {}

  static String render(PolicyParity p, List<String> servers) {
    StringBuilder b = new StringBuilder();
    String name = p.proxyName();
    Snippets.header(b, "#", p, "nginx, inside the http block");
    RateLimitConfig rl = p.resilience().rateLimit();
    String burst = rl.enabled() ? rateZone(b, rl, name) : "";
    upstream(b, p, name, servers);
    SidecarConfig sidecar = p.sidecar();
    b.append("server {\n");
    if (sidecar == null) {
      b.append("  listen 127.0.0.1:15001;    # no mesh.sidecar.address configured: your outbound listener\n");
    } else {
      b.append("  listen ").append(sidecar.address()).append(";    # mesh.sidecar.address\n");
    }
    b.append("  server_name ").append(p.service());
    if (!p.sidecarHost().equals(p.service())) {
      b.append(' ').append(p.sidecarHost());
    }
    b.append(";\n  location / {\n");
    if (rl.enabled()) {
      b.append("    limit_req zone=").append(name).append(burst).append(";\n");
      b.append("    limit_req_status 429;\n");
    }
    b.append("    proxy_pass http://").append(name).append(";\n")
        .append("    proxy_http_version 1.1;\n")
        .append("    proxy_set_header Connection \"\";\n")
        .append("    proxy_set_header Host $host;\n");
    RetryConfig r = p.resilience().retry();
    int retries = p.sidecarRetries() == SidecarRetries.SDK ? 0 : r.effectiveMaxAttempts() - 1;
    timeouts(b, p.resilience().timeout(), retries);
    retries(b, p, r, retries);
    if (p.tls().isMtls()) {
      b.append("    # tls.mode=mtls: proxy_pass https:// with proxy_ssl_certificate, proxy_ssl_certificate_key"
          + " (the workload certificate), proxy_ssl_trusted_certificate and proxy_ssl_verify on; nginx checks the"
          + " chain and a DNS name, not the server's SPIFFE id\n");
    }
    if (p.resilience().healthCheck().enabled()) {
      b.append("    # health-check.path=").append(p.resilience().healthCheck().path())
          .append(": nginx (open source) has no active health check; not governed here\n");
    }
    b.append("  }\n}\n");
    return b.toString();
  }

  /** Writes {@code limit_req_zone}; returns the {@code burst}/{@code nodelay} part of {@code limit_req}. */
  private static String rateZone(StringBuilder b, RateLimitConfig rl, String name) {
    long periodMs = Math.max(1, rl.period().toMillis());
    long permits = rl.permits();
    String rate;
    String note = "";
    if ((permits * 1000) % periodMs == 0) {
      rate = permits * 1000 / periodMs + "r/s";
    } else if ((permits * 60_000) % periodMs == 0) {
      rate = permits * 60_000 / periodMs + "r/m";
    } else {
      rate = Math.max(1, Math.round(permits * 60_000.0 / periodMs)) + "r/m";
      note = " (rounded: nginx takes whole requests per second or minute)";
    }
    b.append("# rate-limit.permits=").append(permits).append(" per rate-limit.period=")
        .append(duration(rl.period())).append(note).append("; a burst of permits-1 at once, as the SDK's period")
        .append(rl.maxWait().isZero() ? "" : "; rate-limit.max-wait=" + duration(rl.maxWait())
            + ": nginx refuses at once (nodelay)")
        .append('\n');
    b.append("limit_req_zone $server_name zone=").append(name).append(":1m rate=").append(rate).append(";\n");
    return permits > 1 ? " burst=" + (permits - 1) + " nodelay" : " nodelay";
  }

  private static void upstream(StringBuilder b, PolicyParity p, String name, List<String> servers) {
    LoadBalancerConfig lb = p.loadBalancer();
    b.append("upstream ").append(name).append(" {\n");
    switch (lb.policy()) {
      case LoadBalancerConfig.ROUND_ROBIN -> b.append("  # lb.policy=round-robin: nginx's default\n");
      case LoadBalancerConfig.WEIGHTED -> b.append("  # lb.policy=weighted: nginx's default round robin honours"
          + " server weight=\n");
      case LoadBalancerConfig.LEAST_REQUEST -> b.append("  least_conn;    # lb.policy=least-request\n");
      case LoadBalancerConfig.RING_HASH -> {
        if (lb.hashHeader().isEmpty()) {
          b.append("  # lb.policy=ring-hash without lb.hash-header: nothing to hash on; not emitted\n");
        } else {
          b.append("  hash $http_").append(lb.hashHeader().toLowerCase(Locale.ROOT).replace('-', '_'))
              .append(" consistent;    # lb.policy=ring-hash, lb.hash-header\n");
        }
      }
      default -> b.append("  # lb.policy=").append(lb.policy()).append(": a custom balancer, no nginx equivalent\n");
    }
    if (!lb.localZone().isEmpty() || !lb.subsetLabel().isEmpty() || !lb.slowStartWindow().isZero()) {
      b.append("  # lb.local-zone / lb.subset-* / lb.slow-start-window: no equivalent in nginx (open source)\n");
    }
    OutlierConfig o = p.resilience().outlier();
    String fails;
    if (o.enabled() && o.consecutiveFailures() > 0) {
      fails = " max_fails=" + o.consecutiveFailures() + " fail_timeout=" + duration(o.baseEjectionTime());
      b.append("  # outlier.consecutive-failures=").append(o.consecutiveFailures())
          .append(" -> max_fails (failures within fail_timeout, as proxy_next_upstream defines them),"
              + " outlier.base-ejection-time -> fail_timeout; no failure-rate ejection, no growing ejection\n");
    } else {
      fails = " max_fails=0";
      b.append("  # outlier ").append(o.enabled() ? "consecutive-failures=0" : "off")
          .append(": max_fails=0 (nginx would mark a server failed after 1 error by default)\n");
    }
    BulkheadConfig bulk = p.resilience().bulkhead();
    String conns = "";
    if (bulk.enabled() && !servers.isEmpty()) {
      int per = (bulk.maxConcurrentCalls() + servers.size() - 1) / servers.size();
      conns = " max_conns=" + per;
      b.append("  # bulkhead.max-concurrent-calls=").append(bulk.maxConcurrentCalls()).append(" over ")
          .append(servers.size()).append(" server(s): max_conns ").append(per).append(" each\n");
    } else if (bulk.enabled()) {
      b.append("  # bulkhead.max-concurrent-calls=").append(bulk.maxConcurrentCalls())
          .append(": give each server max_conns=<that / number of servers>\n");
    }
    if (servers.isEmpty()) {
      b.append("  # no endpoints known: add \"server <host:port>").append(fails).append(conns)
          .append(";\" per instance of ").append(p.service()).append(" (nginx needs at least one)\n");
    }
    for (String s : servers) {
      b.append("  server ").append(s).append(fails).append(conns).append(";\n");
    }
    b.append("  keepalive 32;\n}\n");
  }

  private static void timeouts(StringBuilder b, TimeoutConfig t, int retries) {
    Duration attempt = t.perAttempt();
    Duration call = t.call();
    Duration each = !attempt.isZero() ? attempt : retries == 0 ? call : Duration.ZERO;
    if (!each.isZero()) {
      String v = duration(each);
      String why = !attempt.isZero() ? "timeout.per-attempt" : "timeout.call (one attempt)";
      b.append("    proxy_connect_timeout ").append(v).append(";    # ").append(why).append('\n')
          .append("    proxy_send_timeout ").append(v).append(";\n")
          .append("    proxy_read_timeout ").append(v).append(";\n");
    }
    b.append("    # nginx cannot take a timeout from a request header: ").append(MeshHeaders.DEADLINE)
        .append(" is not honoured here (the SDK still ends the call at its deadline)\n");
    if (!call.isZero() && retries > 0) {
      b.append("    proxy_next_upstream_timeout ").append(duration(call)).append(";    # timeout.call\n");
    }
  }

  private static void retries(StringBuilder b, PolicyParity p, RetryConfig r, int retries) {
    if (retries == 0) {
      b.append("    proxy_next_upstream off;    # ").append(p.sidecarRetries() == SidecarRetries.SDK
          ? "route.sidecar-retries=sdk: the SDK retries, the sidecar must not" : Snippets.noRetriesWhy(r))
          .append('\n');
      return;
    }
    Set<Integer> not = new TreeSet<>();
    b.append("    proxy_next_upstream error timeout");
    for (int s : new TreeSet<>(r.statuses())) {
      if (RETRYABLE.contains(s)) {
        b.append(" http_").append(s);
      } else {
        not.add(s);
      }
    }
    if (r.nonIdempotent()) {
      b.append(" non_idempotent");
    }
    b.append(";    # retry.statuses").append(r.nonIdempotent() ? ", retry.non-idempotent=true" : "").append('\n');
    if (!not.isEmpty()) {
      b.append("    # retry.statuses ").append(not).append(": proxy_next_upstream cannot retry them\n");
    }
    b.append("    proxy_next_upstream_tries ").append(r.effectiveMaxAttempts()).append(";    # retry.max-attempts"
        + " (the first included; nginx tries each server at most once)\n");
  }
}
