package io.meshsdk.core.sidecar.parity;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.config.ServiceConfig;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.sidecar.MigrationReport;
import io.meshsdk.core.sidecar.RouteMode;
import io.meshsdk.core.security.policy.AccessPolicy;
import io.meshsdk.core.security.policy.EgressPolicy;
import io.meshsdk.core.sidecar.SidecarConfig;
import io.meshsdk.core.sidecar.SidecarDialect;
import io.meshsdk.core.sidecar.parity.PolicyParity.Concern;
import io.meshsdk.core.sidecar.parity.PolicyParity.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** Verdicts, the figures in the rows, and the config value behind every emitted snippet value. */
class PolicyParityTest {

  private static final SidecarConfig MESH = SidecarConfig.builder().address("127.0.0.1", 15001).build();
  private static final SidecarConfig ENVOY = SidecarConfig.builder().address("127.0.0.1", 15001)
      .hostSuffix(".shop.svc.cluster.local").dialect(SidecarDialect.ENVOY).build();

  /** Non-default values everywhere, so that each emitted value can only have come from its key. */
  private static final String[] ODD = {
      "rate-limit.permits", "7", "rate-limit.period", "2s",
      "bulkhead.max-concurrent-calls", "13",
      "outlier.consecutive-failures", "4", "outlier.interval", "3s", "outlier.base-ejection-time", "45s",
      "outlier.max-ejection-time", "450s", "outlier.max-ejected-percent", "30",
      "lb.policy", "ring-hash", "lb.hash-header", "x-user", "lb.ring-size", "2048",
      "timeout.call", "4s", "timeout.per-attempt", "1500ms",
      "retry.max-attempts", "4", "retry.statuses", "503,429",
      "health-check.enabled", "true", "health-check.path", "/healthz", "health-check.interval", "7s",
      "health-check.unhealthy-threshold", "6", "health-check.healthy-threshold", "5",
      "tls.mode", "mtls", "tls.identity", "spiffe://shop.example/ns/shop/sa/orders",
  };

  static PolicyParity parity(String service, @Nullable SidecarConfig sidecar, @Nullable EgressPolicy egress,
      List<String> servers, String... keyValues) {
    ServiceConfig.Builder b = ServiceConfig.builder();
    for (int i = 0; i < keyValues.length; i += 2) {
      b.set(keyValues[i], keyValues[i + 1]);
    }
    ServiceConfig c = b.build();
    return PolicyParity.of(service, c.resilience(), c.loadBalancer(), c.tls(), c.route(), sidecar, egress,
        servers);
  }

  static PolicyParity parity(@Nullable SidecarConfig sidecar, String... keyValues) {
    return parity("orders", sidecar, null, List.of("127.0.0.1:8081"), keyValues);
  }

