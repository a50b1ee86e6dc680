package io.meshsdk.discovery.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.registration.ServiceRegistration;
import io.meshsdk.core.registration.ServiceRegistry;
import io.meshsdk.testing.LoopbackBackend;
import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * End to end through {@link Mesh}: two real HTTP providers register themselves in a real ZooKeeper (each with its
 * own registry, so its own session), a caller's mesh discovers them from ZooKeeper and calls
 * {@code http://catalog.mesh/}; one provider deregisters mid-traffic and shuts down once callers no longer list it.
 * No call fails, and the deregistered provider gets no call after that.
 */
@ExtendWith(ZkServer.class)
class MeshOverZookeeperIT {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @Test
  void callsReachRegisteredProvidersAndADeregisteredOneStopsGettingThem() throws Exception {
    String base = ZkServer.basePath("mesh-it");
    ExecutorService traffic = Executors.newSingleThreadExecutor();
    try (LoopbackBackend a = LoopbackBackend.start("catalog-a");
        LoopbackBackend b = LoopbackBackend.start("catalog-b");
        ZookeeperServiceRegistry registryA = ZookeeperServiceRegistry.create(ZkServer.settings(base));
        ZookeeperServiceRegistry registryB = ZookeeperServiceRegistry.create(ZkServer.settings(base));
        Mesh caller = Mesh.builder().discovery(ZookeeperServiceDiscovery.create(ZkServer.settings(base)))
            .config(MeshConfig.builder().meshDomain(".mesh").build()).build()) {
      registryA.register(ServiceRegistration.of("catalog", a.host(), a.port()).withLabel("version", "v1"),
          ServiceRegistry.RegistrationListener.NONE);
      ServiceRegistry.Registration leaving = registryB.register(
          ServiceRegistration.of("catalog", b.host(), b.port()).withLabel("version", "v1"),
          ServiceRegistry.RegistrationListener.NONE);
      OkHttpClient http = caller.newOkHttpClient();

      await().atMost(WAIT).until(() -> ports(caller).equals(Set.of(a.port(), b.port())));
      List<String> failures = new CopyOnWriteArrayList<>();
      AtomicInteger calls = new AtomicInteger();
      AtomicBoolean running = new AtomicBoolean(true);
      Future<?> loop = traffic.submit(() -> {
        while (running.get()) {
          String outcome = call(http);
          calls.incrementAndGet();
          if (!outcome.startsWith("200 ")) {
            failures.add(outcome);
          }
        }
      });
      await().atMost(WAIT).untilAsserted(() -> assertThat(a.requests() > 5 && b.requests() > 5)
          .as("a=%s b=%s calls=%s failures=%s", a.requests(), b.requests(), calls.get(),
              failures.subList(0, Math.min(3, failures.size()))).isTrue());

      leaving.close(); // mid-traffic
      await().atMost(WAIT).until(() -> ports(caller).equals(Set.of(a.port())));
      b.close(); // the provider stops once callers no longer list it
      long aBefore = a.requests();
      await().atMost(WAIT).until(() -> a.requests() > aBefore + 50);
      running.set(false);
      loop.get();

      long bAfter = b.requests();
      for (int i = 0; i < 50; i++) {
        assertThat(call(http)).isEqualTo("200 catalog-a");
      }
      assertThat(b.requests()).isEqualTo(bAfter);
      assertThat(failures).as("failed calls out of %s", calls.get()).isEmpty();
      assertThat(calls.get()).isGreaterThan(60);
    } finally {
      traffic.shutdownNow();
    }
  }

  private static Set<Integer> ports(Mesh mesh) {
    EndpointSet set = mesh.endpoints("catalog");
    Set<Integer> out = new HashSet<>();
    for (int i = 0; i < set.size(); i++) {
      out.add(set.get(i).endpoint().port());
    }
    return out;
  }

  private static String call(OkHttpClient http) {
    try (Response r = http.newCall(new Request.Builder().url("http://catalog.mesh/items").build()).execute()) {
      return r.code() + " " + r.header("x-backend");
    } catch (IOException | RuntimeException e) {
      return e.toString();
    }
  }
}
