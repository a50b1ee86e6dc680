package io.meshsdk.core.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.metrics.MetricNames;
import io.meshsdk.core.sidecar.SidecarConfig;
import io.meshsdk.testing.RawSocketServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import okio.Okio;
import okio.Source;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Regression tests (each failed before the fix): a request body that was consumed by a failed attempt is sent again, empty, by the next
 * attempt, so a server receives a request without its body (and answers 200: silent data loss).
 *
 * <ul>
 *   <li>{@link #retryAfterA503NeverSendsAnEmptyStreamingBody}: a streaming, not one-shot body (its writeTo copies
 *       from an InputStream that can be read once) is retried after a 503 and the retry sends 0 bytes.
 *   <li>{@link #sidecarFallbackNeverReplaysAConsumedOneShotBody}: the sidecar reads a one-shot PUT body and closes
 *       the connection; the direct fallback attempt replays the consumed body, the backend gets 0 bytes.
 * </ul>
 */
@Timeout(120)
class BodyReplayIT {

  private static final byte[] PAYLOAD = payload(20_000);

  private final List<AutoCloseable> closeables = new ArrayList<>();
  private @Nullable Mesh mesh;

  @AfterEach
  void tearDown() throws Exception {
    if (mesh != null) {
      mesh.close();
    }
    for (AutoCloseable c : closeables) {
      c.close();
    }
  }

  @Test
  void retryAfterA503NeverSendsAnEmptyStreamingBody() throws Exception {
    // two endpoints; whichever gets the call's first request answers 503 (retryable by default), every later
    // request is answered 200: the order of the picks does not matter
    AtomicInteger seen = new AtomicInteger();
    IntUnaryOperator status = n -> n == 0 ? 503 : 200;
    RecordingServer a = track(new RecordingServer("inventory-a", seen, status));
    RecordingServer b = track(new RecordingServer("inventory-b", seen, status));
    List<Received> received = new CopyOnWriteArrayList<>();
    a.sink = received;
    b.sink = received;
    mesh = Mesh.builder()
        .discovery(StaticServiceDiscovery.of(
            Endpoint.of("inventory", a.host(), a.port()), Endpoint.of("inventory", b.host(), b.port())))
        .config(MeshConfig.builder().service("inventory").build())
        .build();
    OkHttpClient http = mesh.newOkHttpClient();

    RequestBody body = readOnceBody(new ByteArrayInputStream(PAYLOAD), false);
    int code = -1;
    IOException failure = null;
    try (Response r = http.newCall(new Request.Builder().url("http://inventory/items/42").put(body).build())
        .execute()) {
      code = r.code();
    } catch (IOException e) {
      failure = e; // acceptable: the mesh may refuse to resend a body it cannot replay
    }

    assertThat(received).as("requests received (the first answered 503)").isNotEmpty();
    assertThat(received.get(0).status()).isEqualTo(503);
    assertThat(received)
        .as("body sizes received by the servers, in order, for a %d-byte PUT (call ended with %s)",
            PAYLOAD.length, failure == null ? "status " + code : failure.toString())
        .extracting(Received::size)
        .containsOnly(PAYLOAD.length);
    assertThat(received).allSatisfy(r -> assertThat(Arrays.equals(r.body(), PAYLOAD))
        .as("%s received the exact payload", r.server()).isTrue());
  }

  @Test
  void sidecarFallbackNeverReplaysAConsumedOneShotBody() throws Exception {
    List<Received> atBackend = new CopyOnWriteArrayList<>();
    RecordingServer backend = track(new RecordingServer("inventory-1", new AtomicInteger(), n -> 200));
    backend.sink = atBackend;
    SwallowingSidecar sidecar = track(new SwallowingSidecar());
    mesh = Mesh.builder()
        .discovery(StaticServiceDiscovery.of(Endpoint.of("inventory", backend.host(), backend.port())))
        .config(MeshConfig.builder().service("inventory", s -> s.set("route.mode", "sidecar")).build())
        .sidecar(SidecarConfig.builder()
            .address("127.0.0.1", sidecar.port())
            .readyUrl("http://127.0.0.1:" + sidecar.port() + "/ready")
            .probeInterval(Duration.ofMillis(200))
            .build())
        .build();
    Mesh m = mesh;
    await().atMost(Duration.ofSeconds(20)).until(() -> m.sidecarBridge().isReady());
    OkHttpClient http = mesh.newOkHttpClient();

    RequestBody body = readOnceBody(new ByteArrayInputStream(PAYLOAD), true);
    int code = -1;
    IOException failure = null;
    try (Response r = http.newCall(new Request.Builder().url("http://inventory/items/42").put(body).build())
        .execute()) {
      code = r.code();
    } catch (IOException e) {
      failure = e; // acceptable: the body is gone, the call cannot be made again
    }

    // the sidecar did consume the whole one-shot body (precondition of the defect)
    assertThat(sidecar.putBodySizes).as("body sizes the sidecar read").containsExactly(PAYLOAD.length);
    assertThat(atBackend)
        .as("body sizes the direct backend received after the sidecar closed the connection, for a %d-byte "
            + "one-shot PUT (call ended with %s)", PAYLOAD.length,
            failure == null ? "status " + code : failure.toString())
        .extracting(Received::size)
        .allMatch(size -> size == PAYLOAD.length, "the full " + PAYLOAD.length + " bytes");
  }

  /** Two servers; the call's first request gets 503, every later one 200; all requests land in {@code sink}. */
  private OkHttpClient twoServersFirst503(List<Received> sink, String bufferLimit, SimpleMeterRegistry registry)
      throws IOException {
    AtomicInteger seen = new AtomicInteger();
    IntUnaryOperator status = n -> n == 0 ? 503 : 200;
    RecordingServer a = track(new RecordingServer("inventory-a", seen, status));
    RecordingServer b = track(new RecordingServer("inventory-b", seen, status));
    a.sink = sink;
    b.sink = sink;
    mesh = Mesh.builder()
        .discovery(StaticServiceDiscovery.of(
            Endpoint.of("inventory", a.host(), a.port()), Endpoint.of("inventory", b.host(), b.port())))
        .config(MeshConfig.builder().service("inventory", s -> s
            .set("retry.buffer-limit", bufferLimit)
            .set("retry.non-idempotent", "true")).build())
        .meterRegistry(registry)
        .build();
    return mesh.newOkHttpClient();
  }

  @Test
  void aKnownLengthBodyWithinTheBufferLimitIsReadOnceAndResentWhole() throws Exception {
    List<Received> received = new CopyOnWriteArrayList<>();
    OkHttpClient http = twoServersFirst503(received, "64KiB", new SimpleMeterRegistry());

    RequestBody body = readOnceBody(new ByteArrayInputStream(PAYLOAD), true, PAYLOAD.length);
    try (Response r = http.newCall(new Request.Builder().url("http://inventory/items/42").post(body).build())
        .execute()) {
      assertThat(r.code()).as("the retry's answer").isEqualTo(200);
    }
    assertThat(received).extracting(Received::status).containsExactly(503, 200);
    assertThat(received).allSatisfy(r -> assertThat(Arrays.equals(r.body(), PAYLOAD))
        .as("%s received the exact %d-byte payload", r.server(), PAYLOAD.length).isTrue());
    assertThat(mesh.resilience("inventory").retriesSkippedForBody()).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"1KiB", "0"})
  void aBodyOverTheBufferLimitIsNotResentAndTheSkipIsCounted(String limit) throws Exception {
    List<Received> received = new CopyOnWriteArrayList<>();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    OkHttpClient http = twoServersFirst503(received, limit, registry);

    RequestBody body = readOnceBody(new ByteArrayInputStream(PAYLOAD), false, PAYLOAD.length);
    try (Response r = http.newCall(new Request.Builder().url("http://inventory/items/42").post(body).build())
        .execute()) {
      assertThat(r.code()).as("the failed attempt's answer is the call's: no second attempt").isEqualTo(503);
    }
    assertThat(received).extracting(Received::size).containsExactly(PAYLOAD.length);
    assertThat(mesh.resilience("inventory").retriesSkippedForBody()).isEqualTo(1);
    assertThat(registry.find(MetricNames.CLIENT_RETRY_SKIPPED).counter())
        .as("%s", MetricNames.CLIENT_RETRY_SKIPPED).isNotNull()
        .satisfies(c -> assertThat(c.count()).isEqualTo(1.0));
  }

  @Test
  void aBufferLimitAbove16MiBIsAConfigError() {
    assertThatThrownBy(() -> MeshConfig.fromProperties(
        java.util.Map.of("mesh.services.inventory.retry.buffer-limit", "17MiB")))
        .isInstanceOf(io.meshsdk.core.common.ConfigException.class)
        .hasMessageContaining("mesh.services.inventory.retry.buffer-limit");
  }

  // ---- helpers ------------------------------------------------------------------------------------------------

  private <T extends AutoCloseable> T track(T c) {
    closeables.add(c);
    return c;
  }

  private static byte[] payload(int size) {
    byte[] b = new byte[size];
    for (int i = 0; i < size; i++) {
      b[i] = (byte) ('a' + i % 26);
    }
    return b;
  }

  /** A streaming body (unknown length, chunked) that copies from {@code in}: the stream can be read once. */
  private static RequestBody readOnceBody(InputStream in, boolean oneShot) {
    return readOnceBody(in, oneShot, -1);
  }

  /** A body whose writeTo copies from {@code in} (readable once), announcing {@code length} (-1: unknown). */
  private static RequestBody readOnceBody(InputStream in, boolean oneShot, long length) {
    return new RequestBody() {
      @Override
      public MediaType contentType() {
        return MediaType.get("application/octet-stream");
      }

      @Override
      public long contentLength() {
        return length;
      }

      @Override
      public boolean isOneShot() {
        return oneShot;
      }

      @Override
      public void writeTo(BufferedSink sink) throws IOException {
        Source source = Okio.source(in);
        sink.writeAll(source);
      }
    };
  }

  /** One request as a server received it. */
  @SuppressWarnings("ArrayRecordComponent") // a test's record of bytes received; compared with Arrays.equals
  record Received(String server, int status, byte[] body) {
    int size() {
      return body.length;
    }
  }

  /**
   * A JDK HTTP server that reads and records every request body and answers with the status that
   * {@code status} gives for the request's number in {@code counter} (shared between servers).
   */
  static final class RecordingServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "test-recording-server");
      t.setDaemon(true);
      return t;
    });
    volatile List<Received> sink = new CopyOnWriteArrayList<>();

    RecordingServer(String name, AtomicInteger counter, IntUnaryOperator status) throws IOException {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
      server.setExecutor(executor);
      server.createContext("/", exchange -> {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
          body = in.readAllBytes();
        }
        int n = counter.getAndIncrement();
        int code = status.applyAsInt(n);
        sink.add(new Received(name, code, body));
        byte[] answer = (name + " got " + body.length + " bytes\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("x-backend", name);
        exchange.sendResponseHeaders(code, answer.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(answer);
        }
      });
      server.start();
    }

    String host() {
      return server.getAddress().getAddress().getHostAddress();
    }

    int port() {
      return server.getAddress().getPort();
    }

    @Override
    public void close() {
      server.stop(0);
      executor.shutdownNow();
    }
  }

  /**
   * A raw-socket fake sidecar: answers {@code GET /ready} with 200; for any other request reads the whole body
   * (Content-Length or chunked), records its size and closes the connection without a response, as a sidecar
   * that crashed mid-call. Connections that send nothing (the readiness TCP check) are just closed.
   */
  static final class SwallowingSidecar implements AutoCloseable {
    final List<Integer> putBodySizes = new CopyOnWriteArrayList<>();
    private final RawSocketServer raw = RawSocketServer.start("swallowing-sidecar", this::serve);

    int port() {
      return raw.port();
    }

    private void serve(Socket s) throws IOException {
      InputStream in = s.getInputStream();
      List<String> head = RawSocketServer.readHead(in);
      if (head == null) {
        return; // a bare TCP connect (readiness check)
      }
      if (head.get(0).startsWith("GET /ready ")) {
        s.getOutputStream().write(
            "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        return;
      }
      byte[] body = RawSocketServer.readBody(in, head);
      putBodySizes.add(body.length);
      // close without a response
    }

    @Override
    public void close() throws IOException {
      raw.close();
    }
  }}