  @Test
  void defaultsWithTheMeshDialect() {
    PolicyParity p = parity(MESH);
    assertThat(p.rows()).extracting(PolicyParity.Row::concern).containsExactly(Concern.values());
    assertThat(p.row(Concern.RATE_LIMIT).verdict()).isEqualTo(Verdict.OFF);
    assertThat(p.row(Concern.CIRCUIT_BREAKER).verdict()).isEqualTo(Verdict.NOT_GOVERNED);
    assertThat(p.row(Concern.BULKHEAD).verdict()).isEqualTo(Verdict.OFF);
    assertThat(p.row(Concern.RETRIES).verdict()).isEqualTo(Verdict.CONFIGURE_IN_SIDECAR);
    assertThat(p.row(Concern.RETRY_BUDGET).verdict()).isEqualTo(Verdict.NOT_GOVERNED);
    assertThat(p.row(Concern.CALL_TIMEOUT).verdict()).isEqualTo(Verdict.OFF);
    assertThat(p.row(Concern.ATTEMPT_TIMEOUT).verdict()).isEqualTo(Verdict.OFF);
    assertThat(p.row(Concern.OUTLIER_EJECTION).verdict()).isEqualTo(Verdict.CONFIGURE_IN_SIDECAR);
    assertThat(p.row(Concern.HEALTH_CHECK).verdict()).isEqualTo(Verdict.OFF);
    assertThat(p.row(Concern.LOAD_BALANCING).verdict()).isEqualTo(Verdict.CONFIGURE_IN_SIDECAR);
    assertThat(p.row(Concern.MTLS).verdict()).isEqualTo(Verdict.OFF);
    assertThat(p.row(Concern.ACCESS_POLICY).verdict()).isEqualTo(Verdict.OFF);
    assertThat(p.risks()).extracting(PolicyParity.Row::concern)
        .containsExactly(Concern.CIRCUIT_BREAKER, Concern.RETRY_BUDGET);
    assertThat(p.row(Concern.RETRIES).direct()).startsWith("3 attempts on connect failures and 502,503,504");
    assertThat(p.row(Concern.RETRY_BUDGET).direct()).contains("20 %").contains("10s");
    assertThat(p.row(Concern.CIRCUIT_BREAKER).direct()).contains("50 %").contains("last 100");
    assertThat(p.summary()).isEqualTo("3 configure in sidecar, 2 NOT governed, 7 off");
    assertThat(p.render()).contains("policy parity of orders (sidecar dialect mesh, route.sidecar-retries=sidecar)");
    for (Concern c : Concern.values()) {
      assertThat(p.render()).contains(c.label());
    }
  }

  @ParameterizedTest(name = "dialect {0}, sidecar-retries {1}, max-attempts {2}: {3}")
  @CsvSource({
      "envoy, sidecar, 3, EQUIVALENT",
      "envoy, sdk,     3, EQUIVALENT",
      "mesh,  sidecar, 3, CONFIGURE_IN_SIDECAR",
      "mesh,  sdk,     3, GOVERNED_TWICE",
      "mesh,  sdk,     1, CONFIGURE_IN_SIDECAR",
      "mesh,  sidecar, 1, CONFIGURE_IN_SIDECAR",
      "envoy, sidecar, 1, EQUIVALENT",
  })
  void whoRetries(String dialect, String retries, int attempts, Verdict expected) {
    SidecarConfig sidecar = dialect.equals("envoy") ? ENVOY : MESH;
    PolicyParity p = parity(sidecar, "route.sidecar-retries", retries, "retry.max-attempts", "" + attempts);
    assertThat(p.row(Concern.RETRIES).verdict()).isEqualTo(expected);
    Verdict budget = attempts == 1 ? Verdict.OFF : retries.equals("sdk") ? Verdict.EQUIVALENT : Verdict.NOT_GOVERNED;
    assertThat(p.row(Concern.RETRY_BUDGET).verdict()).isEqualTo(budget);
  }

  @Test
  void retriesOffSaysWhy() {
    assertThat(parity(MESH, "retry.enabled", "false").row(Concern.RETRIES).direct())
        .isEqualTo("no retries (retry.enabled=false)");
    assertThat(parity(MESH, "retry.enabled", "false").haproxy()).contains("retries 0    # retry.enabled=false")
        .contains("retry-on none");
    assertThat(parity(MESH, "retry.max-attempts", "1").nginx())
        .contains("proxy_next_upstream off;    # retry.max-attempts=1");
  }

  @Test
  void callTimeoutIsCarriedToEnvoyAndConfiguredElsewhere() {
    assertThat(parity(ENVOY, "timeout.call", "2s").row(Concern.CALL_TIMEOUT).verdict()).isEqualTo(Verdict.EQUIVALENT);
    assertThat(parity(MESH, "timeout.call", "2s").row(Concern.CALL_TIMEOUT).verdict())
        .isEqualTo(Verdict.CONFIGURE_IN_SIDECAR);
    assertThat(parity(MESH, "timeout.per-attempt", "2s").row(Concern.ATTEMPT_TIMEOUT).verdict())
        .isEqualTo(Verdict.CONFIGURE_IN_SIDECAR);
  }

