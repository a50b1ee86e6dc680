package io.meshsdk.core.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.metrics.MetricNames;
import io.meshsdk.testing.RawSocketServer;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A response that cannot have a body (HEAD, 204, 304) ends the call when its headers arrive, on every transport,
 * even when the application never reads or closes the (empty) body: its metrics, breaker permission and deadline
 * watch do not wait for a body that will never come.
 */
class BodilessResponseIT {

  private RawSocketServer server;
  private SimpleMeterRegistry registry;
  private Mesh mesh;

  @BeforeEach
  void start() {
    server = RawSocketServer.start("bodiless", socket -> {
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();
      List<String> head;
      while ((head = RawSocketServer.readHead(in)) != null) { // keep-alive
        String path = head.get(0).split(" ")[1];
        String answer = head.get(0).startsWith("HEAD ") ? "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n"
            : path.equals("/not-modified") ? "HTTP/1.1 304 Not Modified\r\n\r\n"
            : "HTTP/1.1 204 No Content\r\n\r\n";
        out.write(answer.getBytes(StandardCharsets.US_ASCII));
        out.flush();
      }
    });
    registry = new SimpleMeterRegistry();
    mesh = Mesh.builder()
        .discovery(StaticServiceDiscovery.of(Endpoint.of("inventory", "127.0.0.1", server.port())))
        .meterRegistry(registry)
        .build();
  }

  @AfterEach
  void stop() throws Exception {
    mesh.close();
    server.close();
  }

  private long endedCalls() {
    return registry.find(MetricNames.CLIENT_REQUESTS).timers().stream().mapToLong(Timer::count).sum();
  }

  @ParameterizedTest
  @ValueSource(strings = {"GET /no-content", "GET /not-modified", "HEAD /items"})
  void okHttpCallsEndAtTheHeaders(String call) throws Exception {
    OkHttpClient http = mesh.newOkHttpClient();
    String[] parts = call.split(" ");
    for (int i = 0; i < 3; i++) {
      Response r = http.newCall(new Request.Builder().url("http://inventory" + parts[1]).method(parts[0], null)
          .build()).execute(); // never closed: there is nothing to read
      assertThat(r.code()).isBetween(200, 399);
    }
    assertThat(endedCalls()).as("calls recorded as ended after three %s", call).isEqualTo(3);
  }

  @ParameterizedTest
  @ValueSource(strings = {"GET /no-content", "GET /not-modified", "HEAD /items"})
  void jdkHttpClientCallsEndAtTheHeaders(String call) throws Exception {
    HttpClient http = mesh.newHttpClient(HttpClient.newHttpClient());
    String[] parts = call.split(" ");
    for (int i = 0; i < 3; i++) {
      HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create("http://inventory" + parts[1]))
          .method(parts[0], HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofInputStream()); // the stream is never read or closed
      assertThat(r.statusCode()).isBetween(200, 399);
    }
    assertThat(endedCalls()).as("calls recorded as ended after three %s", call).isEqualTo(3);
  }
}
