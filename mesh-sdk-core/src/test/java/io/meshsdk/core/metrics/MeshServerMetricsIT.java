package io.meshsdk.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.meshsdk.core.Mesh;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code mesh.server.requests} recorded by a real JDK HTTP server on loopback, called through the mesh. */
class MeshServerMetricsIT {

  private final SimpleMeterRegistry serverRegistry = new SimpleMeterRegistry();
  private HttpServer server;
  private Mesh mesh;

  @BeforeEach
  void setUp() throws IOException {
    MeshServerMetrics metrics = MeshServerMetrics.create(serverRegistry);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.createContext("/", exchange -> {
      long start = System.nanoTime();
      int status = exchange.getRequestURI().getPath().startsWith("/fail") ? 500 : 200;
      try {
        exchange.sendResponseHeaders(status, -1);
      } finally {
        exchange.close();
        metrics.record(exchange.getRequestHeaders().getFirst(MeshServerMetrics.CALLER_HEADER), status, null,
            System.nanoTime() - start);
      }
    });
    server.start();
    mesh = Mesh.builder()
        .discovery(StaticServiceDiscovery.of(
            Endpoint.of("inventory", "127.0.0.1", server.getAddress().getPort())))
        .build();
  }

  private final java.util.Map<String, Mesh> callers = new java.util.HashMap<>();

  private Mesh callerMesh(String caller) {
    return callers.computeIfAbsent(caller, c -> Mesh.builder()
        .discovery(StaticServiceDiscovery.of(Endpoint.of("inventory", "127.0.0.1", server.getAddress().getPort())))
        .localService(c)
        .build());
  }

  @AfterEach
  void tearDown() {
    callers.values().forEach(Mesh::close);
    mesh.close();
    server.stop(0);
  }

  private void call(String path, @org.jspecify.annotations.Nullable String caller) throws IOException {
    // the caller header is the mesh's to set: a mesh whose local service is the caller sends it
    OkHttpClient http = caller == null ? mesh.newOkHttpClient() : callerMesh(caller).newOkHttpClient();
    Request.Builder b = new Request.Builder().url("http://inventory" + path);
    try (Response r = http.newCall(b.build()).execute()) {
      r.code();
    }
  }

  private long count(String caller, String outcome, String status) {
    var t = serverRegistry.find(MetricNames.SERVER_REQUESTS)
        .tags("caller", caller, "outcome", outcome, "status", status).timer();
    return t == null ? 0 : t.count();
  }

  @Test
  void inboundRequestsAreTimedByCallerAndOutcome() throws IOException {
    call("/items", "orders");
    call("/items", "orders");
    call("/fail", "orders");
    call("/items", null);
    // the handler records after closing the exchange: wait until all four are in
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() ->
        serverRegistry.get(MetricNames.SERVER_REQUESTS).timers().stream().mapToLong(t -> t.count()).sum() == 4);
    assertThat(count("orders", "success", "2xx")).isEqualTo(2);
    assertThat(count("orders", "server_error", "5xx")).isEqualTo(1);
    assertThat(count("unknown", "success", "2xx")).isEqualTo(1);
  }
}
