package io.meshsdk.core.sidecar.parity;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.loadbalancer.LoadBalancerConfig;
import io.meshsdk.core.resilience.ResilienceConfig;
import io.meshsdk.core.security.ServiceTlsConfig;
import io.meshsdk.core.security.policy.EgressPolicy;
import io.meshsdk.core.sidecar.RouteConfig;
import io.meshsdk.core.sidecar.SidecarConfig;
import io.meshsdk.core.sidecar.SidecarDialect;
import io.meshsdk.core.sidecar.SidecarRetries;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Policy parity of one service between the direct path and the sidecar path: one {@link Row} per
 * {@link Concern}, saying what the SDK does on the direct path (with its figures), what happens on the sidecar
 * path (carried per request and honoured by the sidecar's dialect, to be configured in the sidecar, or nothing),
 * and a {@link Verdict}. On the sidecar path the SDK applies no admission (breaker, rate limiter, bulkhead), no
 * balancing and no ejection: the sidecar owns them, so each of them is either configured in the sidecar or not
 * governed at all there.
 *
 * <p>The same figures give the sidecar's configuration: {@link #istio()} (an Istio {@code DestinationRule} and
 * {@code VirtualService}, and an {@code EnvoyFilter} for a rate limit), {@link #haproxy()} (a backend section)
 * and {@link #nginx()} (an {@code upstream} and a {@code server}). Every value in them comes from a config value,
 * named in a comment beside it; a concept the proxy cannot express is a comment saying so, never a guess.
 * {@code mesh.parity("orders")} gives it for any service; the migration report carries it per migrating service.
 *
 * <p>Immutable; computed from config only (no call is made, nothing is probed).
 */
public final class PolicyParity {

  /** What is governed. */
  public enum Concern {
    /** {@code rate-limit.*}: the outbound rate limiter. */
    RATE_LIMIT("rate limit"),
    /** {@code breaker.*}: the service circuit breaker. */
    CIRCUIT_BREAKER("circuit breaker"),
    /** {@code bulkhead.*}: the concurrency limit. */
    BULKHEAD("bulkhead"),
    /** {@code retry.*} (attempts, statuses, methods) and {@code route.sidecar-retries}: who retries. */
    RETRIES("retries"),
    /** {@code retry.budget.*}: the share of retries over requests. */
    RETRY_BUDGET("retry budget"),
    /** {@code timeout.call}: the call deadline, retries included. */
    CALL_TIMEOUT("call timeout"),
    /** {@code timeout.per-attempt}: the time of one attempt. */
    ATTEMPT_TIMEOUT("per-attempt timeout"),
    /** {@code outlier.*}: passive per-endpoint ejection. */
    OUTLIER_EJECTION("outlier ejection"),
    /** {@code health-check.*}: active health checks. */
    HEALTH_CHECK("active health check"),
    /** {@code lb.*}: how endpoints are picked. */
    LOAD_BALANCING("load balancing"),
    /** {@code tls.*}: mutual TLS to the service. */
    MTLS("mTLS"),
    /** The egress section of the access policy ({@code mesh.policy.*}). */
    ACCESS_POLICY("access policy (egress)");

    private final String label;

    Concern(String label) {
      this.label = label;
    }

    /** A short human name, e.g. {@code circuit breaker}. */
    public String label() {
      return label;
    }
  }

  /** How a concern fares on the sidecar path compared with the direct path. */
  public enum Verdict {
    /**
     * The same on both paths: carried per request and honoured by the sidecar's dialect, or applied by the SDK
     * itself before the route (the deadline, the egress policy).
     */
    EQUIVALENT("equivalent"),
    /** Not carried: the sidecar must be configured for it; the emitted snippets cover it. */
    CONFIGURE_IN_SIDECAR("configure in sidecar"),
    /**
     * Risk of governing twice: the SDK and a sidecar configured the usual way would both apply it (e.g. both
     * retry), and the SDK cannot switch the sidecar's off per request; the snippets leave the sidecar's off.
     */
    GOVERNED_TWICE("governed twice (risk)"),
    /** Governed on the direct path and by nothing on the sidecar path: no sidecar equivalent can be emitted. */
    NOT_GOVERNED("NOT governed"),
    /** Not configured for the service: nothing to carry over. */
    OFF("off");

    private final String label;

    Verdict(String label) {
      this.label = label;
    }

    /** A short human name, e.g. {@code configure in sidecar}. */
    public String label() {
      return label;
    }

    /** Whether this verdict needs an operator's attention before moving calls to the sidecar. */
    public boolean isRisk() {
      return this == GOVERNED_TWICE || this == NOT_GOVERNED;
    }
  }

  /**
   * One concern.
   *
   * @param concern what is governed
   * @param direct what the SDK does on the direct path, with its figures (e.g. {@code 3 attempts on 502,503,504})
   * @param sidecar what happens on the sidecar path
   * @param verdict how the two compare
   */
  public record Row(Concern concern, String direct, String sidecar, Verdict verdict) {
    /** Checks no component is null. */
    public Row {
      requireNonNull(concern, "concern");
      requireNonNull(direct, "direct");
      requireNonNull(sidecar, "sidecar");
      requireNonNull(verdict, "verdict");
    }
  }

  private final String service;
  private final ResilienceConfig resilience;
  private final LoadBalancerConfig loadBalancer;
  private final ServiceTlsConfig tls;
  private final RouteConfig route;
  private final @Nullable SidecarConfig sidecar;
  private final @Nullable EgressPolicy egress;
  private final List<String> endpoints;
  private final List<Row> rows;

  private PolicyParity(String service, ResilienceConfig resilience, LoadBalancerConfig loadBalancer,
      ServiceTlsConfig tls, RouteConfig route, @Nullable SidecarConfig sidecar, @Nullable EgressPolicy egress,
      List<String> endpoints) {
    this.service = requireNonNull(service, "service");
    this.resilience = requireNonNull(resilience, "resilience");
    this.loadBalancer = requireNonNull(loadBalancer, "loadBalancer");
    this.tls = requireNonNull(tls, "tls");
    this.route = requireNonNull(route, "route");
    this.sidecar = sidecar;
    this.egress = egress;
    this.endpoints = List.copyOf(endpoints);
    this.rows = ParityRules.rows(this);
  }

  /**
   * The parity of {@code service} from the parts of its effective config.
   *
   * @param service the service's canonical name
   * @param resilience its {@code ServiceConfig.resilience()}
   * @param loadBalancer its {@code ServiceConfig.loadBalancer()}
   * @param tls its {@code ServiceConfig.tls()}
   * @param route its route in force ({@code ServiceConfig.route()}, or as set at run time)
   * @param sidecar the sidecar's config, or {@code null} when none is configured (then the dialect is
   *     {@code mesh})
   * @param egress the egress section of the access policy in force, or {@code null} for none
   * @param endpoints the service's instances as {@code host:port} (the {@code server} lines of the HAProxy and
   *     nginx snippets), possibly empty
   */
  public static PolicyParity of(String service, ResilienceConfig resilience, LoadBalancerConfig loadBalancer,
      ServiceTlsConfig tls, RouteConfig route, @Nullable SidecarConfig sidecar, @Nullable EgressPolicy egress,
      List<String> endpoints) {
    return new PolicyParity(service, resilience, loadBalancer, tls, route, sidecar, egress, endpoints);
  }

  /** The service. */
  public String service() {
    return service;
  }

  /** The resilience policies the rows were computed from. */
  public ResilienceConfig resilience() {
    return resilience;
  }

  /** The balancing config the rows were computed from. */
  public LoadBalancerConfig loadBalancer() {
    return loadBalancer;
  }

  /** The TLS config the rows were computed from. */
  public ServiceTlsConfig tls() {
    return tls;
  }

  /** The route the rows were computed from. */
  public RouteConfig route() {
    return route;
  }

  /** The sidecar's config, or {@code null} when none is configured. */
  public @Nullable SidecarConfig sidecar() {
    return sidecar;
  }

  /** The egress policy in force, or {@code null} for none. */
  public @Nullable EgressPolicy egress() {
    return egress;
  }

  /** The service's instances ({@code host:port}) the snippets list as servers. */
  public List<String> endpoints() {
    return endpoints;
  }

  /** The sidecar's dialect ({@code mesh} when no sidecar is configured). */
  public SidecarDialect dialect() {
    SidecarConfig c = sidecar;
    return c == null ? SidecarDialect.MESH : c.dialect();
  }

  /** Who retries calls handed to the sidecar ({@code route.sidecar-retries}). */
  public SidecarRetries sidecarRetries() {
    return route.sidecarRetries();
  }

  /** The host the sidecar sees for the service: the service name plus {@code mesh.sidecar.host-suffix}. */
  public String sidecarHost() {
    SidecarConfig c = sidecar;
    return c == null ? service : service + c.hostSuffix();
  }

  /** One row per {@link Concern}, in the enum's order. */
  public List<Row> rows() {
    return rows;
  }

  /** The row of {@code concern}. */
  public Row row(Concern concern) {
    return rows.get(requireNonNull(concern, "concern").ordinal());
  }

  /** The rows whose verdict {@linkplain Verdict#isRisk() needs attention}. */
  public List<Row> risks() {
    List<Row> out = new ArrayList<>();
    for (Row r : rows) {
      if (r.verdict().isRisk()) {
        out.add(r);
      }
    }
    return out;
  }

  /** How many rows have each verdict, e.g. {@code 2 equivalent, 6 configure in sidecar, 1 NOT governed, 3 off}. */
  public String summary() {
    Map<Verdict, Integer> counts = new EnumMap<>(Verdict.class);
    for (Row r : rows) {
      counts.merge(r.verdict(), 1, Integer::sum);
    }
    StringBuilder sb = new StringBuilder();
    counts.forEach((v, n) -> sb.append(sb.length() == 0 ? "" : ", ").append(n).append(' ').append(v.label()));
    return sb.toString();
  }

  /** A table of every row, for a console. */
  public String render() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "policy parity of %s (sidecar dialect %s, route.sidecar-retries=%s): %s%n",
        service, dialect(), sidecarRetries(), summary()));
    for (Row r : rows) {
      sb.append(String.format(Locale.ROOT, "  %-22s %-22s direct: %s%n", r.concern().label(), r.verdict().label(),
          r.direct()));
      sb.append(String.format(Locale.ROOT, "  %-22s %-22s sidecar: %s%n", "", "", r.sidecar()));
    }
    return sb.toString();
  }

  /**
   * The Istio resources of the service, as one multi-document YAML text: a {@code DestinationRule} (load
   * balancer, connection pool from the bulkhead, outlier detection, {@code ISTIO_MUTUAL} with {@code tls.mode=mtls}),
   * a {@code VirtualService} (timeout, retries consistent with who retries: {@code attempts: 0} when the SDK
   * retries) and, with a rate limit, an {@code EnvoyFilter} with Envoy's local rate limit.
   */
  public String istio() {
    return IstioSnippet.render(this);
  }

  /** An HAProxy backend section for the service, with {@link #endpoints()} as its servers. */
  public String haproxy() {
    return haproxy(endpoints);
  }

  /** An HAProxy backend section for the service with {@code servers} ({@code host:port} each). */
  public String haproxy(List<String> servers) {
    return HaproxySnippet.render(this, List.copyOf(servers));
  }

  /**
   * nginx {@code http}-level configuration for the service: a {@code limit_req_zone} (with a rate limit), an
   * {@code upstream} with {@link #endpoints()} as its servers and a {@code server} on the sidecar's address
   * matching the service's host.
   */
  public String nginx() {
    return nginx(endpoints);
  }

  /** As {@link #nginx()}, with {@code servers} ({@code host:port} each). */
  public String nginx(List<String> servers) {
    return NginxSnippet.render(this, List.copyOf(servers));
  }

  /** The HAProxy backend's and the nginx upstream's name: {@code mesh_} and a safe form of the service name. */
  public String proxyName() {
    return SnippetNames.proxyName(service);
  }

  /** The Kubernetes name of the Istio resources: a DNS-1123 label derived from the service name. */
  public String kubernetesName() {
    return SnippetNames.kubernetesName(service);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PolicyParity p && service.equals(p.service) && resilience.equals(p.resilience)
        && loadBalancer.equals(p.loadBalancer) && tls.equals(p.tls) && route.equals(p.route)
        && Objects.equals(sidecar, p.sidecar) && Objects.equals(egress, p.egress) && endpoints.equals(p.endpoints);
  }

  @Override
  public int hashCode() {
    return Objects.hash(service, resilience, loadBalancer, tls, route, sidecar, egress, endpoints);
  }

  @Override
  public String toString() {
    return "PolicyParity{" + service + ": " + summary() + "}";
  }
}
