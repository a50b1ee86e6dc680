package io.meshsdk.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.testing.LoopbackBackend;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Regression tests for tracing:
 *
 * <ul>
 *   <li>{@link #traceparentOnTheApplicationsRequestIsContinued}: with no OpenTelemetry context current, a
 *       {@code traceparent} header the application put on its request is overwritten by a new trace.
 *   <li>{@link #tracingBuiltWithoutExporterStillStartsAndPropagatesTraces}: {@code MeshTracing.builder().build()}
 *       (no exporter, no processor) silently yields a no-op tracer: calls go out without {@code traceparent}.
 * </ul>
 */
class TraceContinuationIT {

  private static final int CALLS = 50;

  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private LoopbackBackend backend;
  private MeshTracing tracing;
  private Mesh mesh;

  @BeforeEach
  void startBackend() {
    backend = LoopbackBackend.start("inventory");
  }

  @AfterEach
  void tearDown() {
    if (mesh != null) {
      mesh.close();
    }
    if (tracing != null) {
      tracing.close();
    }
    backend.close();
  }

  private OkHttpClient meshWith(MeshTracing t) {
    tracing = t;
    mesh = Mesh.builder()
        .discovery(StaticServiceDiscovery.of(Endpoint.of("inventory", backend.host(), backend.port())))
        .observer(t.observer())
        .build();
    return mesh.newOkHttpClient();
  }

  private static String traceId(String traceparent) {
    String[] parts = traceparent.split("-");
    return parts.length == 4 ? parts[1] : "(malformed: " + traceparent + ")";
  }

  @Test
  void traceparentOnTheApplicationsRequestIsContinued() throws IOException {
    OkHttpClient http = meshWith(
        MeshTracing.builder().serviceName("a").addSpanProcessor(SimpleSpanProcessor.create(exporter)).build());
    assertThat(Span.current().getSpanContext().isValid()).as("no OpenTelemetry context is current").isFalse();

    SplittableRandom random = new SplittableRandom(5);
    HexFormat hex = HexFormat.of();
    List<String> mismatches = new ArrayList<>();
    int continued = 0;
    for (int i = 0; i < CALLS; i++) {
      String traceId = hex.formatHex(bytes(random, 16));
      String traceparent = "00-" + traceId + "-" + hex.formatHex(bytes(random, 8)) + "-01";
      Request request = new Request.Builder().url("http://inventory/items/" + i).header("traceparent", traceparent)
          .build();
      try (Response r = http.newCall(request).execute()) {
        assertThat(r.code()).isEqualTo(200);
      }
      String received = backend.lastHeader("traceparent");
      if (received != null && traceId(received).equals(traceId)) {
        continued++;
      } else if (mismatches.size() < 3) {
        mismatches.add("sent " + traceparent + ", backend got " + received);
      }
    }

    assertThat(continued)
        .as("calls whose backend request carried the trace id of the application's own traceparent header, "
            + "of %d (first mismatches: %s)", CALLS, mismatches)
        .isEqualTo(CALLS);
  }

  @Test
  void tracingBuiltWithoutExporterStillStartsAndPropagatesTraces() throws IOException {
    MeshTracing bare = MeshTracing.builder().build();
    assertThat(bare.isEnabled()).isTrue();
    OkHttpClient http = meshWith(bare);

    for (int i = 0; i < 3; i++) {
      try (Response r = http.newCall(new Request.Builder().url("http://inventory/items/" + i).build()).execute()) {
        assertThat(r.code()).isEqualTo(200);
      }
    }

    assertThat(backend.requests()).isEqualTo(3);
    List<String> received = backend.recentHeaders().stream()
        .map(h -> h.get("traceparent"))
        .map(values -> values == null || values.isEmpty() ? null : values.get(0))
        .toList();
    assertThat(received)
        .as("traceparent headers received by the backend from a mesh traced with MeshTracing.builder().build()")
        .hasSize(3)
        .doesNotContainNull()
        .allMatch(v -> v.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}"), "a W3C traceparent");
  }

  private static byte[] bytes(SplittableRandom random, int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }
}
