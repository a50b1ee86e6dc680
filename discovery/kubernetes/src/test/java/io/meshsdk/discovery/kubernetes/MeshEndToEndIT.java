package io.meshsdk.discovery.kubernetes;

import static io.meshsdk.discovery.kubernetes.Slices.slice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshsdk.core.Mesh;
import io.meshsdk.testing.LoopbackBackend;
import java.io.IOException;
import java.time.Duration;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/**
 * Calls through {@link Mesh} to real loopback backends whose addresses are in EndpointSlices: the mesh balances
 * over the pods' addresses (not the Service's ClusterIP, which nothing answers), and a pod that stops being ready
 * stops getting calls.
 */
class MeshEndToEndIT {

  private final MockApi api = MockApi.get();
  private final String ns = MockApi.namespace("e2e");

  @Test
  void callsReachThePodsInTheSlicesAndFollowReadiness() throws IOException {
    try (LoopbackBackend a = LoopbackBackend.start("shop-a");
        LoopbackBackend b = LoopbackBackend.start("shop-b");
        KubernetesServiceDiscovery d = api.discovery(KubernetesDiscoveryOptions.of(ns));
        Mesh mesh = Mesh.builder().discovery(d).build()) {
      api.service(ns, "shop"); // ClusterIP 10.96.0.10: a call sent there would fail
      api.put(ns, slice("shop-a", "shop").port("http", a.port()).ready("shop-pod-a", a.host()).build());
      api.put(ns, slice("shop-b", "shop").port("http", b.port()).ready("shop-pod-b", b.host()).build());
      await().atMost(Duration.ofSeconds(10)).until(() -> mesh.isMeshHost("shop") && mesh.endpoints("shop").size() == 2);

      OkHttpClient http = mesh.newOkHttpClient();
      for (int i = 0; i < 40; i++) {
        assertThat(call(http)).isEqualTo(200);
      }
      assertThat(a.requests()).isPositive();
      assertThat(b.requests()).isPositive();
      assertThat(a.requests() + b.requests()).isEqualTo(40);

      api.put(ns, slice("shop-b", "shop").port("http", b.port())
          .endpoint("shop-pod-b", b.host(), false, false, false, null).build());
      await().atMost(Duration.ofSeconds(10)).until(() -> mesh.endpoints("shop").size() == 1);
      a.resetCounters();
      b.resetCounters();
      for (int i = 0; i < 20; i++) {
        assertThat(call(http)).isEqualTo(200);
      }
      assertThat(a.requests()).isEqualTo(20);
      assertThat(b.requests()).isZero();
    }
  }

  private static int call(OkHttpClient http) throws IOException {
    try (Response r = http.newCall(new Request.Builder().url("http://shop/hello").build()).execute()) {
      return r.code();
    }
  }
}
