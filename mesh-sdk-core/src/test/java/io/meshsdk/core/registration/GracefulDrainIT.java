package io.meshsdk.core.registration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.common.MeshHeaders;
import io.meshsdk.core.discovery.DiscoveryListener;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.inbound.InboundGuard;
import io.meshsdk.core.inbound.InboundGuardConfig;
import io.meshsdk.testing.LoopbackBackend;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The drain sequence with real servers: deregister first, keep serving for the delay, then refuse new requests with
 * 503 {@code x-mesh-draining} while admitted ones finish; callers send a refused request elsewhere, even a POST.
 */
class GracefulDrainIT {

  private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();
  private final OkHttpClient plain = new OkHttpClient();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
  }

  private <T extends AutoCloseable> T closing(T c) {
    closeables.add(0, c);
    return c;
  }

  /** Puts {@code guard} in front of {@code backend} as a servlet filter would. */
  static void guard(LoopbackBackend backend, InboundGuard guard) {
    backend.gate((method, header) -> {
      InboundGuard.Admission a = guard.admit(io.meshsdk.core.inbound.InboundRequest.builder().method(method).path("/")
          .remoteAddress("127.0.0.1").callerHeader(header.apply(guard.callerHeader())).deadlineHeader(header.apply(MeshHeaders.DEADLINE))
          .build());
      if (a.admitted()) {
        return LoopbackBackend.Decision.serve(a::close);
      }
      a.close();
      return LoopbackBackend.Decision.refuse(a.status(), a.draining()
          ? Map.of(MeshHeaders.DRAINING, "true", "Connection", "close", "Retry-After", "0") : Map.of());
    });
  }

  private int get(LoopbackBackend b) throws Exception {
    try (Response r = plain.newCall(new Request.Builder().url(b.baseUrl() + "/x").build()).execute()) {
      return r.code() == 503 && "true".equals(r.header(MeshHeaders.DRAINING)) ? -503 : r.code();
    }
  }

  @Test
  void deregistersFirstServesThroughTheDelayThenRefusesNewRequestsAndLetsAdmittedOnesFinish() throws Exception {
    StaticServiceDiscovery registry = closing(StaticServiceDiscovery.create());
    List<List<Endpoint>> seen = new CopyOnWriteArrayList<>();
    closing(registry.watch("inventory", new DiscoveryListener() {
      @Override
      public void onEndpoints(List<Endpoint> endpoints) {
        seen.add(endpoints);
      }

      @Override
      public void onServiceDeleted() {}

      @Override
      public void onError(Throwable error) {}
    }));
    LoopbackBackend backend = closing(LoopbackBackend.start("inventory-1"));
    Mesh provider = Mesh.builder().drainDelay(Duration.ofSeconds(2)).drainTimeout(Duration.ofSeconds(20)).build();
    closing(provider);
    InboundGuard guard = provider.inboundGuard(InboundGuardConfig.ofDefaults());
    guard(backend, guard);
    ServiceRegistry.Registration reg = provider.register(registry.registry(),
        ServiceRegistration.of("inventory", backend.host(), backend.port()));
    await().until(() -> !seen.isEmpty() && seen.get(seen.size() - 1).size() == 1);
    assertThat(seen.get(seen.size() - 1).get(0).startTime()).as("the start-time label").isNotNull();

    backend.mode(LoopbackBackend.hang());
    CompletableFuture<Integer> admitted = CompletableFuture.supplyAsync(() -> {
      try {
        return get(backend);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    await().until(() -> guard.inFlight() == 1);
    CompletableFuture<Boolean> drain = CompletableFuture.supplyAsync(provider::drain);

    // 1. deregistered at once, while the instance still serves
    await().until(() -> reg.status() == RegistrationStatus.DEREGISTERED);
    await().until(() -> seen.get(seen.size() - 1).isEmpty());
    assertThat(guard.isDraining()).as("still serving during the delay").isFalse();
    // 2. after the delay: new requests refused with the draining answer, the admitted one still running
    await().atMost(Duration.ofSeconds(10)).until(guard::isDraining);
    assertThat(admitted).isNotDone();
    assertThat(get(backend)).isEqualTo(-503);
    backend.mode(LoopbackBackend.healthy()); // releases the admitted request
    // 3. drain returns once the admitted request finished, and says everything finished
    assertThat(drain.get()).isTrue();
    assertThat(admitted.get()).isEqualTo(200);
    assertThat(guard.inFlight()).isZero();
  }

  @Test
  void drainWaitsForAdmittedRequestsAndSaysWhenTheyDidNotFinish() throws Exception {
    LoopbackBackend backend = closing(LoopbackBackend.start("inventory-2"));
    Mesh provider = closing(Mesh.builder().build());
    InboundGuard guard = provider.inboundGuard(InboundGuardConfig.ofDefaults());
    guard(backend, guard);
    backend.mode(LoopbackBackend.hang());
    CompletableFuture<Integer> stuck = CompletableFuture.supplyAsync(() -> {
      try {
        return get(backend);
      } catch (Exception e) {
        return -1;
      }
    });
    await().until(() -> guard.inFlight() == 1);
    assertThat(provider.drain(Duration.ZERO, Duration.ofMillis(200))).isFalse(); // nothing registered: no delay
    assertThat(provider.drain(Duration.ZERO, Duration.ZERO)).as("runs once, and keeps its result").isFalse();
    backend.mode(LoopbackBackend.healthy());
    assertThat(stuck.get()).isEqualTo(200);
    assertThat(guard.awaitIdle(Duration.ofSeconds(5))).isTrue();
  }

  @Test
  void aCallerSendsARequestRefusedByADrainingInstanceElsewhereEvenAPost() throws Exception {
    LoopbackBackend leaving = closing(LoopbackBackend.start("leaving"));
    LoopbackBackend staying = closing(LoopbackBackend.start("staying"));
    Mesh provider = closing(Mesh.builder().build());
    InboundGuard guard = provider.inboundGuard(InboundGuardConfig.ofDefaults());
    guard(leaving, guard);
    guard.drain();
    Mesh caller = closing(Mesh.builder().discovery(StaticServiceDiscovery.of(
        Endpoint.of("orders", leaving.host(), leaving.port()),
        Endpoint.of("orders", staying.host(), staying.port()))).build());
    OkHttpClient client = caller.newOkHttpClient();
    for (int i = 0; i < 40; i++) {
      Request post = new Request.Builder().url("http://orders/o/" + i)
          .post(RequestBody.create("order " + i, MediaType.get("text/plain"))).build();
      try (Response r = client.newCall(post).execute()) {
        assertThat(r.code()).as("call %d: %s %s", i, r.headers(), caller.snapshot().render()).isEqualTo(200);
        assertThat(r.header("x-backend")).isEqualTo("staying");
      }
    }
    assertThat(leaving.requests()).as("the draining instance ran nothing").isZero();
    assertThat(staying.requests()).isEqualTo(40);

    // a plain 503 (no draining header) to a POST is the application's answer: not sent elsewhere
    guard(leaving, InboundGuard.create(InboundGuardConfig.ofDefaults()));
    leaving.mode(LoopbackBackend.failing(503));
    staying.mode(LoopbackBackend.failing(503));
    Request post = new Request.Builder().url("http://orders/o/x")
        .post(RequestBody.create("order x", MediaType.get("text/plain"))).build();
    try (Response r = client.newCall(post).execute()) {
      assertThat(r.code()).isEqualTo(503);
    }
    assertThat(leaving.requests() + staying.requests()).isEqualTo(41);
  }

  @Test
  void closingTheMeshDrainsItsRegistrations() {
    StaticServiceDiscovery registry = closing(StaticServiceDiscovery.create());
    Mesh provider = Mesh.builder().drainDelay(Duration.ZERO).build();
    ServiceRegistry.Registration reg = provider.register(registry.registry(),
        ServiceRegistration.of("inventory", "127.0.0.1", 8080).withLabel(Endpoint.START_TIME_LABEL, "1234"));
    assertThat(reg.registration().labels()).containsEntry(Endpoint.START_TIME_LABEL, "1234"); // kept as given
    provider.close();
    assertThat(reg.status()).isEqualTo(RegistrationStatus.DEREGISTERED);
  }

  @Test
  void withNothingRegisteredTheDrainDoesNotWaitTheDelay() {
    Mesh provider = closing(Mesh.builder().build());
    // an hour's delay would hang the test: the liveness bound is generous, not a speed check
    boolean idle = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(60),
        () -> provider.drain(Duration.ofHours(1), Duration.ZERO));
    assertThat(idle).isTrue();
  }
}
