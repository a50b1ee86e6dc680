package io.meshsdk.core.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshsdk.core.Mesh;
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
        LoopbackBackend other = LoopbackBackend.start("inventory-other");
        Mesh mesh = Mesh.builder()
            .discovery(StaticServiceDiscovery.of(Endpoint.of("inventory", hanging.host(), hanging.port())))
            .build()) {
      OkHttpClient http = mesh.newOkHttpClient();
      EndpointState state = mesh.endpoints("inventory").get(0);
      for (int i = 0; i < 6; i++) { // more than the default 5 consecutive failures that would eject it
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
        await().atMost(Duration.ofSeconds(10)).until(() -> hanging.requests() == expected);
        call.cancel();
        assertThat(outcome.get()).isInstanceOf(IOException.class);
      }
      assertThat(hanging.requests()).isEqualTo(6); // never retried
      assertThat(state.failures()).isZero();
      assertThat(state.consecutiveFailures()).isZero();
      assertThat(state.isEjected()).isFalse();
      assertThat(mesh.resilience("inventory").breakerState()).isEqualTo(io.meshsdk.core.resilience.BreakerState.CLOSED);
      assertThat(other.requests()).isZero();
    }
  }
}
