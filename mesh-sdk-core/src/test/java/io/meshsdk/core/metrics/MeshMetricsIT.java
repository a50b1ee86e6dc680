package io.meshsdk.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.loadbalancer.LoadBalancerConfig;
import io.meshsdk.testing.LoopbackBackend;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.util.List;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Metrics of real calls through a {@link Mesh} to real HTTP servers on loopback. */
class MeshMetricsIT {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private LoopbackBackend a;
  private LoopbackBackend b;
  private StaticServiceDiscovery discovery;
  private Mesh mesh;
  private OkHttpClient http;

  @BeforeEach
  void setUp() {
    a = LoopbackBackend.start("inventory-a");
    b = LoopbackBackend.start("inventory-b");
    discovery = StaticServiceDiscovery.of(
        Endpoint.of("inventory", a.host(), a.port()), Endpoint.of("inventory", b.host(), b.port()));
    mesh = Mesh.builder()
        .discovery(discovery)
        .config(MeshConfig.builder()
            .service("inventory", s -> s.loadBalancer(
                    LoadBalancerConfig.builder().policy(LoadBalancerConfig.ROUND_ROBIN).build())
                .set("retry.enabled", "false")) // one attempt per call: counts map 1:1 to endpoints
            .build())
        .metrics(MeshMetrics.builder(registry).endpointTag(true).build())
        .build();
    http = mesh.newOkHttpClient();
  }

  @AfterEach
  void tearDown() {
    mesh.close();
    a.close();
    b.close();
  }

  private int get() throws IOException {
    try (Response r = http.newCall(new Request.Builder().url("http://inventory/items").build()).execute()) {
      return r.code();
    }
  }

  private long count(String endpoint, String outcome) {
    var timer = registry.find(MetricNames.CLIENT_REQUESTS)
        .tags("service", "inventory", "endpoint", endpoint, "outcome", outcome, "route", "direct")
        .timer();
    return timer == null ? 0 : timer.count();
  }

  @Test
  void realCallsAreCountedByOutcomeAndEndpointAndMetersLeaveWithTheEndpoint() throws IOException {
    b.mode(LoopbackBackend.failing(503));
    for (int i = 0; i < 6; i++) {
      get();
    }
    String idA = a.host() + ":" + a.port();
    String idB = b.host() + ":" + b.port();
    assertThat(count(idA, "success")).isEqualTo(3);
    assertThat(count(idB, "server_error")).isEqualTo(3);
    assertThat(registry.get(MetricNames.CLIENT_ACTIVE).tag("service", "inventory").gauge().value()).isZero();
    assertThat(registry.get(MetricNames.ENDPOINTS).tags("service", "inventory", "state", "healthy").gauge().value())
        .isEqualTo(2.0);

    discovery.set("inventory", List.of(Endpoint.of("inventory", a.host(), a.port())));

    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)) // told on the mesh's control thread
        .until(() -> registry.find(MetricNames.CLIENT_REQUESTS).tag("endpoint", idB).meters().isEmpty());
    assertThat(count(idA, "success")).isEqualTo(3);
    assertThat(registry.get(MetricNames.ENDPOINTS).tags("service", "inventory", "state", "healthy").gauge().value())
        .isEqualTo(1.0);
  }

  @Test
  void aCallTheMeshRejectsIsCountedAsRejectedWithoutStatus() {
    SimpleMeterRegistry own = new SimpleMeterRegistry();
    try (Mesh empty = Mesh.builder()
        .config(MeshConfig.builder().service("ledger").build())
        .meterRegistry(own)
        .build()) {
      OkHttpClient c = empty.newOkHttpClient();
      for (int i = 0; i < 2; i++) {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> c.newCall(new Request.Builder().url("http://ledger/x").build()).execute())
            .isInstanceOf(io.meshsdk.core.client.NoEndpointAvailableException.class);
      }
      // the endpoint gauges are registered on the mesh's control thread: wait for them rather than race it
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
          .until(() -> own.find(MetricNames.ENDPOINTS).tags("service", "ledger").gauge() != null);
    }
    assertThat(own.get(MetricNames.CLIENT_REQUESTS)
            .tags("service", "ledger", "outcome", "rejected", "status", "none", "route", "direct").timer().count())
        .isEqualTo(2);
    assertThat(own.get(MetricNames.ENDPOINTS).tags("service", "ledger", "state", "healthy").gauge().value()).isZero();
  }

  @Test
  void breakerStateAndSidecarReadinessArePublishedForAMeshBuiltWithMetrics() throws IOException {
    assertThat(get()).isEqualTo(200);
    assertThat(registry.get(MetricNames.BREAKER_STATE).tags("service", "inventory", "state", "closed")
        .gauge().value()).isEqualTo(1.0);
    assertThat(registry.get(MetricNames.BREAKER_STATE).tags("service", "inventory", "state", "open")
        .gauge().value()).isZero();
    assertThat(registry.find(MetricNames.SIDECAR_READY).gauge()).isNull(); // no sidecar configured: no sidecar meters
    mesh.reconfigure(MeshConfig.builder()
        .service("inventory", s -> s.set("lb.policy", "round-robin").set("retry.enabled", "false")
            .set("breaker.failure-rate-threshold", "20"))
        .build());
    assertThat(registry.get(MetricNames.BREAKER_STATE).tags("service", "inventory", "state", "closed")
        .gauge().value()).isEqualTo(1.0); // the new pipeline's breaker is behind the same gauge
  }
}
