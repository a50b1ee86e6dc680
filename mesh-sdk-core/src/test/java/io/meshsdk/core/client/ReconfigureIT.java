package io.meshsdk.core.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.resilience.BreakerState;
import io.meshsdk.testing.LoopbackBackend;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/** A config change swaps the pipeline but keeps live resilience state unless the resilience config changed. */
class ReconfigureIT {

  private static int call(OkHttpClient http) {
    try (Response r = http.newCall(new Request.Builder().url("http://inventory/x").build()).execute()) {
      return r.code();
    } catch (IOException e) {
      return -1;
    }
  }

  @Test
  void aBalancerOrRouteChangeKeepsTheOpenBreakerAndEjectionsButAResilienceChangeStartsAfresh() {
    try (LoopbackBackend a = LoopbackBackend.start("a").mode(LoopbackBackend.failing(503));
        LoopbackBackend b = LoopbackBackend.start("b").mode(LoopbackBackend.failing(503));
        LoopbackBackend c = LoopbackBackend.start("c")) {
      Map<String, String> props = new LinkedHashMap<>();
      props.put("mesh.services.inventory.retry.enabled", "false");
      props.put("mesh.services.inventory.breaker.window-size", "10");
      props.put("mesh.services.inventory.breaker.minimum-calls", "10");
      props.put("mesh.services.inventory.breaker.failure-rate-threshold", "20");
      props.put("mesh.services.inventory.breaker.open-wait", "1h");
      props.put("mesh.services.inventory.outlier.consecutive-failures", "2");
      props.put("mesh.services.inventory.lb.policy", "round-robin");
      try (Mesh mesh = Mesh.builder()
          .discovery(StaticServiceDiscovery.of(Endpoint.builder("inventory", a.host(), a.port()).id("a").build(),
              Endpoint.builder("inventory", b.host(), b.port()).id("b").build(),
              Endpoint.builder("inventory", c.host(), c.port()).id("c").build()))
          .config(MeshConfig.fromProperties(props))
          .build()) {
        OkHttpClient http = mesh.newOkHttpClient();
        for (int i = 0; i < 12 && mesh.resilience("inventory").breakerState() != BreakerState.OPEN; i++) {
          call(http);
        }
        assertThat(mesh.resilience("inventory").breakerState()).isEqualTo(io.meshsdk.core.resilience.BreakerState.OPEN);
        long ejections = mesh.resilience("inventory").ejections();
        assertThat(ejections).isPositive();

        props.put("mesh.services.inventory.lb.policy", "least-request");
        props.put("mesh.services.inventory.route.mode", "split:0");
        mesh.reconfigure(MeshConfig.fromProperties(props));
        assertThat(mesh.config().forService("inventory").loadBalancer().policy()).isEqualTo("least-request");
        assertThat(mesh.resilience("inventory").breakerState()).isEqualTo(io.meshsdk.core.resilience.BreakerState.OPEN);
        assertThat(mesh.resilience("inventory").ejections()).isEqualTo(ejections);
        long served = a.requests() + b.requests() + c.requests();
        assertThat(call(http)).isEqualTo(-1); // still refused by the open breaker, no network I/O
        assertThat(a.requests() + b.requests() + c.requests()).isEqualTo(served);

        props.put("mesh.services.inventory.breaker.open-wait", "2h");
        mesh.reconfigure(MeshConfig.fromProperties(props));
        assertThat(mesh.resilience("inventory").breakerState()).isEqualTo(io.meshsdk.core.resilience.BreakerState.CLOSED);
      }
    }
  }
}
