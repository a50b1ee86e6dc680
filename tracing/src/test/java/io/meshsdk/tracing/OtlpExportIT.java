package io.meshsdk.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.meshsdk.core.Mesh;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.testing.LoopbackBackend;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * OTLP/HTTP export to a real receiver on loopback: an in-test HTTP server at {@code /v1/traces} that decodes
 * each request with the {@code opentelemetry-proto} classes (no collector is packaged for Debian here).
 */
class OtlpExportIT {

  private record Export(Map<String, String> headers, String contentType, ExportTraceServiceRequest request) {}

  private final ConcurrentLinkedQueue<Export> exports = new ConcurrentLinkedQueue<>();
  private HttpServer receiver;
  private LoopbackBackend backend;

  @BeforeEach
  void setUp() throws IOException {
    receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    receiver.createContext("/v1/traces", exchange -> {
      try (InputStream in = exchange.getRequestBody()) {
        ExportTraceServiceRequest req = ExportTraceServiceRequest.parseFrom(in.readAllBytes());
        exports.add(new Export(
            Map.of("x-api-key", String.valueOf(exchange.getRequestHeaders().getFirst("x-api-key"))),
            String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type")),
            req));
        byte[] body = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
        exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
        exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
          exchange.getResponseBody().write(body);
        }
      } finally {
        exchange.close();
      }
    });
    receiver.start();
    backend = LoopbackBackend.start("inventory-1");
  }

  @AfterEach
  void tearDown() {
    receiver.stop(0);
    backend.close();
  }

  @Test
  void spansAreExportedOverOtlpHttpWithResourceAndHeaders() throws IOException {
    String endpoint = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/v1/traces";
    String traceparent;
    try (MeshTracing tracing = MeshTracing.builder()
            .otlpEndpoint(endpoint)
            .otlpHeader("x-api-key", "secret-key")
            .serviceName("orders")
            .serviceVersion("1.4.2")
            .deploymentEnvironment("test")
            .build();
        Mesh mesh = Mesh.builder()
            .discovery(StaticServiceDiscovery.of(Endpoint.of("inventory", backend.host(), backend.port())))
            .observer(tracing.observer())
            .build()) {
      try (Response r = mesh.newOkHttpClient()
          .newCall(new Request.Builder().url("http://inventory/items/7").build()).execute()) {
        assertThat(r.code()).isEqualTo(200);
      }
      traceparent = backend.lastHeader("traceparent");
      assertThat(tracing.flush(10_000)).isTrue();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> !exports.isEmpty());

    Export export = exports.peek();
    assertThat(export.headers()).containsEntry("x-api-key", "secret-key");
    assertThat(export.contentType()).isEqualTo("application/x-protobuf");
    List<ResourceSpans> resourceSpans = exports.stream()
        .flatMap(e -> e.request().getResourceSpansList().stream()).toList();
    Map<String, String> resource = resourceSpans.get(0).getResource().getAttributesList().stream()
        .collect(Collectors.toMap(KeyValue::getKey, kv -> kv.getValue().getStringValue(), (x, y) -> x));
    assertThat(resource)
        .containsEntry("service.name", "orders")
        .containsEntry("service.version", "1.4.2")
        .containsEntry("deployment.environment", "test");
    List<Span> spans = resourceSpans.stream()
        .flatMap(rs -> rs.getScopeSpansList().stream())
        .peek(ss -> assertThat(ss.getScope().getName()).isEqualTo(MeshTracing.INSTRUMENTATION_NAME))
        .flatMap(ss -> ss.getSpansList().stream())
        .toList();
    assertThat(spans).extracting(Span::getName).containsExactly("GET");
    Span attempt = spans.get(0);
    assertThat(attempt.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_CLIENT);
    HexFormat hex = HexFormat.of();
    assertThat(attempt.getParentSpanId().isEmpty()).as("a root call: its attempt starts the trace").isTrue();
    // what the backend received is what was exported
    assertThat(traceparent).startsWith("00-" + hex.formatHex(attempt.getTraceId().toByteArray())
        + "-" + hex.formatHex(attempt.getSpanId().toByteArray()) + "-");
    assertThat(attempt.getAttributesList()).anySatisfy(kv -> {
      assertThat(kv.getKey()).isEqualTo("http.response.status_code");
      assertThat(kv.getValue().getIntValue()).isEqualTo(200);
    });
  }
}
