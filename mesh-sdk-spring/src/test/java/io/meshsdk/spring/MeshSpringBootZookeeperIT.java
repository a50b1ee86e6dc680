package io.meshsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshsdk.core.Mesh;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryForever;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;
import org.springframework.web.service.annotation.GetExchange;
import org.springframework.web.service.registry.ImportHttpServices;

/**
 * Spring Boot applications on a real ZooKeeper (curator-test's in-process server, one per test class): two
 * "inventory" instances register themselves when ready; "checkout" (this test's context, on a random port) finds
 * them through ZooKeeper discovery and calls them over real HTTP through an {@code @HttpExchange} client and a
 * {@code RestClient}; an instance closed mid-traffic drains (deregisters, 503 x-mesh-draining) and not one idempotent
 * call fails.
 */
@SpringBootTest(classes = MeshSpringBootZookeeperIT.Checkout.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"spring.application.name=checkout", "server.address=127.0.0.1",
        "spring.http.serviceclient.inventory.base-url=http://inventory",
        "mesh.discovery.zookeeper.session-timeout=10s", "mesh.services.inventory.retry.max-attempts=3",
        "mesh.drain-delay=0"})
class MeshSpringBootZookeeperIT {

  private static final String BASE = "/services-spring-it";
  private static TestingServer zookeeper;
  private static CuratorFramework curator;

  @BeforeAll
  static void startZookeeper() throws Exception {
    if (System.getProperty("zookeeper.forceSync") == null) {
      System.setProperty("zookeeper.forceSync", "no");
    }
    Map<String, Object> props = Map.of("clientPortAddress", "127.0.0.1", "admin.enableServer", "false");
    zookeeper = new TestingServer(new InstanceSpec(null, -1, -1, -1, true, -1, 100, -1, props, "127.0.0.1"), true);
    curator = CuratorFrameworkFactory.builder().connectString(zookeeper.getConnectString())
        .sessionTimeoutMs(10_000).connectionTimeoutMs(5_000).retryPolicy(new RetryForever(50)).build();
    curator.start();
  }

  @AfterAll
  static void stopZookeeper() throws Exception {
    curator.close();
    zookeeper.close();
  }

  @DynamicPropertySource
  static void meshProperties(DynamicPropertyRegistry registry) {
    registry.add("mesh.discovery.uri", () -> "zookeeper://" + zookeeper.getConnectString() + BASE);
  }

  /** The HTTP interface the caller uses, addressed by service name through its group's base URL. */
  interface InventoryClient {
    @GetExchange("/items/{id}")
    String item(@PathVariable String id);
  }

  @SpringBootConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  @EnableMesh
  @ImportHttpServices(group = "inventory", types = InventoryClient.class)
  static class Checkout {}

  @RestController
  static class InventoryController {
    private final ConfigurableApplicationContext context;

    InventoryController(ConfigurableApplicationContext context) {
      this.context = context;
    }

    @GetMapping("/items/{id}")
    String item(@PathVariable String id) {
      return "item " + id + " from " + context.getEnvironment().getProperty("local.server.port");
    }
  }

  @SpringBootConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  @EnableMesh
  @Import(InventoryController.class)
  static class Inventory {}

  @Autowired
  InventoryClient client;

  @Autowired
  RestClient.Builder restClientBuilder;

  @Autowired
  Mesh mesh;

  @LocalServerPort
  int checkoutPort;

  private static ConfigurableApplicationContext startInventory() {
    return new SpringApplicationBuilder(Inventory.class).properties(
        "spring.application.name=inventory",
        "server.port=0",
        "server.address=127.0.0.1",
        "mesh.registry.uri=zookeeper://" + zookeeper.getConnectString() + BASE,
        "mesh.registry.zookeeper.session-timeout=10s",
        "mesh.registration.labels.version=v1",
        "mesh.drain-delay=500ms",
        "mesh.drain-timeout=5s",
        "spring.main.banner-mode=off").run();
  }

  private static int port(ConfigurableApplicationContext c) {
    return Integer.parseInt(c.getEnvironment().getProperty("local.server.port", "0"));
  }

  private static List<String> registered() throws Exception {
    if (curator.checkExists().forPath(BASE + "/inventory") == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (String child : curator.getChildren().forPath(BASE + "/inventory")) {
      out.add(new String(curator.getData().forPath(BASE + "/inventory/" + child), java.nio.charset.StandardCharsets.UTF_8));
    }
    return out;
  }

  @Test
  void callsThroughTheMeshRegistrationAndADrainWithoutAFailedCall() throws Exception {
    ConfigurableApplicationContext first = startInventory();
    ConfigurableApplicationContext second = startInventory();
    try {
      int p1 = port(first);
      int p2 = port(second);
      // registered when ready, with the web server's port and the labels
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(registered()).hasSize(2)
          .anySatisfy(json -> assertThat(json).contains("\"port\":" + p1).contains("\"version\":\"v1\""))
          .anySatisfy(json -> assertThat(json).contains("\"port\":" + p2).contains("\"address\":\"127.0.0.1\"")));
      await().atMost(Duration.ofSeconds(10)).until(() -> mesh.endpoints("inventory").size() == 2);

      // both clients go through the mesh, over real HTTP, to both instances
      RestClient rest = restClientBuilder.build();
      Set<String> seen = ConcurrentHashMap.newKeySet();
      for (int i = 0; i < 20; i++) {
        String a = client.item("1");
        String b = rest.get().uri("http://inventory/items/2").retrieve().body(String.class);
        assertThat(a).startsWith("item 1 from ");
        assertThat(b).startsWith("item 2 from ");
        seen.add(a.substring(a.lastIndexOf(' ') + 1));
        seen.add(b.substring(b.lastIndexOf(' ') + 1));
      }
      assertThat(seen).containsExactlyInAnyOrder(Integer.toString(p1), Integer.toString(p2));

      // close one instance while calls run: it drains; no idempotent call fails
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger calls = new AtomicInteger();
      List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        List<Future<?>> running = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
          boolean useInterface = t == 0;
          running.add(pool.submit(() -> {
            while (!stop.get()) {
              try {
                String r = useInterface ? client.item("3")
                    : rest.get().uri("http://inventory/items/3").retrieve().body(String.class);
                assertThat(r).startsWith("item 3 from ");
                calls.incrementAndGet();
              } catch (Throwable e) {
                failures.add(e);
              }
            }
          }));
        }
        await().until(() -> calls.get() >= 20);
        first.close();
        assertThat(registered()).hasSize(1).allSatisfy(json -> assertThat(json).contains("\"port\":" + p2));
        int atClose = calls.get();
        await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() >= atClose + 50);
        stop.set(true);
        for (Future<?> f : running) {
          f.get();
        }
      } finally {
        stop.set(true);
        pool.shutdownNow();
      }
      assertThat(failures).as("failed calls").isEmpty();
      await().atMost(Duration.ofSeconds(10)).until(() -> mesh.endpoints("inventory").size() == 1);
      assertThat(client.item("4")).isEqualTo("item 4 from " + p2);
    } finally {
      first.close();
      second.close();
    }
    // deregistered on shutdown
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(registered()).isEmpty());
  }

  @Test
  void theInboundFilterGuardsThisApplication() {
    RestClient rest = restClientBuilder.build();
    String health = rest.get().uri("http://127.0.0.1:" + checkoutPort + "/nothing-here")
        .exchange((req, res) -> res.getStatusCode().value() + " " + res.getHeaders().getFirst("x-mesh-draining"));
    assertThat(health).isEqualTo("404 null");
  }
}
