package io.meshsdk.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two real services on loopback: "A" (this test) calls "B" ({@link TracedServer}) through the mesh; both
 * export to one {@link InMemorySpanExporter}, as two processes would export to one collector.
 */
@SuppressWarnings("try") // scopes are used for their side effect
class MeshTracingIT {

  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private MeshTracing tracingA;
  private MeshTracing tracingB;
  private TracedServer b;
  private Mesh mesh;
  private OkHttpClient http;

  private void start(MeshTracing.Builder a) {
    start(a, io.meshsdk.core.config.MeshConfig.ofDefaults());
  }

  private void start(MeshTracing.Builder a, io.meshsdk.core.config.MeshConfig config) {
    tracingA = a.build();
    tracingB = MeshTracing.builder().serviceName("b").addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
    b = new TracedServer(tracingB.server());
    mesh = Mesh.builder()
        .discovery(StaticServiceDiscovery.of(Endpoint.of("inventory", b.host(), b.port())))
        .observer(tracingA.observer())
        .config(config)
        .build();
    http = mesh.newOkHttpClient();
  }

  private MeshTracing.Builder a() {
    return MeshTracing.builder().serviceName("a").addSpanProcessor(SimpleSpanProcessor.create(exporter));
  }

  @AfterEach
  void tearDown() {
    if (mesh != null) {
      mesh.close();
    }
    if (b != null) {
      b.close();
    }
    if (tracingA != null) {
      tracingA.close();
    }
    if (tracingB != null) {
      tracingB.close();
    }
  }

  private int get(String url) throws IOException {
    try (Response r = http.newCall(new Request.Builder().url(url).build()).execute()) {
      return r.code();
    }
  }

  private List<SpanData> awaitSpans(int n) {
    await().atMost(Duration.ofSeconds(5)).until(() -> exporter.getFinishedSpanItems().size() >= n);
    return exporter.getFinishedSpanItems();
  }

  /** The one span of {@code kind} the mesh or server made (the test's own spans are named otherwise). */
  private static SpanData kind(List<SpanData> spans, SpanKind kind) {
    return spans.stream()
        .filter(s -> s.getKind() == kind && s.getName().startsWith("GET"))
        .reduce((x, y) -> {
          throw new AssertionError("two " + kind + " spans: " + x + ", " + y);
        })
        .orElseThrow();
  }

  @Test
  void serverSpanOfBIsTheChildOfTheAttemptSpanOfA() throws IOException {
    start(a());
    Span app = tracingA.openTelemetry().getTracer("test").spanBuilder("handle order").startSpan();
    try (Scope ignored = app.makeCurrent()) {
      assertThat(get("http://inventory/items/42?x=1")).isEqualTo(200);
    } finally {
      app.end();
    }
    List<SpanData> spans = awaitSpans(3);
    System.out.println("trace of a sample call A -> B:\n" + SpanTrees.render(spans));

    assertThat(spans).as("the application's span, one attempt, B's server span: no span for the call itself")
        .hasSize(3);
    SpanData attempt = kind(spans, SpanKind.CLIENT);
    SpanData server = kind(spans, SpanKind.SERVER);
    assertThat(spans).extracting(SpanData::getTraceId).containsOnly(app.getSpanContext().getTraceId());
    assertThat(attempt.getParentSpanId()).isEqualTo(app.getSpanContext().getSpanId());
    assertThat(server.getParentSpanId()).isEqualTo(attempt.getSpanId());
    assertThat(server.getSpanContext().isRemote()).isFalse();

    assertThat(attempt.getName()).isEqualTo("GET");
    assertThat(attempt.getAttributes().get(SemanticAttributes.MESH_SERVICE)).isEqualTo("inventory");
    var at = attempt.getAttributes();
    assertThat(at.get(SemanticAttributes.HTTP_REQUEST_METHOD)).isEqualTo("GET");
    assertThat(at.get(SemanticAttributes.SERVER_ADDRESS)).isEqualTo(b.host());
    assertThat(at.get(SemanticAttributes.SERVER_PORT)).isEqualTo((long) b.port());
    assertThat(at.get(SemanticAttributes.URL_FULL))
        .isEqualTo("http://" + b.host() + ":" + b.port() + "/items/42?x=1");
    assertThat(at.get(SemanticAttributes.HTTP_RESPONSE_STATUS_CODE)).isEqualTo(200L);
    assertThat(at.get(SemanticAttributes.HTTP_REQUEST_RESEND_COUNT)).isNull();
    assertThat(at.get(SemanticAttributes.MESH_ROUTE)).isEqualTo("direct");
    assertThat(at.get(SemanticAttributes.MESH_ENDPOINT_ID)).isEqualTo(b.host() + ":" + b.port());
    assertThat(server.getAttributes().get(SemanticAttributes.URL_PATH)).isEqualTo("/items/42");
    // flags: sampled (01), plus W3C level 2's random-trace-id bit (02) that the SDK sets
    assertThat(b.requests().get(0).headers().get("traceparent"))
        .matches("00-" + attempt.getTraceId() + "-" + attempt.getSpanId() + "-0[13]");
  }

