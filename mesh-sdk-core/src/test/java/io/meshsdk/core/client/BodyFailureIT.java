package io.meshsdk.core.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.endpoint.EndpointState;
import io.meshsdk.core.metrics.MetricNames;
import io.meshsdk.testing.RawSocketServer;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression tests (each failed before the fix): a response whose body fails mid-way (200, {@code Content-Length: 100000}, 1 KB, then a
 * connection reset) is counted as a success because the mesh judges the call when the headers arrive.
 *
 * <ul>
 *   <li>{@link #truncatedBodyCountsAsAnEndpointFailure}: the endpoint's successes/failures counters.
 *   <li>{@link #truncatedBodyIsRecordedWithAFailureOutcome}: the {@code mesh.client.requests} timer's
 *       {@code outcome} tag.
 *   <li>{@link #truncatedBodiesOpenTheBreaker}: the breaker (2-call window) stays closed after only failures.
 * </ul>
 */
@Timeout(120)
class BodyFailureIT {

  private static final int DECLARED = 100_000;
  private static final int SENT = 1024;

  private ResettingServer server;
  private SimpleMeterRegistry registry;
  private Mesh mesh;
  private OkHttpClient http;

  @BeforeEach
  void setUp() throws IOException {
    server = new ResettingServer();
    registry = new SimpleMeterRegistry();
    mesh = Mesh.builder()
        .discovery(StaticServiceDiscovery.of(Endpoint.of("inventory", "127.0.0.1", server.port())))
        .config(MeshConfig.builder().service("inventory", s -> s
            .set("breaker.window-size", "2")
            .set("breaker.minimum-calls", "2")
            .set("breaker.failure-rate-threshold", "50")).build())
        .meterRegistry(registry)
        .build();
    http = mesh.newOkHttpClient();
  }

  @AfterEach
  void tearDown() throws IOException {
    mesh.close();
    server.close();
  }

  /** One call: the headers (200) arrive, 1 KB of the body is read, then the server resets and reading fails. */
  private void callWithTruncatedBody() throws IOException {
    try (Response r = http.newCall(new Request.Builder().url("http://inventory/items/42").build()).execute()) {
      assertThat(r.code()).isEqualTo(200);
      InputStream in = r.body().byteStream();
      byte[] first = new byte[SENT];
      int got = 0;
      while (got < SENT) { // not readNBytes: its final zero-length read blocks on OkHttp's stream
        int n = in.read(first, got, SENT - got);
        assertThat(n).as("bytes read of the first KB").isPositive();
        got += n;
      }
      server.resets.release(); // now the server resets the connection
      assertThatThrownBy(in::readAllBytes).as("reading the rest of a body cut by a reset")
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void truncatedBodyCountsAsAnEndpointFailure() throws IOException {
    callWithTruncatedBody();

    EndpointState endpoint = mesh.endpoints("inventory").get(0);
    assertThat("successes=" + endpoint.successes() + ", failures=" + endpoint.failures())
        .as("endpoint counters after one call whose body failed mid-way")
        .isEqualTo("successes=0, failures=1");
  }

  @Test
  void truncatedBodyIsRecordedWithAFailureOutcome() throws IOException {
    callWithTruncatedBody();

    Map<String, Long> byOutcome = new TreeMap<>();
    for (Timer t : registry.find(MetricNames.CLIENT_REQUESTS).tag(MetricNames.TAG_SERVICE, "inventory").timers()) {
      byOutcome.merge(t.getId().getTag(MetricNames.TAG_OUTCOME), t.count(), Long::sum);
    }
    byOutcome.values().removeIf(c -> c == 0);
    assertThat(byOutcome)
        .as("%s counts by outcome after one call whose body failed mid-way", MetricNames.CLIENT_REQUESTS)
        .doesNotContainKey("success")
        .hasSize(1);
    assertThat(byOutcome.values()).containsExactly(1L);
  }

  @Test
  void truncatedBodiesOpenTheBreaker() throws IOException {
    callWithTruncatedBody();
    callWithTruncatedBody();

    assertThat(mesh.resilience("inventory").breakerState())
        .as("breaker state after 2 of 2 calls failed reading the body (window 2, threshold 50 percent)")
        .isEqualTo(io.meshsdk.core.resilience.BreakerState.OPEN);
  }

  /**
   * A raw-socket server: to every request answers {@code 200} with {@code Content-Length: 100000} and 1 KB of
   * body, then waits for a permit from the test and resets the connection (SO_LINGER 0 + close).
   */
  static final class ResettingServer implements AutoCloseable {
    final Semaphore resets = new Semaphore(0);
    final AtomicInteger requests = new AtomicInteger();
    private final RawSocketServer raw = RawSocketServer.start("resetting", this::serve);

    int port() {
      return raw.port();
    }

    private void serve(Socket s) throws IOException, InterruptedException {
      if (RawSocketServer.readHead(s.getInputStream()) == null) {
        return;
      }
      requests.incrementAndGet();
      OutputStream out = s.getOutputStream();
      out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " + DECLARED
          + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      byte[] part = new byte[SENT];
      java.util.Arrays.fill(part, (byte) 'x');
      out.write(part);
      out.flush();
      resets.tryAcquire(60, TimeUnit.SECONDS);
      s.setSoLinger(true, 0);
      s.close(); // RST
    }

    @Override
    public void close() throws IOException {
      raw.close();
    }
  }
}
