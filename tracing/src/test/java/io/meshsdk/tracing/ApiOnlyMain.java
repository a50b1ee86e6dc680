package io.meshsdk.tracing;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.testing.LoopbackBackend;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Run by {@link ApiOnlyClasspathIT} in a JVM whose classpath has the OpenTelemetry API but not the SDK or the
 * OTLP exporter: prints what an application without them sees.
 */
public final class ApiOnlyMain {

  /** The trace the application's request carries. */
  static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";

  private ApiOnlyMain() {}

  public static void main(String[] args) throws Exception {
    try {
      Class.forName("io.opentelemetry.sdk.OpenTelemetrySdk");
      System.out.println("SDK: present");
    } catch (ClassNotFoundException e) {
      System.out.println("SDK: absent");
    }
    try {
      MeshTracing.builder().build();
      System.out.println("BUILD WITHOUT SDK: built");
    } catch (IllegalStateException e) {
      System.out.println("BUILD WITHOUT SDK: " + e.getMessage());
    }
    OpenTelemetry api = OpenTelemetry.propagating(ContextPropagators.create(W3CTraceContextPropagator.getInstance()));
    try (LoopbackBackend backend = LoopbackBackend.start("inventory");
        MeshTracing tracing = MeshTracing.builder().openTelemetry(api).build();
        Mesh mesh = Mesh.builder()
            .discovery(StaticServiceDiscovery.of(Endpoint.of("inventory", backend.host(), backend.port())))
            .observer(tracing.observer())
            .build()) {
      Request request = new Request.Builder().url("http://inventory/items")
          .header("traceparent", "00-" + TRACE_ID + "-b7ad6b7169203331-01")
          .build();
      try (Response r = mesh.newOkHttpClient().newCall(request).execute()) {
        System.out.println("STATUS: " + r.code());
      }
      System.out.println("BACKEND TRACEPARENT: " + backend.lastHeader("traceparent"));
    }
  }
}
