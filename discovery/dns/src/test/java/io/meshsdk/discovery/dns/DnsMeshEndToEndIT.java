package io.meshsdk.discovery.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.ServiceDiscoveries;
import io.meshsdk.core.discovery.ServiceDiscovery;
import io.meshsdk.testing.LoopbackBackend;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Calls through a {@link Mesh} whose discovery is DNS, chosen by properties ({@code mesh.discovery.uri=dns://...}
 * through the {@code ServiceLoader}): real HTTP backends on loopback, found through SRV records in a real dnsmasq.
 */
class DnsMeshEndToEndIT {

  @RegisterExtension
  static final Dnsmasq.Extension DNS = new Dnsmasq.Extension();

  private LoopbackBackend a;
  private LoopbackBackend b;
  private ServiceDiscovery discovery;
  private Mesh mesh;

  @BeforeEach
  void start() {
    a = LoopbackBackend.start("a", 1);
    b = LoopbackBackend.start("b", 2);
    discovery = ServiceDiscoveries.fromProperties(Map.of(
        "mesh.discovery.uri", DNS.server().uri(),
        "mesh.discovery.dns.record", "srv",
        "mesh.discovery.dns.name", "{service}.e2e.test",
        "mesh.discovery.dns.min-refresh", "100ms",
        "mesh.discovery.dns.max-refresh", "1s",
        "mesh.discovery.dns.query-timeout", "500ms"));
    mesh = Mesh.builder().discovery(discovery).config(MeshConfig.builder().meshDomain(".mesh").build()).build();
  }

  @AfterEach
  void stop() {
    mesh.close();
    discovery.close();
    a.close();
    b.close();
  }

  private static List<String> srv(String service, LoopbackBackend... backends) {
    List<String> lines = new java.util.ArrayList<>();
    for (LoopbackBackend backend : backends) {
      lines.add("srv-host=_http._tcp." + service + ".e2e.test,lb.e2e.test," + backend.port() + ",0,1");
    }
    lines.add("host-record=lb.e2e.test,127.0.0.1");
    return lines;
  }

  private static int call(OkHttpClient http, String url) throws IOException {
    try (Response r = http.newCall(new Request.Builder().url(url).build()).execute()) {
      return r.code();
    }
  }

  @Test
  void callsReachEveryBackendFoundBySrvAndFollowRecordChanges() throws Exception {
    DNS.server().config("e2e-shop", srv("shop", a, b));
    OkHttpClient http = mesh.newOkHttpClient();

    long queriesBefore = DNS.server().queries("_http._tcp.shop.e2e.test", "SRV");
    int calls = 40;
    for (int i = 0; i < calls; i++) {
      assertThat(call(http, "http://shop.mesh/items/" + i)).isEqualTo(200);
    }
    long queries = DNS.server().queries("_http._tcp.shop.e2e.test", "SRV") - queriesBefore;
    assertThat(a.requests()).isPositive();
    assertThat(b.requests()).isPositive();
    assertThat(a.requests() + b.requests()).isEqualTo(calls);
    assertThat(queries).as("DNS is asked on its TTL, never per call").isLessThan(calls / 4);

    DNS.server().config("e2e-shop", srv("shop", b)); // a leaves DNS
    await().atMost(Duration.ofSeconds(10)).until(() -> mesh.endpoints("shop").size() == 1);
    long aBefore = a.requests();
    for (int i = 0; i < 20; i++) {
      assertThat(call(http, "http://shop.mesh/after/" + i)).isEqualTo(200);
    }
    assertThat(a.requests()).as("no call to the endpoint DNS dropped").isEqualTo(aBefore);
  }

  @Test
  void aServicePublishedAfterTheMeshStartedIsReachedByItsFirstCall() throws Exception {
    OkHttpClient http = mesh.newOkHttpClient();
    DNS.server().config("e2e-late", srv("late", a));
    assertThat(call(http, "http://late.mesh/hello")).isEqualTo(200);
    assertThat(a.requests()).isEqualTo(1);
    assertThat(mesh.isMeshHost("late")).isTrue();
  }
}
