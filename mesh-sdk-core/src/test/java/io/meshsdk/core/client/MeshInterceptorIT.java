package io.meshsdk.core.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.common.MeshException;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.loadbalancer.LoadBalancerConfig;
import io.meshsdk.testing.LoopbackBackend;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The interceptor end to end against real HTTP servers on loopback. */
class MeshInterceptorIT {

  private LoopbackBackend a;
  private LoopbackBackend b;
  private LoopbackBackend outsider;
  private StaticServiceDiscovery discovery;
  private Mesh mesh;
  private OkHttpClient http;

  @BeforeEach
  void setUp() {
    a = LoopbackBackend.start("inventory-a");
    b = LoopbackBackend.start("inventory-b");
    outsider = LoopbackBackend.start("not-in-mesh");
    discovery = StaticServiceDiscovery.of(
        Endpoint.of("inventory", a.host(), a.port()), Endpoint.of("inventory", b.host(), b.port()));
    mesh = Mesh.builder()
        .discovery(discovery)
        .config(MeshConfig.builder()
            .meshDomain(".mesh")
            .service("inventory", s -> s.loadBalancer(
                LoadBalancerConfig.builder().policy(LoadBalancerConfig.ROUND_ROBIN).build()))
            .build())
        .discoveryWait(Duration.ofMillis(200))
        .build();
    http = mesh.newOkHttpClient();
  }

  @AfterEach
  void tearDown() {
    mesh.close();
    a.close();
    b.close();
    outsider.close();
  }

  private String get(String url) throws IOException {
    try (Response r = http.newCall(new Request.Builder().url(url).build()).execute()) {
      assertThat(r.code()).isEqualTo(200);
      return r.header("x-backend");
    }
  }

  @Test
  void logicalUrlReachesEveryEndpointWithPathAndQueryKept() throws IOException {
    Map<String, Integer> hits = new HashMap<>();
    for (int i = 0; i < 10; i++) {
      hits.merge(get("http://inventory/items/42?x=1"), 1, Integer::sum);
    }
    assertThat(hits).containsOnlyKeys("inventory-a", "inventory-b");
    assertThat(hits.values()).containsOnly(5);
    try (Response r = http.newCall(new Request.Builder().url("http://inventory/items/42?x=1").build()).execute()) {
      assertThat(r.body().string()).endsWith("GET /items/42?x=1\n");
    }
  }

  @Test
  void defaultClientsShareOnePoolAndDispatcher() {
    OkHttpClient other = mesh.newOkHttpClient();
    assertThat(other.connectionPool()).isSameAs(http.connectionPool());
    assertThat(other.dispatcher()).isSameAs(http.dispatcher());
    OkHttpClient own = new OkHttpClient();
    assertThat(mesh.newOkHttpClient(own).connectionPool()).isSameAs(own.connectionPool());
  }

  @Test
  void meshDomainSuffixNamesTheSameService() throws IOException {
    assertThat(get("http://inventory.mesh/items")).startsWith("inventory-");
  }

  @Test
  void hostsOutsideTheMeshPassThroughUntouched() throws IOException {
    assertThat(get(outsider.baseUrl() + "/direct")).isEqualTo("not-in-mesh");
    assertThat(outsider.requests()).isEqualTo(1);
    assertThat(a.requests() + b.requests()).isZero();
  }

  @Test
  void unknownServiceUnderTheMeshDomainFailsFastNamingIt() {
    assertThatThrownBy(() -> get("http://payments.mesh/x"))
        .isInstanceOf(UnknownServiceException.class)
        .hasMessageContaining("'payments'");
    // nothing is kept for a name nobody knows: the next call is judged again, the same way
    assertThat(mesh.snapshot().service("payments")).isNull();
    assertThat(mesh.endpoints()).doesNotContainKey("payments");
    assertThatThrownBy(() -> get("http://payments.mesh/x")).isInstanceOf(UnknownServiceException.class);
  }

  @Test
  void serviceWithNoEndpointsFailsFastNamingIt() {
    try (Mesh empty = Mesh.builder()
        .config(MeshConfig.builder().service("ledger").build())
        .build()) {
      OkHttpClient c = empty.newOkHttpClient();
      assertThatThrownBy(() -> c.newCall(new Request.Builder().url("http://ledger/x").build()).execute())
          .isInstanceOf(NoEndpointAvailableException.class)
          .hasMessageContaining("'ledger'")
          .hasMessageContaining("reports no endpoints");
    }
  }

  @Test
  void endpointSchemeAndPortComeFromTheEndpoint() throws IOException {
    discovery.set("inventory", List.of(Endpoint.of("inventory", b.host(), b.port())));
    for (int i = 0; i < 4; i++) {
      assertThat(get("http://inventory/p")).isEqualTo("inventory-b");
    }
  }

  @Test
  void aPortInTheMeshUrlIsRefusedNotIgnored() {
    assertThatThrownBy(() -> get("http://inventory:9999/p"))
        .isInstanceOf(MeshException.class)
        .hasMessageContaining("port 9999");
    assertThat(a.requests() + b.requests()).isZero();
  }
}