  @Test
  void aCallWithoutParentStartsATraceAndA5xxMarksBothSidesAsErrors() throws IOException {
    start(a(), io.meshsdk.core.config.MeshConfig.builder()
        .service("inventory", s -> s.set("retry.enabled", "false")) // one attempt: one CLIENT span
        .build());
    b.status = 503;
    assertThat(get("http://inventory/x")).isEqualTo(503);
    List<SpanData> spans = awaitSpans(2);
    SpanData attempt = kind(spans, SpanKind.CLIENT);
    SpanData server = kind(spans, SpanKind.SERVER);
    assertThat(attempt.getParentSpanContext().isValid()).as("the attempt starts the trace").isFalse();
    assertThat(server.getParentSpanId()).isEqualTo(attempt.getSpanId());
    assertThat(attempt.getAttributes().get(SemanticAttributes.ERROR_TYPE)).isEqualTo("503");
    assertThat(attempt.getStatus().getStatusCode()).isEqualTo(io.opentelemetry.api.trace.StatusCode.ERROR);
    assertThat(server.getStatus().getStatusCode()).isEqualTo(io.opentelemetry.api.trace.StatusCode.ERROR);
    assertThat(attempt.getAttributes().get(SemanticAttributes.HTTP_RESPONSE_STATUS_CODE)).isEqualTo(503L);
  }

  @Test
  void aRetriedCallShowsOneAttemptSpanPerTryWithResendCountAndEachServerSpanUnderItsAttempt()
      throws IOException {
    start(a());
    b.failNext.set(1); // the first attempt gets a 503, the engine retries (GET is idempotent)
    assertThat(get("http://inventory/items")).isEqualTo(200);
    List<SpanData> spans = awaitSpans(4);
    System.out.println("trace of a retried call:\n" + SpanTrees.render(spans));
    List<SpanData> attempts = spans.stream().filter(s -> s.getKind() == SpanKind.CLIENT)
        .sorted(java.util.Comparator.comparingLong(SpanData::getStartEpochNanos)).toList();
    List<SpanData> servers = spans.stream().filter(s -> s.getKind() == SpanKind.SERVER).toList();
    assertThat(attempts).hasSize(2);
    // no parent: the first attempt starts the trace and its retry is its child, in the same trace
    assertThat(attempts.get(0).getParentSpanContext().isValid()).isFalse();
    assertThat(attempts.get(1).getParentSpanId()).isEqualTo(attempts.get(0).getSpanId());
    assertThat(spans).extracting(SpanData::getTraceId).containsOnly(attempts.get(0).getTraceId());
    assertThat(attempts.get(0).getAttributes().get(SemanticAttributes.HTTP_RESPONSE_STATUS_CODE)).isEqualTo(503L);
    assertThat(attempts.get(0).getAttributes().get(SemanticAttributes.HTTP_REQUEST_RESEND_COUNT)).isNull();
    assertThat(attempts.get(1).getAttributes().get(SemanticAttributes.HTTP_RESPONSE_STATUS_CODE)).isEqualTo(200L);
    assertThat(attempts.get(1).getAttributes().get(SemanticAttributes.HTTP_REQUEST_RESEND_COUNT)).isEqualTo(1L);
    assertThat(attempts.get(0).getEvents()).extracting(e -> e.getName()).contains("mesh.retry");
    assertThat(servers).extracting(SpanData::getParentSpanId)
        .containsExactlyInAnyOrder(attempts.get(0).getSpanId(), attempts.get(1).getSpanId());
  }

