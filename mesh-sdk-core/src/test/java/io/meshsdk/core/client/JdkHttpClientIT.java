package io.meshsdk.core.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.common.MeshHeaders;
import io.meshsdk.core.common.Ticker;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.config.ServiceConfig;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.endpoint.EndpointState;
import io.meshsdk.core.resilience.DeadlineExceededException;
import io.meshsdk.core.resilience.Deadlines;
import io.meshsdk.core.resilience.RateLimitedException;
import io.meshsdk.testing.LoopbackBackend;
import io.meshsdk.testing.RawSocketServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The JDK {@link HttpClient} as the engine's second transport ({@code Mesh.newHttpClient}): the same routing,
 * balancing, retries, admission, deadline and body accounting as OkHttp, against real loopback servers.
 */
class JdkHttpClientIT {

  private LoopbackBackend a;
  private LoopbackBackend b;
  private Mesh mesh;
  private HttpClient http;

  @BeforeEach
  void start() {
    a = LoopbackBackend.start("inventory-a", 1);
    b = LoopbackBackend.start("inventory-b", 2);
  }

  @AfterEach
  void stop() {
    if (mesh != null) {
      mesh.close();
    }
    b.close();
    a.close();
  }

  private void startMesh(Consumer<ServiceConfig.Builder> inventory, Endpoint... endpoints) {
    mesh = Mesh.builder()
        .discovery(StaticServiceDiscovery.of(endpoints.length > 0 ? endpoints
            : new Endpoint[] {Endpoint.of("inventory", a.host(), a.port()), Endpoint.of("inventory", b.host(),
                b.port())}))
        .config(MeshConfig.builder().service("inventory", inventory).build())
        .build();
    http = mesh.newHttpClient(HttpClient.newHttpClient());
  }

  private HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void meshHostsAreBalancedOverTheEndpointsAndOtherHostsPassThrough() throws Exception {
    startMesh(s -> s.set("lb.policy", "round-robin"));

    for (int i = 0; i < 10; i++) {
      assertThat(get("http://inventory/items/" + i).statusCode()).isEqualTo(200);
    }
    assertThat(a.requests()).isEqualTo(5);
    assertThat(b.requests()).isEqualTo(5);

    assertThat(get(a.baseUrl() + "/direct").statusCode()).as("a host that is not a mesh service").isEqualTo(200);
    assertThat(a.requests()).isEqualTo(6);
    long counted = mesh.endpoints("inventory").states().stream().mapToLong(EndpointState::successes).sum();
    assertThat(counted).as("endpoint successes: the pass-through call is not a mesh call").isEqualTo(10);
  }

  @Test
  void a503IsRetriedOnTheOtherEndpoint() throws Exception {
    a.mode(LoopbackBackend.failing(503));
    startMesh(s -> s.set("lb.policy", "round-robin").set("outlier.enabled", "false"));

    for (int i = 0; i < 6; i++) {
      assertThat(get("http://inventory/items").statusCode()).isEqualTo(200);
    }
    assertThat(a.requests()).isPositive();
    assertThat(mesh.resilience("inventory").retries()).isEqualTo(a.requests());
  }

  @Test
  void admissionGovernsTheJdkClientToo() throws Exception {
    startMesh(s -> s.set("rate-limit.permits", "1").set("rate-limit.period", "1h"));

    assertThat(get("http://inventory/items").statusCode()).isEqualTo(200);
    assertThatThrownBy(() -> get("http://inventory/items")).isInstanceOf(RateLimitedException.class);
    assertThat(a.requests() + b.requests()).isEqualTo(1);
  }

  @Test
  void theCallDeadlineTravelsAsAHeaderAndCutsAHungEndpoint() throws Exception {
    startMesh(s -> s.set("timeout.call", "2s").set("retry.enabled", "false"),
        Endpoint.of("inventory", a.host(), a.port()));

    assertThat(get("http://inventory/items").statusCode()).isEqualTo(200);
    assertThat(Long.parseLong(a.lastHeader(MeshHeaders.DEADLINE))).isBetween(0L, 2_000L);

    a.mode(LoopbackBackend.hang());
    assertThatThrownBy(() -> get("http://inventory/items")).isInstanceOf(DeadlineExceededException.class);
    assertThat(mesh.resilience("inventory").deadlineExceeded()).isEqualTo(1);
  }

  @Test
  void sendAsyncCarriesTheCallersDeadline() throws Exception {
    startMesh(s -> s.set("lb.policy", "round-robin"), Endpoint.of("inventory", a.host(), a.port()));

    HttpResponse<String> r;
    try (Deadlines.Scope ignored = Deadlines.withRemaining(5_000, Ticker.SYSTEM)) {
      r = http.sendAsync(HttpRequest.newBuilder(URI.create("http://inventory/async")).build(),
          HttpResponse.BodyHandlers.ofString()).get(30, TimeUnit.SECONDS);
    }
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(Long.parseLong(a.lastHeader(MeshHeaders.DEADLINE))).isBetween(0L, 5_000L);
  }

  @Test
  void aStreamedBodyThatFailsMidWayCountsAsAnEndpointFailure() throws Exception {
    try (RawSocketServer resetting = RawSocketServer.start("jdk-resetting", socket -> {
      if (RawSocketServer.readHead(socket.getInputStream()) == null) {
        return;
      }
      OutputStream out = socket.getOutputStream();
      out.write("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.write(new byte[1024]);
      out.flush();
      socket.setSoLinger(true, 0);
      socket.close(); // RST after 1 KB of a 100,000-byte body
    })) {
      startMesh(s -> s.set("retry.enabled", "false"), Endpoint.of("inventory", "127.0.0.1", resetting.port()));

      // the JDK client may see the reset before it hands the response over (send throws) or while the body is
      // read: either way the call fails with an IOException and the endpoint is charged one failure
      assertThatThrownBy(() -> {
        HttpResponse<InputStream> r = http.send(
            HttpRequest.newBuilder(URI.create("http://inventory/big")).build(),
            HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        try (InputStream in = r.body()) {
          in.readAllBytes();
        }
      }).isInstanceOf(IOException.class);

      EndpointState endpoint = mesh.endpoints("inventory").get(0);
      assertThat("successes=" + endpoint.successes() + ", failures=" + endpoint.failures())
          .isEqualTo("successes=0, failures=1");
    }
  }

  /** Host names match in any case: a {@code java.net.URI} keeps the host as written. */
  @Test
  void anUpperCaseHostIsGoverned() throws Exception {
    startMesh(s -> s.set("lb.policy", "round-robin"));

    assertThat(get("http://Inventory/items/1").statusCode()).isEqualTo(200);
    assertThat(get("http://INVENTORY/items/2").statusCode()).isEqualTo(200);

    assertThat(a.requests() + b.requests()).isEqualTo(2);
    assertThat(mesh.isMeshHost("Inventory")).isTrue();
  }
}
