package io.meshsdk.core.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.endpoint.EndpointState;
import io.meshsdk.testing.LoopbackBackend;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.junit.jupiter.api.Test;

/** A call the caller cancels says nothing about the endpoint: no failure recorded, no retry, no ejection. */
class CancelledCallIT {

  @Test
  void aCancelledCallIsNotAnEndpointFailureAndIsNotRetried() throws Exception {
    try (LoopbackBackend hanging = LoopbackBackend.start("inventory-hang").mode(LoopbackBackend.hang());
        LoopbackBackend other = LoopbackBackend.start("inventory-hang-2").mode(LoopbackBackend.hang());
        Mesh mesh = Mesh.builder()
            .discovery(StaticServiceDiscovery.of(Endpoint.of("inventory", hanging.host(), hanging.port()),
                Endpoint.of("inventory", other.host(), other.port())))
            // a breaker that would open after two failed calls: cancellations must not count
            .config(MeshConfig.builder().service("inventory", s -> s
                .set("breaker.window-size", "2").set("breaker.minimum-calls", "2")).build())
            .build()) {
      OkHttpClient http = mesh.newOkHttpClient();
      for (int i = 0; i < 6; i++) { // more than the default 5 consecutive failures that would eject an endpoint
        Call call = http.newCall(new Request.Builder().url("http://inventory/slow/" + i).build());
        CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
          try {
            call.execute().close();
            return null;
          } catch (IOException e) {
            return e;
          }
        });
        long expected = i + 1L;
        await().atMost(Duration.ofSeconds(10)).until(() -> hanging.requests() + other.requests() == expected);
        call.cancel();
        assertThat(outcome.get()).isInstanceOf(IOException.class);
      }
      assertThat(hanging.requests() + other.requests()).as("requests: one per call, never retried elsewhere")
          .isEqualTo(6);
      for (EndpointState state : mesh.endpoints("inventory").states()) {
        assertThat(state.failures()).isZero();
        assertThat(state.consecutiveFailures()).isZero();
        assertThat(state.isEjected()).isFalse();
      }
      assertThat(mesh.resilience("inventory").breakerState())
          .isEqualTo(io.meshsdk.core.resilience.BreakerState.CLOSED);
    }
  }
}
