package io.meshsdk.core.sidecar.parity;

import static io.meshsdk.core.sidecar.parity.SnippetNames.duration;

import io.meshsdk.core.common.MeshHeaders;
import io.meshsdk.core.loadbalancer.LoadBalancerConfig;
import io.meshsdk.core.resilience.BulkheadConfig;
import io.meshsdk.core.resilience.HealthCheckConfig;
import io.meshsdk.core.resilience.OutlierConfig;
import io.meshsdk.core.resilience.RateLimitConfig;
import io.meshsdk.core.resilience.RetryConfig;
import io.meshsdk.core.resilience.TimeoutConfig;
import io.meshsdk.core.security.ServiceTlsConfig;
import io.meshsdk.core.sidecar.SidecarRetries;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** An HAProxy (2.4 or later) backend section. */
final class HaproxySnippet {

  /** The statuses HAProxy's {@code retry-on} accepts (2.4 to 2.8). */
  static final Set<Integer> RETRYABLE = Set.of(401, 403, 404, 408, 425, 500, 501, 502, 503, 504);

  private HaproxySnippet() {}

  static String render(PolicyParity p, List<String> servers) {
    StringBuilder b = new StringBuilder();
    String name = p.proxyName();
    Snippets.header(b, "#", p, "an HAProxy backend (HAProxy 2.4 or later)");
    b.append("# in the outbound frontend: use_backend ").append(name).append(" if { req.hdr(host),field(1,:),lower -m"
        + " str ").append(p.sidecarHost()).append(" }\n");
    b.append("backend ").append(name).append('\n');
    balance(b, p.loadBalancer());
    RetryConfig r = p.resilience().retry();
    TimeoutConfig t = p.resilience().timeout();
    int retries = p.sidecarRetries() == SidecarRetries.SDK ? 0 : r.effectiveMaxAttempts() - 1;
    timeouts(b, t, retries);
    rateLimit(b, p.resilience().rateLimit());
    retries(b, p, r, retries);
    List<String> serverOptions = new ArrayList<>();
    health(b, serverOptions, p.resilience().healthCheck(), p.resilience().outlier());
    bulkhead(b, serverOptions, p.resilience().bulkhead(), servers.size());
    ServiceTlsConfig tls = p.tls();
    if (tls.isMtls()) {
      b.append("  # tls.mode=mtls: add to each server \"ssl crt <workload cert and key, PEM> ca-file <trust bundle>"
          + " verify required\"; HAProxy checks the chain, not the server's SPIFFE id")
          .append(tls.identities().isEmpty() ? "" : " (tls.identity)").append('\n');
    }
    if (!serverOptions.isEmpty()) {
      b.append("  default-server");
      for (String o : serverOptions) {
        b.append(' ').append(o);
      }
      b.append('\n');
    }
    if (servers.isEmpty()) {
      b.append("  # no endpoints known: add \"server <name> <host:port>\" per instance of ").append(p.service())
          .append('\n');
    }
    int i = 1;
    for (String s : servers) {
      b.append("  server s").append(i++).append(' ').append(s).append('\n');
    }
    return b.toString();
  }

  private static void balance(StringBuilder b, LoadBalancerConfig lb) {
    switch (lb.policy()) {
      case LoadBalancerConfig.ROUND_ROBIN -> b.append("  balance roundrobin    # lb.policy=round-robin\n");
      case LoadBalancerConfig.WEIGHTED -> b.append("  balance roundrobin    # lb.policy=weighted (server weights)\n");
      case LoadBalancerConfig.LEAST_REQUEST -> b.append("  balance leastconn    # lb.policy=least-request\n");
      case LoadBalancerConfig.RING_HASH -> {
        if (lb.hashHeader().isEmpty()) {
          b.append("  # lb.policy=ring-hash without lb.hash-header: nothing to hash on; not emitted\n");
        } else {
          b.append("  balance hdr(").append(lb.hashHeader()).append(")    # lb.policy=ring-hash, lb.hash-header\n")
              .append("  hash-type consistent\n");
        }
      }
      default -> b.append("  # lb.policy=").append(lb.policy()).append(": a custom balancer, no HAProxy equivalent\n");
    }
    if (!lb.localZone().isEmpty() || !lb.subsetLabel().isEmpty()) {
      b.append("  # lb.local-zone / lb.subset-*: no per-request equivalent here; not emitted\n");
    }
    if (!lb.slowStartWindow().isZero()) {
      b.append("  # lb.slow-start-window=").append(duration(lb.slowStartWindow()))
          .append(": HAProxy's \"slowstart\" server option applies after a server comes back up; not emitted\n");
    }
  }

  private static void timeouts(StringBuilder b, TimeoutConfig t, int retries) {
    Duration attempt = t.perAttempt();
    Duration call = t.call();
    Duration server = !attempt.isZero() ? attempt : retries == 0 ? call : Duration.ZERO;
    if (!server.isZero()) {
      b.append("  timeout server ").append(duration(server)).append("    # ")
          .append(!attempt.isZero() ? "timeout.per-attempt" : "timeout.call (one attempt)").append('\n');
    }
    String cap = server.isZero() ? "" : " { req.hdr(" + MeshHeaders.DEADLINE + ") -m int lt " + server.toMillis() + " }";
    b.append("  # the call's remaining time, sent by the SDK on each hand-off (").append(MeshHeaders.DEADLINE)
        .append("); bounds each attempt (HAProxy's server timeout is per attempt)")
        .append(call.isZero() ? "; timeout.call is not set, an inherited deadline still comes" : "").append('\n');
    b.append("  http-request set-timeout server req.hdr(").append(MeshHeaders.DEADLINE).append(") if { req.hdr(")
        .append(MeshHeaders.DEADLINE).append(") -m int gt 0 }").append(cap).append('\n');
  }