  @Test
  void everyOtherVerdict() {
    PolicyParity mesh = parity(MESH, ODD);
    assertThat(mesh.row(Concern.RATE_LIMIT).verdict()).isEqualTo(Verdict.CONFIGURE_IN_SIDECAR);
    assertThat(mesh.row(Concern.RATE_LIMIT).direct()).startsWith("7 calls per 2s");
    assertThat(mesh.row(Concern.BULKHEAD).verdict()).isEqualTo(Verdict.CONFIGURE_IN_SIDECAR);
    assertThat(mesh.row(Concern.BULKHEAD).direct()).contains("13");
    assertThat(mesh.row(Concern.HEALTH_CHECK).verdict()).isEqualTo(Verdict.CONFIGURE_IN_SIDECAR);
    assertThat(mesh.row(Concern.MTLS).verdict()).isEqualTo(Verdict.CONFIGURE_IN_SIDECAR);
    PolicyParity envoy = parity(ENVOY, ODD);
    assertThat(envoy.row(Concern.HEALTH_CHECK).verdict()).isEqualTo(Verdict.NOT_GOVERNED);
    assertThat(parity(MESH, "breaker.enabled", "false").row(Concern.CIRCUIT_BREAKER).verdict())
        .isEqualTo(Verdict.OFF);
    assertThat(parity(MESH, "outlier.enabled", "false").row(Concern.OUTLIER_EJECTION).verdict())
        .isEqualTo(Verdict.OFF);
  }

  @Test
  void egressPolicyAppliesOnBothPaths() {
    EgressPolicy egress = AccessPolicy.parse("egress\ndefault deny\nallow a service=orders\n", "inline").egress();
    PolicyParity p = parity("orders", MESH, egress, List.of());
    assertThat(p.row(Concern.ACCESS_POLICY).verdict()).isEqualTo(Verdict.EQUIVALENT);
    assertThat(p.row(Concern.ACCESS_POLICY).direct()).contains("1 rules").contains("allowed by rule a");
    assertThat(parity("billing", MESH, egress, List.of()).row(Concern.ACCESS_POLICY).direct())
        .contains("denied by rule default");
  }

  @Test
  @SuppressWarnings("unchecked")
  void istioValuesComeFromTheConfig() {
    PolicyParity p = parity(ENVOY, ODD);
    List<Object> docs = new ArrayList<>();
    new Load(LoadSettings.builder().build()).loadAllFromString(p.istio()).forEach(docs::add);
    assertThat(docs).hasSize(3);
    Map<String, Object> dr = (Map<String, Object>) docs.get(0);
    assertThat(dr).containsEntry("kind", "DestinationRule");
    assertThat(path(dr, "metadata", "name")).isEqualTo("orders");
    assertThat(path(dr, "spec", "host")).isEqualTo("orders.shop.svc.cluster.local");
    Map<String, Object> tp = (Map<String, Object>) path(dr, "spec", "trafficPolicy");
    assertThat(path(tp, "connectionPool", "http", "http2MaxRequests")).isEqualTo(13);
    assertThat(path(tp, "outlierDetection", "consecutive5xxErrors")).isEqualTo(4);
    assertThat(path(tp, "outlierDetection", "interval")).isEqualTo("3s");
    assertThat(path(tp, "outlierDetection", "baseEjectionTime")).isEqualTo("45s");
    assertThat(path(tp, "outlierDetection", "maxEjectionPercent")).isEqualTo(30);
    assertThat(path(tp, "loadBalancer", "consistentHash", "httpHeaderName")).isEqualTo("x-user");
    assertThat(path(tp, "loadBalancer", "consistentHash", "minimumRingSize")).isEqualTo(2048);
    assertThat(path(tp, "tls", "mode")).isEqualTo("ISTIO_MUTUAL");
    assertThat(path(tp, "tls", "subjectAltNames")).isEqualTo(List.of("spiffe://shop.example/ns/shop/sa/orders"));

    Map<String, Object> vs = (Map<String, Object>) docs.get(1);
    assertThat(vs).containsEntry("kind", "VirtualService");
    assertThat(path(vs, "spec", "hosts")).isEqualTo(List.of("orders.shop.svc.cluster.local"));
    Map<String, Object> http = ((List<Map<String, Object>>) path(vs, "spec", "http")).get(0);
    assertThat(http).containsEntry("timeout", "4s");
    assertThat(path(http, "retries", "attempts")).isEqualTo(3);
    assertThat(path(http, "retries", "perTryTimeout")).isEqualTo("1500ms");
    assertThat(path(http, "retries", "retryOn")).isEqualTo("connect-failure,refused-stream,reset,429,503");
    List<Map<String, Object>> route = (List<Map<String, Object>>) http.get("route");
    assertThat(path(route.get(0), "destination", "host")).isEqualTo("orders.shop.svc.cluster.local");

    Map<String, Object> ef = (Map<String, Object>) docs.get(2);
    assertThat(ef).containsEntry("kind", "EnvoyFilter");
    List<Map<String, Object>> patches = (List<Map<String, Object>>) path(ef, "spec", "configPatches");
    assertThat(patches).extracting(m -> m.get("applyTo")).containsExactly("HTTP_FILTER", "HTTP_ROUTE");
    assertThat(path(patches.get(1), "match", "routeConfiguration", "vhost", "name"))
        .isEqualTo("orders.shop.svc.cluster.local:80");
    Map<String, Object> bucket = (Map<String, Object>) path(patches.get(1), "patch", "value",
        "typed_per_filter_config", "envoy.filters.http.local_ratelimit", "token_bucket");
    assertThat(bucket).containsEntry("max_tokens", 7).containsEntry("tokens_per_fill", 7)
        .containsEntry("fill_interval", "2s");
  }

