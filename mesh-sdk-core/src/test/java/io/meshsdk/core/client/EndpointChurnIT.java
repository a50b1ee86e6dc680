package io.meshsdk.core.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.endpoint.EndpointState;
import io.meshsdk.testing.LoopbackBackend;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Endpoints added and removed from another thread while 8 threads call through the mesh: no call fails
 * because of a swap, and the state of removed endpoints is not kept.
 */
class EndpointChurnIT {

  private static final int BACKENDS = 6;
  private static final int SWAPS = 150;
  private final List<LoopbackBackend> backends = new ArrayList<>();
  private final List<Endpoint> endpoints = new ArrayList<>();

  @BeforeEach
  void start() {
    for (int i = 0; i < BACKENDS; i++) {
      LoopbackBackend b = LoopbackBackend.start("inventory-" + i);
      backends.add(b);
      endpoints.add(Endpoint.builder("inventory", b.host(), b.port()).id("inventory-" + i).build());
    }
  }

  @AfterEach
  void stop() {
    backends.forEach(LoopbackBackend::close);
  }

  @ParameterizedTest
  @ValueSource(strings = {"round-robin", "weighted", "least-request", "ring-hash"})
  void swapsNeverFailACallAndDropRemovedState(String policy) throws Exception {
    StaticServiceDiscovery discovery = StaticServiceDiscovery.create();
    discovery.set("inventory", endpoints);
    MeshConfig config = MeshConfig.builder()
        .service("inventory", s -> s.set("lb.policy", policy).set("lb.hash-header", "x-user"))
        .build();
    try (Mesh mesh = Mesh.builder().discovery(discovery).config(config).build()) {
      OkHttpClient http = mesh.newOkHttpClient();
      EndpointState removedLater = mesh.endpoints("inventory").find("inventory-5");
      WeakReference<EndpointState> removedRef = new WeakReference<>(removedLater);
      removedLater = null;

      AtomicBoolean churning = new AtomicBoolean(true);
      AtomicLong ok = new AtomicLong();
      ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
      ExecutorService callers = Executors.newFixedThreadPool(8);
      CountDownLatch done = new CountDownLatch(8);
      CountDownLatch firstCalls = new CountDownLatch(8);
      for (int t = 0; t < 8; t++) {
        callers.execute(() -> {
          try {
            int n = 0;
            while (churning.get() || n < 20) {
              try (Response r = http.newCall(new Request.Builder().url("http://inventory/items").build()).execute()) {
                if (r.code() == 200) {
                  ok.incrementAndGet();
                } else {
                  failures.add(new AssertionError("status " + r.code()));
                }
              } catch (Throwable e) {
                failures.add(e);
              }
              if (++n == 1) {
                firstCalls.countDown();
              }
            }
          } finally {
            done.countDown();
          }
        });
      }
      assertThat(firstCalls.await(30, TimeUnit.SECONDS)).isTrue();
      SplittableRandom random = new SplittableRandom(7);
      for (int i = 0; i < SWAPS; i++) {
        List<Endpoint> subset = new ArrayList<>();
        for (Endpoint e : endpoints.subList(0, BACKENDS - 1)) {
          if (random.nextBoolean()) {
            subset.add(e);
          }
        }
        if (subset.isEmpty()) {
          subset.add(endpoints.get(0));
        }
        if (i < SWAPS / 2) {
          subset.add(endpoints.get(BACKENDS - 1)); // in the first half only, then gone for good
        }
        discovery.set("inventory", subset);
      }
      List<Endpoint> last = List.of(endpoints.get(0), endpoints.get(1));
      discovery.set("inventory", last);
      churning.set(false);
      assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
      callers.shutdown();

      assertThat(failures).isEmpty();
      assertThat(ok.get()).isGreaterThanOrEqualTo(160);
      assertThat(mesh.endpoints("inventory").states())
          .extracting(s -> s.endpoint().id())
          .containsExactly("inventory-0", "inventory-1");
      assertThat(mesh.endpoints("inventory").states()).allSatisfy(s -> assertThat(s.inFlight()).isZero());

      backends.get(0).resetCounters();
      backends.get(1).resetCounters();
      backends.get(5).resetCounters();
      for (int i = 0; i < 20; i++) {
        try (Response r = http.newCall(new Request.Builder().url("http://inventory/x").build()).execute()) {
          assertThat(r.code()).isEqualTo(200);
        }
      }
      assertThat(backends.get(0).requests() + backends.get(1).requests()).isEqualTo(20);
      assertThat(backends.get(5).requests()).isZero();

      await().atMost(Duration.ofSeconds(20)).until(() -> {
        System.gc();
        return removedRef.get() == null;
      });
    }
  }
}
