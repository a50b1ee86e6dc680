package io.meshsdk.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.IOException;
import java.util.List;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Regression tests: a passive ejection is reported on the request thread, so the tracing observer adds
 * {@code mesh.endpoint.ejected} to whatever span is current there: the application's own span. No sockets: the
 * mesh client's base client ends the chain with an interceptor that answers in-process (503 for one endpoint's
 * port, 200 for the other's).
 *
 * <ul>
 *   <li>{@link #anEjectionTriggeredByCallsDoesNotAddAnEventToTheCallersSpan}: calls made while a user span is
 *       current eject an endpoint; the user's span gets no ejection event (before the fix: it gets
 *       {@code mesh.endpoint.ejected}).
 * </ul>
 */
@SuppressWarnings("try") // the scope is used for its side effect
class EjectionSpanTest {

  private static final int BAD_PORT = 41001;
  private static final int GOOD_PORT = 41002;

  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private MeshTracing tracing;
  private Mesh mesh;
  private OkHttpClient http;

  @BeforeEach
  void setUp() {
    tracing = MeshTracing.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
    mesh = Mesh.builder()
        .discovery(StaticServiceDiscovery.of(
            Endpoint.of("inventory", "127.0.0.1", BAD_PORT), Endpoint.of("inventory", "127.0.0.1", GOOD_PORT)))
        .config(MeshConfig.builder().service("inventory", s -> s
            .set("lb.policy", "round-robin")
            .set("retry.enabled", "false")
            .set("outlier.consecutive-failures", "2")
            .set("outlier.max-ejection-time", "1h")
            .set("outlier.base-ejection-time", "1h")).build())
        .observer(tracing.observer())
        .build();
    OkHttpClient inProcess = new OkHttpClient.Builder()
        .addInterceptor(chain -> new Response.Builder()
            .request(chain.request())
            .protocol(Protocol.HTTP_1_1)
            .code(chain.request().url().port() == BAD_PORT ? 503 : 200)
            .message("in-process")
            .body(ResponseBody.create("", null))
            .build())
        .build();
    http = mesh.newOkHttpClient(inProcess); // the mesh interceptor runs first, then the in-process answer
  }

  @AfterEach
  void tearDown() {
    mesh.close();
    tracing.close();
  }

  @Test
  void anEjectionTriggeredByCallsDoesNotAddAnEventToTheCallersSpan() throws IOException {
    Span user = tracing.openTelemetry().getTracer("test").spanBuilder("user request").startSpan();
    try (Scope ignored = user.makeCurrent()) {
      for (int i = 0; i < 20 && mesh.resilience("inventory").ejections() == 0; i++) {
        try (Response r = http.newCall(new Request.Builder().url("http://inventory/x").build()).execute()) {
          r.body().string();
        }
      }
    } finally {
      user.end();
    }
    assertThat(mesh.resilience("inventory").ejections()).as("ejections after the calls").isEqualTo(1);
    SpanData userSpan = exporter.getFinishedSpanItems().stream()
        .filter(s -> s.getName().equals("user request")).findFirst().orElseThrow();
    List<String> events = userSpan.getEvents().stream().map(EventData::getName).toList();
    assertThat(events).as("events on the user's own span").doesNotContain("mesh.endpoint.ejected");
  }
}