  @Test
  @SuppressWarnings("unchecked")
  void istioWithSdkRetriesTellsTheSidecarNoRetriesAndDefaultsParse() {
    PolicyParity p = parity(ENVOY, "route.sidecar-retries", "sdk", "timeout.per-attempt", "800ms");
    List<Object> docs = new ArrayList<>();
    new Load(LoadSettings.builder().build()).loadAllFromString(p.istio()).forEach(docs::add);
    assertThat(docs).hasSize(2); // no rate limit: no EnvoyFilter
    Map<String, Object> dr = (Map<String, Object>) docs.get(0);
    assertThat(path(dr, "spec", "trafficPolicy", "loadBalancer", "simple")).isEqualTo("LEAST_REQUEST");
    assertThat(path(dr, "spec", "trafficPolicy", "outlierDetection", "consecutive5xxErrors")).isEqualTo(5);
    assertThat(path(dr, "spec", "trafficPolicy")).asInstanceOf(
        org.assertj.core.api.InstanceOfAssertFactories.MAP).doesNotContainKeys("tls", "connectionPool");
    Map<String, Object> http = ((List<Map<String, Object>>) path(docs.get(1), "spec", "http")).get(0);
    assertThat(path(http, "retries", "attempts")).isEqualTo(0);
    assertThat(http).containsEntry("timeout", "800ms"); // the one sidecar attempt gets the per-attempt timeout
    PolicyParity rr = parity(ENVOY, "lb.policy", "round-robin", "outlier.enabled", "false");
    Map<String, Object> dr2 = (Map<String, Object>) new Load(LoadSettings.builder().build())
        .loadAllFromString(rr.istio()).iterator().next();
    assertThat(path(dr2, "spec", "trafficPolicy", "loadBalancer", "simple")).isEqualTo("ROUND_ROBIN");
    assertThat(path(dr2, "spec", "trafficPolicy")).asInstanceOf(
        org.assertj.core.api.InstanceOfAssertFactories.MAP).doesNotContainKey("outlierDetection");
  }

