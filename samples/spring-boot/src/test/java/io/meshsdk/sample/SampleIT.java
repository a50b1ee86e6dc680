package io.meshsdk.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshsdk.sample.catalog.CatalogApplication;
import io.meshsdk.sample.inventory.InventoryApplication;
import io.meshsdk.sample.registry.Registry;
import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.client.RestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The whole sample in one JVM: the registry (real ZooKeeper), two inventory applications and catalog, each a
 * separate SpringApplication on a random loopback port with the sample's application.yml; catalog calls inventory
 * through the mesh; a real Prometheus (Debian's package) scrapes catalog's /actuator/prometheus and has the mesh's
 * client request metric; an inventory instance stopped mid-traffic drains with no failed call.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SampleIT {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private static TestingServer registry;
  private static ConfigurableApplicationContext inventory1;
  private static ConfigurableApplicationContext inventory2;
  private static ConfigurableApplicationContext catalog;
  private static RestClient http;
  private static Process prometheus;
  private static Path prometheusDir;

  @BeforeAll
  static void startSample() throws Exception {
    registry = Registry.start(0);
    String[] common = {"--sample.registry=" + registry.getConnectString(), "--server.port=0",
        // the drain test stops an instance: keep its delay short
        "--mesh.drain-delay=500ms"};
    inventory1 = SampleMain.start(InventoryApplication.class, "inventory", common);
    inventory2 = SampleMain.start(InventoryApplication.class, "inventory", common);
    catalog = SampleMain.start(CatalogApplication.class, "catalog", common);
    http = RestClient.create("http://127.0.0.1:" + port(catalog));
  }

  @AfterAll
  static void stopSample() throws Exception {
    if (prometheus != null) {
      prometheus.destroy(); // SIGTERM to its own PID
      if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
        prometheus.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    }
    for (ConfigurableApplicationContext c : new ConfigurableApplicationContext[] {catalog, inventory1, inventory2}) {
      if (c != null) {
        c.close();
      }
    }
    if (registry != null) {
      registry.close();
    }
    if (prometheusDir != null) {
      try (Stream<Path> files = Files.walk(prometheusDir)) {
        files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      }
    }
  }

  private static int port(ConfigurableApplicationContext context) {
    return Integer.parseInt(context.getEnvironment().getProperty("local.server.port", "0"));
  }

  private static JsonNode get(String path) {
    String body = http.get().uri(path).retrieve().body(String.class);
    return JSON.readTree(body == null ? "null" : body);
  }

  @Test
  @Order(1)
  void catalogCallsBothInventoryInstancesThroughTheMesh() {
    Set<String> servedBy = new HashSet<>();
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      JsonNode product = get("/products/apple");
      assertThat(product.get("name").asString()).isEqualTo("product apple");
      servedBy.add(product.get("servedBy").asString());
      assertThat(servedBy).containsExactlyInAnyOrder("inventory@" + port(inventory1), "inventory@" + port(inventory2));
    });

    JsonNode mesh = get("/actuator/mesh");
    assertThat(mesh.get("discovery").get("backend").asString()).isEqualTo("zookeeper");
    JsonNode inventory = mesh.get("services").get(0);
    assertThat(inventory.get("service").asString()).isEqualTo("inventory");
    assertThat(inventory.get("loadBalancer").asString()).isEqualTo("round-robin"); // application.yml's policy
    assertThat(inventory.get("endpoints")).hasSize(2);
    assertThat(get("/actuator/health").get("components").get("mesh").get("status").asString()).isEqualTo("UP");
  }

  @Test
  @Order(2)
  void prometheusScrapesTheMeshClientMetric() throws Exception {
    File binary = new File(System.getProperty("sample.prometheus", "/usr/bin/prometheus"));
    assertThat(binary.canExecute())
        .as("Prometheus is not installed (%s): run ./scripts/test-all.sh, which installs Debian's prometheus"
            + " package, or apt-get install prometheus", binary)
        .isTrue();
    for (int i = 0; i < 5; i++) {
      get("/products/metric-" + i);
    }
    prometheusDir = Files.createTempDirectory("sample-prometheus");
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    Path config = prometheusDir.resolve("prometheus.yml");
    Files.writeString(config, """
        global:
          scrape_interval: 1s
        scrape_configs:
          - job_name: catalog
            metrics_path: /actuator/prometheus
            static_configs:
              - targets: ['127.0.0.1:%d']
        """.formatted(port(catalog)));
    prometheus = new ProcessBuilder(binary.getPath(), "--config.file=" + config,
        "--storage.tsdb.path=" + prometheusDir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
        .redirectErrorStream(true).redirectOutput(prometheusDir.resolve("prometheus.log").toFile()).start();

    RestClient api = RestClient.create("http://127.0.0.1:" + port);
    String query = "sum(mesh_client_requests_seconds_count{job=\"catalog\",service=\"inventory\",outcome=\"success\"})";
    await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
        .untilAsserted(() -> {
      assertThat(prometheus.isAlive()).as("prometheus exited; see %s", prometheusDir.resolve("prometheus.log"))
          .isTrue();
      String body = api.get()
          .uri("/api/v1/query?query={q}", query)
          .retrieve().body(String.class);
      JsonNode result = JSON.readTree(body == null ? "null" : body).get("data").get("result");
      assertThat(result).as("no series yet: %s", body).isNotEmpty();
      assertThat(Double.parseDouble(result.get(0).get("value").get(1).asString())).isGreaterThan(0);
    });
  }

  @Test
  @Order(3)
  void stoppingAnInventoryInstanceDrainsWithoutFailedCalls() throws Exception {
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger ok = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    ExecutorService caller = Executors.newSingleThreadExecutor();
    try {
      Future<?> traffic = caller.submit(() -> {
        while (running.get()) {
          try {
            get("/products/drain");
            ok.incrementAndGet();
          } catch (RuntimeException e) {
            failed.incrementAndGet();
          }
        }
      });
      await().atMost(Duration.ofSeconds(10)).until(() -> ok.get() >= 5);
      inventory1.close(); // deregister, keep serving 500 ms, 503 x-mesh-draining, stop
      int afterClose = ok.get();
      await().atMost(Duration.ofSeconds(10)).until(() -> ok.get() >= afterClose + 20);
      running.set(false);
      traffic.get(10, TimeUnit.SECONDS);
    } finally {
      running.set(false);
      caller.shutdownNow();
    }
    assertThat(failed.get()).as("failed calls (%d succeeded)", ok.get()).isZero();
    assertThat(get("/products/after").get("servedBy").asString()).isEqualTo("inventory@" + port(inventory2));
  }

}
