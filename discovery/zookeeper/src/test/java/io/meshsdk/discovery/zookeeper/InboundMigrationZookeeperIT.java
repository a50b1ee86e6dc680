package io.meshsdk.discovery.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.registration.ServiceRegistration;
import io.meshsdk.core.sidecar.InboundFlipException;
import io.meshsdk.core.sidecar.InboundMode;
import io.meshsdk.core.sidecar.InboundRegistration;
import io.meshsdk.core.sidecar.InboundTransition;
import io.meshsdk.core.sidecar.RegistrationPortPolicy;
import io.meshsdk.core.sidecar.SidecarConfig;
import io.meshsdk.testing.LoopbackBackend;
import io.meshsdk.testing.sidecar.LocalSidecar;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceInstance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.commons.util.InetUtils;
import org.springframework.cloud.commons.util.InetUtilsProperties;
import org.springframework.cloud.zookeeper.discovery.ZookeeperDiscoveryClient;
import org.springframework.cloud.zookeeper.discovery.ZookeeperDiscoveryProperties;
import org.springframework.cloud.zookeeper.discovery.ZookeeperInstance;

/**
 * Inbound migration on a real ZooKeeper with a real HAProxy as the instance's sidecar inbound listener (forwarding
 * to the application, adding {@code x-via-sidecar} to its responses): the instance's registration flips to the
 * sidecar's port and back five times while SDK callers (a {@link Mesh} on ZooKeeper discovery) and Spring Cloud
 * Zookeeper callers (its real {@code ZookeeperDiscoveryClient} over curator-x-discovery configured as Spring
 * configures it, listing the instances before every call: no LoadBalancer cache, the strictest case) call it on two
 * threads each. Not one call fails, and both paths really served calls. A flip while ZooKeeper is down fails and
 * leaves the old registration.
 */
@ExtendWith(ZkServer.class)
class InboundMigrationZookeeperIT {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String SERVICE = "inventory";

  private final String base = ZkServer.basePath("inbound");
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final ExecutorService traffic = Executors.newCachedThreadPool();

  private <T extends AutoCloseable> T closeAfter(T c) {
    closeables.add(c);
    return c;
  }