  @Test
  void theEventsOfAnAttemptThatFailedWithAnIoErrorLieInsideItsSpan() throws Exception {
    tracingA = a().build();
    java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();
    // the first connection reads the request and closes without an answer (an I/O error, retried for a GET); the
    // engine reports that attempt's end, then its retry: the span must end after both its events
    try (io.meshsdk.testing.RawSocketServer server = io.meshsdk.testing.RawSocketServer.start("close-first",
        socket -> {
          if (io.meshsdk.testing.RawSocketServer.readHead(socket.getInputStream()) == null
              || connections.getAndIncrement() == 0) {
            return;
          }
          socket.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
              .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
          socket.getOutputStream().flush();
        })) {
      mesh = Mesh.builder()
          .discovery(StaticServiceDiscovery.of(Endpoint.of("inventory", "127.0.0.1", server.port())))
          .observer(tracingA.observer())
          .build();
      http = mesh.newOkHttpClient();
      try (Response r = http.newCall(new Request.Builder().url("http://inventory/items").build()).execute()) {
        assertThat(r.code()).isEqualTo(200);
        assertThat(r.body().string()).isEqualTo("ok");
      }
    }
    List<SpanData> attempts = awaitSpans(2).stream()
        .sorted(java.util.Comparator.comparingLong(SpanData::getStartEpochNanos)).toList();
    SpanData failed = attempts.get(0);
    assertThat(failed.getEvents()).extracting(io.opentelemetry.sdk.trace.data.EventData::getName)
        .containsExactly("exception", "mesh.retry");
    assertThat(failed.getEvents()).allSatisfy(e -> assertThat(e.getEpochNanos())
        .as("%s at %d, the span ended at %d", e.getName(), e.getEpochNanos(), failed.getEndEpochNanos())
        .isLessThanOrEqualTo(failed.getEndEpochNanos()));
    assertThat(failed.getEndEpochNanos()).isLessThanOrEqualTo(attempts.get(1).getStartEpochNanos());
  }

  @Test
  void aResponseNobodyReadsOrClosesStillEndsItsSpanAfterTheDeadline() throws Exception {
    tracingA = a().build();
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    // a 200 whose body stalls after 10 of its 1000 bytes, until the test is over
    try (io.meshsdk.testing.RawSocketServer server = io.meshsdk.testing.RawSocketServer.start("stall", socket -> {
      if (io.meshsdk.testing.RawSocketServer.readHead(socket.getInputStream()) == null) {
        return;
      }
      socket.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789"
          .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      release.await();
    })) {
      mesh = Mesh.builder()
          .discovery(StaticServiceDiscovery.of(Endpoint.of("inventory", "127.0.0.1", server.port())))
          .observer(tracingA.observer())
          .config(io.meshsdk.core.config.MeshConfig.builder()
              .service("inventory", c -> c.set("timeout.call", "300ms").set("retry.enabled", "false")).build())
          .build();
      http = mesh.newOkHttpClient();
      Response left = http.newCall(new Request.Builder().url("http://inventory/big").build()).execute();
      assertThat(left.code()).isEqualTo(200); // and then left: neither read nor closed
      SpanData attempt = kind(awaitSpans(1), SpanKind.CLIENT);
      assertThat(attempt.getStatus().getStatusCode()).isEqualTo(io.opentelemetry.api.trace.StatusCode.ERROR);
      assertThat(attempt.getAttributes().get(SemanticAttributes.HTTP_RESPONSE_STATUS_CODE)).isEqualTo(200L);
      assertThat(attempt.getEvents()).extracting(io.opentelemetry.sdk.trace.data.EventData::getName)
          .contains("mesh.deadline_exceeded");
      left.close();
      release.countDown();
    }
  }

