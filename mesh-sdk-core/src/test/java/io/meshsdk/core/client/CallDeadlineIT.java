package io.meshsdk.core.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.endpoint.EndpointState;
import io.meshsdk.core.resilience.DeadlineExceededException;
import io.meshsdk.core.sidecar.SidecarConfig;
import io.meshsdk.testing.LoopbackBackend;
import io.meshsdk.testing.RawSocketServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression tests (each failed before the fix): {@code timeout.call} does not bound a server that trickles bytes. Each read returns
 * within the per-read timeout, so a call with a 1 s deadline lasts as long as the server keeps trickling; the
 * body is not bounded at all. The server trickles one byte every ~100 ms for about 6 s and records whether the
 * client went away (a write failed) before it finished.
 *
 * <ul>
 *   <li>{@link #trickledHeadersAreCutAtTheCallDeadline}: direct route, response headers trickled.
 *   <li>{@link #trickledBodyIsCutAtTheCallDeadline}: direct route, headers at once, body trickled.
 *   <li>{@link #trickledHeadersAreCutAtTheCallDeadlineViaTheSidecar}: sidecar route, headers trickled.
 *   <li>{@link #trickledBodyIsCutAtTheCallDeadlineViaTheSidecar}: sidecar route, body trickled.
 * </ul>
 */
@Timeout(120)
class CallDeadlineIT {

  /** Bytes trickled, one per {@link #PACE_MILLIS}: about 6 s in all, far beyond the 1 s deadline. */
  private static final int TRICKLED = 60;
  private static final long PACE_MILLIS = 100;

  private TricklingServer server;
  private LoopbackBackend admin;
  private LoopbackBackend backend;
  private @Nullable Mesh mesh;
  private OkHttpClient http;

  @BeforeEach
  void setUp() throws IOException {
    server = new TricklingServer();
    admin = LoopbackBackend.start("sidecar-admin");
    backend = LoopbackBackend.start("inventory-direct");
  }

  @AfterEach
  void tearDown() throws IOException {
    if (mesh != null) {
      mesh.close();
    }
    server.close();
    admin.close();
    backend.close();
  }

  /** Direct: the trickling server is the endpoint. Sidecar: it is the sidecar's listener. */
  private void start(boolean viaSidecar) {
    Endpoint endpoint = viaSidecar
        ? Endpoint.of("inventory", backend.host(), backend.port())
        : Endpoint.of("inventory", "127.0.0.1", server.port());
    Mesh.Builder b = Mesh.builder()
        .discovery(StaticServiceDiscovery.of(endpoint))
        .config(MeshConfig.builder().service("inventory", s -> s
            .set("timeout.call", "1s")
            .set("route.mode", viaSidecar ? "sidecar" : "direct")).build());
    if (viaSidecar) {
      b.sidecar(SidecarConfig.builder()
          .address("127.0.0.1", server.port())
          .readyUrl(admin.baseUrl() + "/ready")
          .probeInterval(Duration.ofMillis(200))
          .build());
    }
    Mesh m = b.build();
    mesh = m;
    if (viaSidecar) {
      await().atMost(Duration.ofSeconds(20)).until(() -> m.sidecarBridge().isReady());
    }
    // OkHttp's own timeouts far beyond the trickle: only the mesh deadline can cut the call
    http = m.newOkHttpClient(new OkHttpClient.Builder()
        .readTimeout(Duration.ofMinutes(5))
        .writeTimeout(Duration.ofMinutes(5))
        .build());
  }

  private Request request() {
    return new Request.Builder().url("http://inventory/items/42").build();
  }

  private void assertHeadersTrickleIsCut() {
    server.trickleHeaders = true;
    String[] result = {"no response"};
    Throwable failure = catchThrowable(() -> {
      try (Response r = http.newCall(request()).execute()) {
        result[0] = "status " + r.code() + ", body '" + r.body().string() + "'";
      }
    });
    assertThat(failure)
        .as("failure of a call with timeout.call=1s to a server that trickles its response head for ~%d ms "
            + "(the call got: %s)", TRICKLED * PACE_MILLIS, result[0])
        .isInstanceOf(DeadlineExceededException.class);
    assertThat(mesh.resilience("inventory").deadlineExceeded()).isEqualTo(1);
    assertClientWentAwayBeforeTheServerFinished();
  }

  private void assertBodyTrickleIsCut() throws IOException {
    server.trickleHeaders = false;
    try (Response r = http.newCall(request()).execute()) {
      assertThat(r.code()).isEqualTo(200);
      int[] read = {-1};
      Throwable failure = catchThrowable(() -> read[0] = r.body().bytes().length);
      assertThat(failure)
          .as("failure reading, with timeout.call=1s, a body trickled for ~%d ms (bytes read: %d of %d)",
              TRICKLED * PACE_MILLIS, read[0], TRICKLED)
          .isInstanceOf(DeadlineExceededException.class);
    }
    assertThat(mesh.resilience("inventory").deadlineExceeded()).isEqualTo(1);
    assertClientWentAwayBeforeTheServerFinished();
  }

  private void assertClientWentAwayBeforeTheServerFinished() {
    assertThat(backend.requests()).as("requests at the direct endpoint (sidecar route: none expected)").isZero();
    await().atMost(Duration.ofSeconds(30))
        .until(() -> server.clientGone.getCount() == 0 || server.finished.getCount() == 0);
    assertThat(server.clientGone.getCount())
        .as("the server saw the client go away (a write failed) before it finished trickling")
        .isZero();
  }

  @Test
  void trickledHeadersAreCutAtTheCallDeadline() {
    start(false);
    assertHeadersTrickleIsCut();
  }

  @Test
  void trickledBodyIsCutAtTheCallDeadline() throws IOException {
    start(false);
    assertBodyTrickleIsCut();
  }

  @Test
  void aResponseNobodyReadsOrClosesIsEndedAtItsDeadlineAndReleasesItsPermit() throws IOException {
    server.trickleHeaders = false;
    Mesh m = Mesh.builder()
        .discovery(StaticServiceDiscovery.of(Endpoint.of("inventory", "127.0.0.1", server.port())))
        .config(MeshConfig.builder().service("inventory", s -> s
            .set("timeout.call", "1s")
            .set("bulkhead.max-concurrent-calls", "1")).build())
        .build();
    mesh = m;
    http = m.newOkHttpClient(new OkHttpClient.Builder().readTimeout(Duration.ofMinutes(5)).build());
    Response left = http.newCall(request()).execute(); // a caller bug: the body is neither read nor closed
    assertThat(left.code()).isEqualTo(200);
    // the call ends at its deadline (and a grace for a reader to wake up), not never: its bulkhead permit is back
    await().atMost(Duration.ofSeconds(20)).until(() -> m.resilience("inventory").deadlineExceeded() == 1);
    EndpointState endpoint = m.endpoints("inventory").get(0);
    assertThat("successes=" + endpoint.successes() + ", failures=" + endpoint.failures())
        .as("a body the caller left says nothing about the endpoint").isEqualTo("successes=0, failures=0");
    try (Response next = http.newCall(request()).execute()) {
      assertThat(next.code()).as("a second call, admitted by the bulkhead of 1").isEqualTo(200);
    }
    assertThat(catchThrowable(() -> left.body().bytes()))
        .as("a read of the left body after its deadline").isInstanceOf(DeadlineExceededException.class);
    left.close();
    await().atMost(Duration.ofSeconds(30))
        .until(() -> server.clientGone.getCount() == 0 || server.finished.getCount() == 0);
    assertThat(server.clientGone.getCount()).as("the connection was closed at the deadline").isZero();
  }

  @Test
  void trickledHeadersAreCutAtTheCallDeadlineViaTheSidecar() {
    start(true);
    assertHeadersTrickleIsCut();
  }

  @Test
  void trickledBodyIsCutAtTheCallDeadlineViaTheSidecar() throws IOException {
    start(true);
    assertBodyTrickleIsCut();
  }

  /**
   * A raw-socket server that answers each request 200 with either its {@link #TRICKLED}-byte head trickled one
   * byte at a time (then a 2-byte body) or its head at once and a {@link #TRICKLED}-byte body trickled. {@link #clientGone} opens when a write fails, {@link #finished} when everything was sent.
   * Connections that send no request (the sidecar's TCP readiness check) are closed.
   */
  static final class TricklingServer implements AutoCloseable {
    volatile boolean trickleHeaders;
    final CountDownLatch clientGone = new CountDownLatch(1);
    final CountDownLatch finished = new CountDownLatch(1);
    private final RawSocketServer raw = RawSocketServer.start("trickling", this::serve);

    int port() {
      return raw.port();
    }

    private void serve(Socket s) throws IOException, InterruptedException {
      if (RawSocketServer.readHead(s.getInputStream()) == null) {
        return;
      }
      OutputStream out = s.getOutputStream();
      byte[] now;
      byte[] trickled;
      if (trickleHeaders) {
        String head = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nx-trickle: ";
        trickled = (head + "a".repeat(Math.max(1, TRICKLED - head.length() - 4)) + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII); // the whole head is trickled: TRICKLED bytes
        now = new byte[0];
      } else {
        now = ("HTTP/1.1 200 OK\r\nContent-Length: " + TRICKLED + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        trickled = "b".repeat(TRICKLED).getBytes(StandardCharsets.US_ASCII);
      }
      try {
        out.write(now);
        out.flush();
        for (byte b : trickled) {
          out.write(b);
          out.flush();
          Thread.sleep(PACE_MILLIS); // the simulated slow server's pace, not a test wait
        }
        if (trickleHeaders) {
          out.write("ok".getBytes(StandardCharsets.US_ASCII));
          out.flush();
        }
      } catch (IOException e) {
        clientGone.countDown();
        return;
      }
      finished.countDown();
    }

    @Override
    public void close() throws IOException {
      raw.close();
    }
  }
}