  @AfterEach
  void close() throws Exception {
    traffic.shutdownNow();
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  /** Counts calls by the path they took, and keeps every failure. */
  static final class Tally {
    final AtomicLong direct = new AtomicLong();
    final AtomicLong viaSidecar = new AtomicLong();
    final List<String> failures = new CopyOnWriteArrayList<>();

    void record(Response r) {
      if (r.code() != 200) {
        failures.add("HTTP " + r.code() + " " + r.header("x-backend"));
      } else if (r.header(LocalSidecar.VIA_HEADER) != null) {
        viaSidecar.incrementAndGet();
      } else {
        direct.incrementAndGet();
      }
    }

    long total() {
      return direct.get() + viaSidecar.get();
    }

    @Override
    public String toString() {
      return "direct=" + direct + " viaSidecar=" + viaSidecar + " failures=" + failures.size() + " "
          + failures.subList(0, Math.min(5, failures.size()));
    }
  }

  @Test
  void fiveFlipsToTheSidecarAndBackUnderLoadFromSdkAndSpringCallersFailNoCall() throws Exception {
    LoopbackBackend app = closeAfter(LoopbackBackend.start(SERVICE));
    // the sidecar's inbound listener: HAProxy forwarding everything addressed to 127.0.0.1 to the application
    LocalSidecar inbound = closeAfter(LocalSidecar.haproxy().route("127.0.0.1", app.host() + ":" + app.port())
        .start());
    ZookeeperServiceRegistry registry = closeAfter(ZookeeperServiceRegistry.create(ZkServer.settings(base)));
    Mesh server = closeAfter(Mesh.builder().drainDelay(Duration.ZERO)
        .sidecar(SidecarConfig.builder().address(inbound.host(), inbound.port()).inboundPort(inbound.port()).build())
        .build());
    InboundRegistration registration = closeAfter(server.inboundRegistration(registry,
            ServiceRegistration.of(SERVICE, "127.0.0.1", app.port()))
        .overlap(Duration.ofMillis(500)).register()); // with none, the Spring-style callers saw "no instance"

    Mesh caller = closeAfter(Mesh.builder().discovery(ZookeeperServiceDiscovery.create(ZkServer.settings(base)))
        .config(MeshConfig.builder().meshDomain(".mesh").build()).build());
    ServiceDiscovery<ZookeeperInstance> spring = closeAfter(SpringInstances.discovery(closeAfter(ZkServer.client()),
        base));
    DiscoveryClient springClient = new ZookeeperDiscoveryClient(spring, null,
        new ZookeeperDiscoveryProperties(new InetUtils(new InetUtilsProperties())));
    await().atMost(WAIT).until(() -> springPorts(spring).equals(Set.of(app.port())));

    Tally sdk = new Tally();
    Tally springCalls = new Tally();
    AtomicBoolean running = new AtomicBoolean(true);
    OkHttpClient meshHttp = caller.newOkHttpClient();
    OkHttpClient plainHttp = new OkHttpClient();
    List<Future<?>> loops = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      loops.add(traffic.submit(() -> {
        while (running.get()) {
          try (Response r = meshHttp.newCall(new Request.Builder().url("http://inventory.mesh/items").build())
              .execute()) {
            sdk.record(r);
          } catch (IOException | RuntimeException e) {
            sdk.failures.add(e.toString());
          }
        }
      }));
      AtomicInteger next = new AtomicInteger(t);
      loops.add(traffic.submit(() -> {
        while (running.get()) {
          springCall(springClient, plainHttp, next, springCalls);
        }
      }));
    }
    await().atMost(WAIT).until(() -> sdk.total() > 50 && springCalls.total() > 50);

    for (int flip = 1; flip <= 5; flip++) {
      registration.viaSidecar("flip " + flip);
      awaitAdvertised(caller, spring, inbound.port());
      long sdkVia = sdk.viaSidecar.get();
      long springVia = springCalls.viaSidecar.get();
      await().atMost(WAIT).until(() -> sdk.viaSidecar.get() > sdkVia + 20 && springCalls.viaSidecar.get()
          > springVia + 20);

      registration.direct("rollback " + flip);
      awaitAdvertised(caller, spring, app.port());
      long sdkDirect = sdk.direct.get();
      long springDirect = springCalls.direct.get();
      await().atMost(WAIT).until(() -> sdk.direct.get() > sdkDirect + 20 && springCalls.direct.get()
          > springDirect + 20);
    }
    running.set(false);
    for (Future<?> f : loops) {
      f.get();
    }

    assertThat(sdk.failures).as("SDK callers: %s", sdk).isEmpty();
    assertThat(springCalls.failures).as("Spring-style callers: %s", springCalls).isEmpty();
    assertThat(sdk.viaSidecar.get()).as("%s", sdk).isGreaterThan(100);
    assertThat(springCalls.viaSidecar.get()).as("%s", springCalls).isGreaterThan(100);
    List<InboundTransition> audit = registration.transitions();
    assertThat(audit).hasSize(10);
    assertThat(audit).extracting(InboundTransition::to).containsSequence(InboundMode.SIDECAR,
        InboundMode.APPLICATION, InboundMode.SIDECAR);
    assertThat(audit.get(9).reason()).isEqualTo("rollback 5");
    // one node: the application's, as Spring Cloud Zookeeper would list it
    assertThat(spring.queryForInstances(SERVICE)).hasSize(1);
  }