  @Test
  void aBodyCutShortAfterA200MarksTheAttemptsSpanAsAnError() throws Exception {
    tracingA = a().build();
    // a server that answers 200 with Content-Length 1000, sends 10 bytes of it and closes the connection
    try (java.net.ServerSocket server = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      Thread t = new Thread(() -> {
        try (java.net.Socket socket = server.accept()) {
          java.io.InputStream in = socket.getInputStream();
          byte[] buf = new byte[4096];
          StringBuilder head = new StringBuilder();
          while (head.indexOf("\r\n\r\n") < 0) {
            int n = in.read(buf);
            if (n < 0) {
              return;
            }
            head.append(new String(buf, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1));
          }
          String cut = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789";
          socket.getOutputStream().write(cut.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
          socket.getOutputStream().flush();
        } catch (IOException e) {
          // the test fails on the client side if the server could not answer
        }
      }, "truncating-server");
      t.start();
      mesh = Mesh.builder()
          .discovery(StaticServiceDiscovery.of(Endpoint.of("inventory", "127.0.0.1", server.getLocalPort())))
          .observer(tracingA.observer())
          .config(io.meshsdk.core.config.MeshConfig.builder()
              .service("inventory", c -> c.set("retry.enabled", "false")).build())
          .build();
      http = mesh.newOkHttpClient();
      try (Response r = http.newCall(new Request.Builder().url("http://inventory/big").build()).execute()) {
        assertThat(r.code()).isEqualTo(200);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> r.body().bytes()).isInstanceOf(IOException.class);
      }
      t.join(5_000);
    }
    List<SpanData> spans = awaitSpans(1);
    assertThat(spans).hasSize(1);
    SpanData attempt = spans.get(0);
    assertThat(attempt.getKind()).isEqualTo(SpanKind.CLIENT);
    assertThat(attempt.getAttributes().get(SemanticAttributes.HTTP_RESPONSE_STATUS_CODE)).isEqualTo(200L);
    assertThat(attempt.getStatus().getStatusCode()).isEqualTo(io.opentelemetry.api.trace.StatusCode.ERROR);
    assertThat(attempt.getAttributes().get(SemanticAttributes.ERROR_TYPE)).isNotBlank();
  }

  @Test
  void baggageArrivesAtTheServer() throws IOException {
    start(a());
    Context ctx = Baggage.builder().put("tenant", "acme").put("user", "u-7").build().storeInContext(Context.current());
    try (Scope ignored = ctx.makeCurrent()) {
      get("http://inventory/items");
    }
    TracedServer.Received r = b.requests().get(0);
    assertThat(r.baggage().getEntryValue("tenant")).isEqualTo("acme");
    assertThat(r.baggage().getEntryValue("user")).isEqualTo("u-7");
    assertThat(r.headers().get("baggage")).contains("tenant=acme");
  }

