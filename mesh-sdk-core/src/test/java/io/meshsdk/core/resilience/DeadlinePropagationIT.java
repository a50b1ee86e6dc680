package io.meshsdk.core.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.common.Ticker;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.testing.LoopbackBackend;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Regression tests: the inbound deadline ({@link Deadlines}, thread-local) is lost when the outbound call runs on
 * another thread. The service has no {@code timeout.call} of its own, so only the scope's deadline can produce
 * header {@value Deadlines#HEADER}.
 *
 * <ul>
 *   <li>{@link #controlASynchronousCallInsideTheScopeCarriesTheDeadline}: control (passed before the fix too).
 *   <li>{@link #anEnqueuedCallInsideTheScopeCarriesTheDeadline}: an OkHttp {@code enqueue}d call made inside the
 *       scope carries the header (before the fix: none).
 *   <li>{@link #aCallFromAnExecutorTaskSubmittedInsideTheScopeCarriesTheDeadline}: a call made by an
 *       {@code ExecutorService} task submitted inside the scope carries the header (before the fix: none).
 * </ul>
 *
 * <p>The calls use {@link Mesh#callFactory} and an executor wrapped by {@link Deadlines#wrap(ExecutorService)}:
 * the way the docs tell an application to carry an inbound deadline to other threads.
 */
class DeadlinePropagationIT {

  private static final long SCOPE_MILLIS = 5_000;

  private LoopbackBackend backend;
  private Mesh mesh;
  private Call.Factory http;
  private ExecutorService executor;

  @BeforeEach
  void setUp() {
    backend = LoopbackBackend.start("inventory-1");
    mesh = Mesh.builder()
        .discovery(StaticServiceDiscovery.of(Endpoint.of("inventory", backend.host(), backend.port())))
        .build();
    http = mesh.callFactory(mesh.newOkHttpClient());
    executor = Deadlines.wrap(Executors.newSingleThreadExecutor());
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    executor.shutdownNow();
    executor.awaitTermination(10, TimeUnit.SECONDS);
    mesh.close();
    backend.close();
  }

  private static Request request() {
    return new Request.Builder().url("http://inventory/x").build();
  }

  private void assertBackendGotTheScopesDeadline() {
    String v = backend.lastHeader(Deadlines.HEADER);
    assertThat(v).as("%s received by the backend", Deadlines.HEADER).isNotNull();
    assertThat(Long.parseLong(v)).isBetween(0L, SCOPE_MILLIS);
  }

  @Test
  void controlASynchronousCallInsideTheScopeCarriesTheDeadline() throws IOException {
    try (Deadlines.Scope ignored = Deadlines.withRemaining(SCOPE_MILLIS, Ticker.SYSTEM);
        Response r = http.newCall(request()).execute()) {
      assertThat(r.code()).isEqualTo(200);
    }
    assertBackendGotTheScopesDeadline();
  }

  @Test
  void anEnqueuedCallInsideTheScopeCarriesTheDeadline() throws Exception {
    CompletableFuture<Integer> done = new CompletableFuture<>();
    try (Deadlines.Scope ignored = Deadlines.withRemaining(SCOPE_MILLIS, Ticker.SYSTEM)) {
      http.newCall(request()).enqueue(new Callback() {
        @Override
        public void onResponse(Call call, Response response) {
          try (response) {
            done.complete(response.code());
          }
        }

        @Override
        public void onFailure(Call call, IOException e) {
          done.completeExceptionally(e);
        }
      });
    }
    assertThat(done.get(30, TimeUnit.SECONDS)).isEqualTo(200);
    assertBackendGotTheScopesDeadline();
  }

  @Test
  void aCallFromAnExecutorTaskSubmittedInsideTheScopeCarriesTheDeadline() throws Exception {
    Future<Integer> done;
    try (Deadlines.Scope ignored = Deadlines.withRemaining(SCOPE_MILLIS, Ticker.SYSTEM)) {
      done = executor.submit(() -> {
        try (Response r = http.newCall(request()).execute()) {
          return r.code();
        }
      });
    }
    assertThat(done.get(30, TimeUnit.SECONDS)).isEqualTo(200);
    assertBackendGotTheScopesDeadline();
  }
}