  @Test
  void haproxyValuesComeFromTheConfig() {
    String h = parity(MESH, ODD).haproxy();
    assertThat(h).contains("backend mesh_orders\n")
        .contains("balance hdr(x-user)")
        .contains("hash-type consistent")
        .contains("timeout server 1500ms    # timeout.per-attempt")
        .contains("http-request set-timeout server req.hdr(x-mesh-deadline-ms) if { req.hdr(x-mesh-deadline-ms)"
            + " -m int gt 0 } { req.hdr(x-mesh-deadline-ms) -m int lt 1500 }")
        .contains("stick-table type integer size 1 expire 2s store http_req_rate(2s)")
        .contains("http-request deny deny_status 429 if { sc_http_req_rate(0) gt 7 }")
        .contains("retries 3    # retry.max-attempts=4")
        .contains("retry-on conn-failure empty-response response-timeout 503    # retry.statuses")
        .contains("# retry.statuses [429]: HAProxy's retry-on cannot retry them")
        .contains("http-request disable-l7-retry if !METH_GET !METH_OPTIONS !METH_PUT !METH_DELETE")
        .contains("option httpchk GET /healthz")
        .contains("default-server check inter 7s fall 6 rise 5 observe layer7 error-limit 4 on-error mark-down"
            + " maxconn 13")
        .contains("# tls.mode=mtls")
        .contains("server s1 127.0.0.1:8081\n");
    assertThat(parity(MESH, "route.sidecar-retries", "sdk").haproxy())
        .contains("retries 0    # route.sidecar-retries=sdk").contains("retry-on none")
        .doesNotContain("redispatch");
    assertThat(parity(MESH, "retry.non-idempotent", "true").haproxy()).doesNotContain("disable-l7-retry");
    String two = parity("orders", MESH, null, List.of("10.0.0.1:80", "10.0.0.2:80"),
        "bulkhead.max-concurrent-calls", "13").haproxy();
    assertThat(two).contains("maxconn 7").contains("server s2 10.0.0.2:80");
  }

  @Test
  void nginxValuesComeFromTheConfig() {
    String n = parity(MESH, ODD).nginx();
    assertThat(n).contains("limit_req_zone $server_name zone=mesh_orders:1m rate=210r/m;")
        .contains("limit_req zone=mesh_orders burst=6 nodelay;")
        .contains("hash $http_x_user consistent;")
        .contains("server 127.0.0.1:8081 max_fails=4 fail_timeout=45s max_conns=13;")
        .contains("listen 127.0.0.1:15001;    # mesh.sidecar.address")
        .contains("server_name orders;")
        .contains("proxy_read_timeout 1500ms;")
        .contains("proxy_next_upstream error timeout http_429 http_503;    # retry.statuses")
        .contains("proxy_next_upstream_tries 4;")
        .contains("proxy_next_upstream_timeout 4s;    # timeout.call")
        .contains("nginx (open source) has no active health check");
    assertThat(parity(MESH, "rate-limit.permits", "50", "rate-limit.period", "500ms").nginx())
        .contains("rate=100r/s;").contains("burst=49 nodelay");
    assertThat(parity(MESH, "outlier.enabled", "false").nginx()).contains("max_fails=0;");
    assertThat(parity(MESH, "route.sidecar-retries", "sdk").nginx()).contains("proxy_next_upstream off;")
        .doesNotContain("proxy_next_upstream_tries");
    assertThat(parity(MESH, "retry.non-idempotent", "true").nginx()).contains("http_504 non_idempotent;");
    assertThat(parity(ENVOY).nginx()).contains("server_name orders orders.shop.svc.cluster.local;");
  }