  @Test
  void aSampledOutParentIsPropagatedWithFlags00AndNoSpanIsRecorded() throws IOException {
    start(a());
    SpanContext parent = SpanContext.create(
        "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", TraceFlags.getDefault(), TraceState.getDefault());
    try (Scope ignored = Context.current().with(Span.wrap(parent)).makeCurrent()) {
      get("http://inventory/items");
    }
    assertThat(b.requests().get(0).headers().get("traceparent"))
        .isEqualTo("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
    assertThat(b.requests().get(0).serverSpan().isSampled()).isFalse();
    assertThat(tracingB.flush(1000)).isTrue();
    assertThat(exporter.getFinishedSpanItems()).isEmpty();
  }

  @Test
  void aSampledOutRootSendsNoTraceHeadersAndRecordsNothing() throws IOException {
    start(a().samplerRatio(0.0));
    get("http://inventory/items");
    assertThat(b.requests().get(0).headers()).doesNotContainKey("traceparent");
    // B starts a trace of its own (its sampler says yes); A recorded nothing
    SpanData server = awaitSpans(1).get(0);
    assertThat(server.getKind()).isEqualTo(SpanKind.SERVER);
    assertThat(server.getParentSpanContext().isValid()).isFalse();
    assertThat(exporter.getFinishedSpanItems()).hasSize(1);
  }

  @Test
  void b3HeadersAreAddedOnRequest() throws IOException {
    start(a().b3(true));
    get("http://inventory/items");
    SpanData attempt = kind(awaitSpans(2), SpanKind.CLIENT);
    var headers = b.requests().get(0).headers();
    assertThat(headers.get("X-B3-TraceId")).isEqualTo(attempt.getTraceId());
    assertThat(headers.get("X-B3-SpanId")).isEqualTo(attempt.getSpanId());
    assertThat(headers.get("traceparent")).contains(attempt.getSpanId());
  }

  @Test
  void jdkSendAsyncKeepsTheCallersSpanAsTheAttemptsParent() throws Exception {
    start(a());
    java.net.http.HttpClient jdk = mesh.newHttpClient(java.net.http.HttpClient.newHttpClient());
    Span app = tracingA.openTelemetry().getTracer("test").spanBuilder("async caller").startSpan();
    CompletableFuture<java.net.http.HttpResponse<String>> response;
    try (Scope ignored = app.makeCurrent()) {
      response = jdk.sendAsync(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://inventory/async"))
          .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    } finally {
      app.end();
    }
    assertThat(response.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    List<SpanData> spans = awaitSpans(3);
    SpanData attempt = kind(spans, SpanKind.CLIENT);
    assertThat(attempt.getParentSpanId()).as("the caller's span, across the executor's thread")
        .isEqualTo(app.getSpanContext().getSpanId());
    assertThat(attempt.getTraceId()).isEqualTo(app.getSpanContext().getTraceId());
  }

  @Test
  void asyncCallsKeepTheCallersContextAcrossOkHttpThreads() throws Exception {
    start(a());
    Call.Factory calls = mesh.callFactory(http);
    Span app = tracingA.openTelemetry().getTracer("test").spanBuilder("async caller").startSpan();
    CompletableFuture<Integer> done = new CompletableFuture<>();
    try (Scope ignored = app.makeCurrent()) {
      calls.newCall(new Request.Builder().url("http://inventory/async").build()).enqueue(new Callback() {
        @Override
        public void onFailure(Call call, IOException e) {
          done.completeExceptionally(e);
        }

        @Override
        public void onResponse(Call call, Response response) {
          response.close();
          done.complete(response.code());
        }
      });
    } finally {
      app.end();
    }
    assertThat(done.get(5, TimeUnit.SECONDS)).isEqualTo(200);
    List<SpanData> spans = awaitSpans(3);
    SpanData attempt = kind(spans, SpanKind.CLIENT);
    assertThat(attempt.getTraceId()).isEqualTo(app.getSpanContext().getTraceId());
    assertThat(attempt.getParentSpanId()).isEqualTo(app.getSpanContext().getSpanId());
    assertThat(kind(spans, SpanKind.SERVER).getTraceId()).isEqualTo(app.getSpanContext().getTraceId());
  }

  @Test
  void aCallTheMeshRejectsShowsTheRejectionOnTheCallSpan() {
    start(a());
    try (Mesh empty = Mesh.builder()
        .config(io.meshsdk.core.config.MeshConfig.builder().service("ledger").build())
        .observer(tracingA.observer())
        .build()) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> empty.newOkHttpClient()
              .newCall(new Request.Builder().url("http://ledger/x").build()).execute())
          .isInstanceOf(io.meshsdk.core.client.NoEndpointAvailableException.class);
    }
    List<SpanData> spans = awaitSpans(1);
    assertThat(spans).hasSize(1);
    SpanData call = spans.get(0);
    assertThat(call.getName()).isEqualTo("GET ledger");
    assertThat(call.getStatus().getStatusCode()).isEqualTo(io.opentelemetry.api.trace.StatusCode.ERROR);
    assertThat(call.getAttributes().get(SemanticAttributes.ERROR_TYPE))
        .isEqualTo(io.meshsdk.core.client.NoEndpointAvailableException.class.getName());
    assertThat(SpanTrees.render(spans)).contains("GET ledger [INTERNAL]").contains("ERROR");
  }

  @Test
  void disabledTracingIsTheNoopObserverAndSendsNothing() throws IOException {
    MeshTracing off = MeshTracing.builder().enabled(false).build();
    assertThat(off.observer()).isSameAs(io.meshsdk.core.observe.MeshObserver.NOOP);
    start(MeshTracing.builder().enabled(false));
    get("http://inventory/items");
    assertThat(b.requests().get(0).headers()).doesNotContainKey("traceparent");
  }
}