  @Test
  void aFlipWhileZookeeperIsDownFailsAndTheOldRegistrationStays() throws Exception {
    LoopbackBackend app = closeAfter(LoopbackBackend.start(SERVICE));
    LocalSidecar inbound = closeAfter(LocalSidecar.haproxy().route("127.0.0.1", app.host() + ":" + app.port())
        .start());
    ZookeeperServiceRegistry registry = closeAfter(ZookeeperServiceRegistry.create(ZkServer.settings(base)));
    InboundRegistration registration = closeAfter(InboundRegistration.builder(
            ServiceRegistration.of(SERVICE, "127.0.0.1", app.port()))
        .registry(registry)
        .sidecar(SidecarConfig.builder().address(inbound.host(), inbound.port()).inboundPort(inbound.port()).build())
        .acknowledgeTimeout(Duration.ofSeconds(1)).overlap(Duration.ZERO).register());
    ServiceDiscovery<ZookeeperInstance> spring = closeAfter(SpringInstances.discovery(closeAfter(ZkServer.client()),
        base));
    await().atMost(WAIT).until(() -> springPorts(spring).equals(Set.of(app.port())));

    ZkServer.stop();
    try {
      assertThatThrownBy(() -> registration.viaSidecar("during the outage"))
          .isInstanceOf(InboundFlipException.class)
          .hasMessageContaining("zookeeper did not acknowledge the new entry within 1000 ms")
          .hasMessageContaining("still registered as 127.0.0.1:" + app.port() + " (application)");
      assertThat(registration.mode()).isEqualTo(InboundMode.APPLICATION);
    } finally {
      ZkServer.restart();
    }
    // the session outlived the outage: the old node is there, the abandoned one never appears for long
    await().atMost(WAIT).until(() -> springPorts(spring).equals(Set.of(app.port())));

    registration.viaSidecar("after the outage"); // and the next flip works
    await().atMost(WAIT).until(() -> springPorts(spring).equals(Set.of(inbound.port())));
    ServiceInstance<ZookeeperInstance> seen = spring.queryForInstances(SERVICE).iterator().next();
    assertThat(seen.getPayload().getMetadata())
        .containsEntry(RegistrationPortPolicy.INBOUND_LABEL, "sidecar")
        .containsEntry(RegistrationPortPolicy.APP_PORT_LABEL, Integer.toString(app.port()))
        .containsEntry("instance_status", "UP");
    registration.direct("back");
    await().atMost(WAIT).until(() -> springPorts(spring).equals(Set.of(app.port())));
  }

  private static void awaitAdvertised(Mesh caller, ServiceDiscovery<ZookeeperInstance> spring, int port) {
    await().atMost(WAIT).until(() -> meshPorts(caller).equals(Set.of(port)) && springPorts(spring).equals(
        Set.of(port)));
  }

  /** One call as a Spring Cloud caller without a cache makes it: list the instances, pick one in turn, call. */
  private static void springCall(DiscoveryClient spring, OkHttpClient http, AtomicInteger next, Tally tally) {
    try {
      List<org.springframework.cloud.client.ServiceInstance> instances = spring.getInstances(SERVICE);
      if (instances.isEmpty()) {
        tally.failures.add("no instance of " + SERVICE);
        return;
      }
      org.springframework.cloud.client.ServiceInstance pick = instances.get(Math.floorMod(next.getAndIncrement(),
          instances.size()));
      String url = pick.getUri() + "/items";
      try (Response r = http.newCall(new Request.Builder().url(url).build()).execute()) {
        tally.record(r);
      }
    } catch (Exception e) {
      tally.failures.add(e.toString());
    }
  }

  private static Set<Integer> meshPorts(Mesh mesh) {
    EndpointSet set = mesh.endpoints(SERVICE);
    Set<Integer> out = new TreeSet<>();
    for (int i = 0; i < set.size(); i++) {
      out.add(set.get(i).endpoint().port());
    }
    return out;
  }

  private static Set<Integer> springPorts(ServiceDiscovery<ZookeeperInstance> spring) throws Exception {
    Set<Integer> out = new TreeSet<>();
    for (ServiceInstance<ZookeeperInstance> i : spring.queryForInstances(SERVICE)) {
      out.add(i.getPort());
    }
    return out;
  }
}