  @Test
  void oddServiceNamesGiveSafeDistinctIdentifiers() {
    String longName = "a".repeat(60) + "." + "b-".repeat(60) + "c";
    List<String> names = List.of("orders", "orders.v2", "orders-v2", "orders_v2", "9lives", longName,
        "x".repeat(253));
    Set<String> proxy = new HashSet<>();
    Set<String> k8s = new HashSet<>();
    for (String s : names) {
      PolicyParity p = parity(s, MESH, null, List.of());
      assertThat(p.proxyName()).as(s).matches("[a-z0-9_]+").hasSizeLessThanOrEqualTo(64);
      assertThat(p.kubernetesName()).as(s).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?").hasSizeLessThanOrEqualTo(63);
      proxy.add(p.proxyName());
      k8s.add(p.kubernetesName());
      assertThat(p.haproxy()).contains("backend " + p.proxyName() + "\n");
      assertThat(p.istio()).contains("name: " + p.kubernetesName() + "\n");
    }
    assertThat(proxy).hasSize(names.size());
    assertThat(k8s).hasSize(names.size());
    assertThat(parity("orders", MESH, null, List.of()).proxyName()).isEqualTo("mesh_orders");
    assertThat(parity("orders", MESH, null, List.of()).kubernetesName()).isEqualTo("orders");
  }

  @Test
  void durations() {
    assertThat(SnippetNames.duration(Duration.ofSeconds(5))).isEqualTo("5s");
    assertThat(SnippetNames.duration(Duration.ofMillis(1500))).isEqualTo("1500ms");
    assertThat(SnippetNames.duration(Duration.ofNanos(10))).isEqualTo("1ms");
    assertThat(SnippetNames.duration(Duration.ofMinutes(5))).isEqualTo("300s");
  }

  @Test
  void noServersSaysSo() {
    PolicyParity p = parity("orders", null, null, List.of());
    assertThat(p.haproxy()).contains("# no endpoints known");
    assertThat(p.nginx()).contains("# no endpoints known").contains("# no mesh.sidecar.address configured");
  }

  @Test
  void meshGivesTheParityOfAnyServiceWithItsRouteInForceAndEndpoints() {
    try (Mesh mesh = Mesh.builder()
        .discovery(StaticServiceDiscovery.of(Endpoint.of("orders", "127.0.0.1", 8081),
            Endpoint.of("orders", "127.0.0.1", 8082)))
        .config(MeshConfig.builder().service("orders", s -> s.set("route.sidecar-retries", "sdk")
            .set("bulkhead.max-concurrent-calls", "10")).build())
        .build()) {
      mesh.route("orders", "split:25");
      PolicyParity p = mesh.parity("Orders");
      assertThat(p.service()).isEqualTo("orders");
      assertThat(p.route().mode().toString()).isEqualTo("split:25");
      assertThat(p.endpoints()).containsExactlyInAnyOrder("127.0.0.1:8081", "127.0.0.1:8082");
      assertThat(p.row(Concern.RETRIES).verdict()).isEqualTo(Verdict.GOVERNED_TWICE);
      assertThat(p.haproxy()).contains("maxconn 5").contains("server s2 ");
      PolicyParity unknown = mesh.parity("billing");
      assertThat(unknown.endpoints()).isEmpty();
      assertThat(unknown.row(Concern.BULKHEAD).verdict()).isEqualTo(Verdict.OFF);
    }
  }

  @Test
  void theMigrationReportRendersTheParity() {
    MigrationReport.PathStats none = new MigrationReport.PathStats(0, 0, 0, 0);
    PolicyParity p = parity(MESH, "route.sidecar-retries", "sdk");
    MigrationReport report = new MigrationReport("127.0.0.1:15001 host-header", true, 1, 60, List.of(
        new MigrationReport.Service("orders", RouteMode.parse("split:10"), none, none, 0, true, "ready", List.of(),
            p),
        new MigrationReport.Service("billing", RouteMode.DIRECT, none, none, 0)));
    assertThat(report.service("orders").parity()).isSameAs(p);
    assertThat(report.service("billing").parity()).isNull();
    String text = report.render();
    assertThat(text).contains("  parity: " + p.summary())
        .contains("!! retries")
        .contains("!! circuit breaker")
        .contains("   outlier ejection");
  }

  private static @Nullable Object path(Object root, String... keys) {
    Object o = root;
    for (String k : keys) {
      assertThat(o).as("at " + k).isInstanceOf(Map.class);
      o = ((Map<?, ?>) o).get(k);
    }
    return o;
  }
}
