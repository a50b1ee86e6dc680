package io.meshsdk.core.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.client.NoEndpointAvailableException;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.config.ServiceConfig;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.observe.CallInfo;
import io.meshsdk.core.observe.CallObserver;
import io.meshsdk.core.observe.CallResult;
import io.meshsdk.core.observe.MeshObserver;
import io.meshsdk.core.observe.Outcome;
import io.meshsdk.core.resilience.BulkheadFullException;
import io.meshsdk.core.resilience.CircuitOpenException;
import io.meshsdk.core.resilience.DeadlineExceededException;
import io.meshsdk.core.resilience.Deadlines;
import io.meshsdk.core.resilience.RateLimitedException;
import io.meshsdk.testing.LoopbackBackend;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A direct call the mesh refuses before any attempt reports {@code attempts == 0} in its {@link CallResult},
 * whatever refused it; against a real loopback backend.
 */
class RejectedCallAttemptsIT {

  private LoopbackBackend backend;
  private Mesh mesh;
  private OkHttpClient http;
  private final List<CallResult> results = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() {
    backend = LoopbackBackend.start("inventory-1");
  }

  @AfterEach
  void tearDown() {
    if (mesh != null) {
      mesh.close();
    }
    backend.close();
  }

  private void start(List<Endpoint> endpoints, Consumer<ServiceConfig.Builder> service) {
    mesh = Mesh.builder()
        .discovery(StaticServiceDiscovery.of(endpoints))
        .config(MeshConfig.builder().service("inventory", service).build())
        .observer(new MeshObserver() {
          @Override
          public CallObserver onCallStart(CallInfo call) {
            return new CallObserver() {
              @Override
              public void onCallEnd(CallResult result) {
                results.add(result);
              }
            };
          }
        })
        .build();
    http = mesh.newOkHttpClient();
  }

  private void start(Consumer<ServiceConfig.Builder> service) {
    start(List.of(Endpoint.of("inventory", backend.host(), backend.port())), service);
  }

  private Request get() {
    return new Request.Builder().url("http://inventory/x").build();
  }

  private CallResult last() {
    return results.get(results.size() - 1);
  }

  private void assertRejectedWithoutAttempts() {
    assertThat(last().attempts()).isZero();
    assertThat(last().outcome()).isEqualTo(Outcome.REJECTED);
  }

  @Test
  void noEndpoint() {
    start(List.of(), s -> {});
    assertThatThrownBy(() -> http.newCall(get()).execute()).isInstanceOf(NoEndpointAvailableException.class);
    assertRejectedWithoutAttempts();
  }

  @Test
  void noTimeLeft() {
    start(s -> s.set("timeout.call", "5s"));
    Request r = get().newBuilder().header(Deadlines.HEADER, "0").build();
    assertThatThrownBy(() -> http.newCall(r).execute()).isInstanceOf(DeadlineExceededException.class);
    assertRejectedWithoutAttempts();
    assertThat(backend.requests()).isZero();
  }

  @Test
  void rateLimited() throws IOException {
    start(s -> s.set("rate-limit.enabled", "true").set("rate-limit.permits", "1").set("rate-limit.period", "1h"));
    http.newCall(get()).execute().close();
    assertThat(last().attempts()).isEqualTo(1);
    assertThatThrownBy(() -> http.newCall(get()).execute()).isInstanceOf(RateLimitedException.class);
    assertRejectedWithoutAttempts();
  }

  @Test
  void breakerOpen() throws IOException {
    start(s -> s.set("retry.enabled", "false").set("breaker.window-size", "2").set("breaker.minimum-calls", "2")
        .set("breaker.open-wait", "1h"));
    backend.mode(LoopbackBackend.failing(500));
    for (int i = 0; i < 2; i++) {
      http.newCall(get()).execute().close();
    }
    assertThatThrownBy(() -> http.newCall(get()).execute()).isInstanceOf(CircuitOpenException.class);
    assertRejectedWithoutAttempts();
  }

  @Test
  void bulkheadFull() {
    start(s -> s.set("bulkhead.enabled", "true").set("bulkhead.max-concurrent-calls", "1"));
    backend.mode(LoopbackBackend.hang());
    Call inFlight = http.newCall(get());
    inFlight.enqueue(new Callback() {
      @Override
      public void onFailure(Call call, IOException e) {}

      @Override
      public void onResponse(Call call, Response response) {
        response.close();
      }
    });
    await().atMost(Duration.ofSeconds(10)).until(() -> backend.requests() == 1);
    assertThatThrownBy(() -> http.newCall(get()).execute()).isInstanceOf(BulkheadFullException.class);
    assertRejectedWithoutAttempts();
    inFlight.cancel();
  }
}