  private static void rateLimit(StringBuilder b, RateLimitConfig rl) {
    if (!rl.enabled()) {
      return;
    }
    String period = duration(rl.period());
    b.append("  # rate-limit.permits=").append(rl.permits()).append(" per rate-limit.period=").append(period)
        .append(" (a sliding window here; a refused request counts too)")
        .append(rl.maxWait().isZero() ? "" : "; rate-limit.max-wait=" + duration(rl.maxWait())
            + ": HAProxy refuses at once")
        .append('\n');
    b.append("  stick-table type integer size 1 expire ").append(period).append(" store http_req_rate(")
        .append(period).append(")\n");
    b.append("  http-request track-sc0 int(1)\n");
    b.append("  http-request deny deny_status 429 if { sc_http_req_rate(0) gt ").append(rl.permits()).append(" }\n");
  }

  private static void retries(StringBuilder b, PolicyParity p, RetryConfig r, int retries) {
    if (retries == 0) {
      b.append("  retries 0    # ").append(p.sidecarRetries() == SidecarRetries.SDK
          ? "route.sidecar-retries=sdk: the SDK retries, the sidecar must not" : Snippets.noRetriesWhy(r))
          .append('\n');
      b.append("  retry-on none\n");
      return;
    }
    Set<Integer> ok = new TreeSet<>();
    Set<Integer> not = new TreeSet<>();
    for (int s : r.statuses()) {
      (RETRYABLE.contains(s) ? ok : not).add(s);
    }
    b.append("  retries ").append(retries).append("    # retry.max-attempts=").append(r.maxAttempts())
        .append(" (the first + ").append(retries).append("); route.sidecar-retries=sidecar\n");
    b.append("  retry-on conn-failure empty-response response-timeout");
    for (int s : ok) {
      b.append(' ').append(s);
    }
    b.append("    # retry.statuses\n");
    if (!not.isEmpty()) {
      b.append("  # retry.statuses ").append(not).append(": HAProxy's retry-on cannot retry them\n");
    }
    b.append("  option redispatch 1    # each retry to another server, as the SDK\n");
    if (!r.nonIdempotent()) {
      b.append("  http-request disable-l7-retry if !METH_GET !METH_OPTIONS !METH_PUT !METH_DELETE    #"
          + " retry.non-idempotent=false (METH_GET matches HEAD too)\n");
    }
    b.append("  # a body larger than HAProxy's buffer is not retried (the SDK's retry.buffer-limit=")
        .append(r.bufferLimit()).append(")\n");
  }

  private static void health(StringBuilder b, List<String> serverOptions, HealthCheckConfig h, OutlierConfig o) {
    boolean observe = o.enabled() && o.consecutiveFailures() > 0;
    if (h.enabled()) {
      b.append("  option httpchk GET ").append(h.path()).append("    # health-check.path\n");
      b.append("  http-check expect rstatus ^2\n");
      b.append("  timeout check ").append(duration(h.timeout())).append("    # health-check.timeout\n");
      serverOptions.add("check inter " + duration(h.interval()) + " fall " + h.unhealthyThreshold() + " rise "
          + h.healthyThreshold());
    } else if (observe) {
      serverOptions.add("check");
      b.append("  # outlier ejection needs server checks: a TCP connect check brings a marked-down server back\n");
    }
    if (observe) {
      serverOptions.add("observe layer7 error-limit " + o.consecutiveFailures() + " on-error mark-down");
      b.append("  # outlier.consecutive-failures=").append(o.consecutiveFailures())
          .append(": error-limit (5xx and connection errors); outlier.base-ejection-time=")
          .append(duration(o.baseEjectionTime())).append(" has no equivalent (a server returns when its checks pass);"
              + " failure-rate ejection and max-ejected-percent neither\n");
    } else if (o.enabled()) {
      b.append("  # outlier: only failure-rate ejection is on, which HAProxy cannot express\n");
    }
  }

  private static void bulkhead(StringBuilder b, List<String> serverOptions, BulkheadConfig c, int servers) {
    if (!c.enabled()) {
      return;
    }
    if (servers == 0) {
      b.append("  # bulkhead.max-concurrent-calls=").append(c.maxConcurrentCalls())
          .append(": give each server \"maxconn <that / number of servers>\"\n");
      return;
    }
    int per = (c.maxConcurrentCalls() + servers - 1) / servers;
    serverOptions.add("maxconn " + per);
    b.append("  # bulkhead.max-concurrent-calls=").append(c.maxConcurrentCalls()).append(" over ").append(servers)
        .append(" server(s): maxconn ").append(per).append(" each; over it the SDK rejects at once, so no queue\n");
    b.append("  timeout queue 1ms\n");
  }
}
