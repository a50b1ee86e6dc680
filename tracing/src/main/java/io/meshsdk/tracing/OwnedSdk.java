package io.meshsdk.tracing;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SdkTracerProviderBuilder;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenTelemetry SDK that {@link MeshTracing.Builder} sets up when the application brings none. The only class
 * of this module that touches the SDK and the OTLP exporter (both optional dependencies), so that an application
 * that passes its own {@code OpenTelemetry} needs only the API on its classpath.
 */
final class OwnedSdk {

  private static final Logger log = LoggerFactory.getLogger(OwnedSdk.class);

  /** What the builder collected. */
  record Settings(
      double ratio,
      @Nullable String serviceName,
      @Nullable String serviceVersion,
      @Nullable String deploymentEnvironment,
      @Nullable String otlpEndpoint,
      Map<String, String> otlpHeaders,
      List<SpanProcessor> processors,
      TextMapPropagator propagator) {}

  private final OpenTelemetrySdk sdk;

  private OwnedSdk(OpenTelemetrySdk sdk) {
    this.sdk = sdk;
  }

  static OwnedSdk create(Settings s) {
    AttributesBuilder attrs = Attributes.builder();
    if (s.serviceName() != null) {
      attrs.put(AttributeKey.stringKey("service.name"), s.serviceName());
    }
    if (s.serviceVersion() != null) {
      attrs.put(AttributeKey.stringKey("service.version"), s.serviceVersion());
    }
    if (s.deploymentEnvironment() != null) {
      attrs.put(AttributeKey.stringKey("deployment.environment"), s.deploymentEnvironment());
      attrs.put(AttributeKey.stringKey("deployment.environment.name"), s.deploymentEnvironment());
    }
    SdkTracerProviderBuilder tp = SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(attrs.build())))
        .setSampler(new MeshSampler(s.ratio()));
    s.processors().forEach(tp::addSpanProcessor);
    String endpoint = s.otlpEndpoint();
    if (s.processors().isEmpty() && endpoint == null) {
      // OpenTelemetry SDK 1.68 hands out a no-op tracer when no processor is registered: nothing would start or
      // propagate. A processor that keeps nothing makes traces real while exporting nothing.
      tp.addSpanProcessor(new DiscardingSpanProcessor());
      log.info("MeshTracing: no exporter or span processor configured; traces are started and propagated"
          + " (traceparent on every mesh call) but no span is exported");
    }
    if (endpoint != null) {
      OtlpHttpSpanExporterBuilder exporter = OtlpHttpSpanExporter.builder().setEndpoint(endpoint);
      s.otlpHeaders().forEach(exporter::addHeader);
      tp.addSpanProcessor(BatchSpanProcessor.builder(exporter.build()).build());
    }
    return new OwnedSdk(OpenTelemetrySdk.builder()
        .setTracerProvider(tp.build())
        .setPropagators(ContextPropagators.create(s.propagator()))
        .build());
  }

  OpenTelemetry openTelemetry() {
    return sdk;
  }

  boolean flush(long timeoutMillis) {
    return sdk.getSdkTracerProvider().forceFlush().join(timeoutMillis, TimeUnit.MILLISECONDS).isSuccess();
  }

  void shutdown() {
    CompletableResultCode r = sdk.shutdown().join(10, TimeUnit.SECONDS);
    if (!r.isSuccess()) {
      log.warn("OpenTelemetry SDK did not shut down cleanly within 10 s; some spans may be lost");
    }
  }

  /** Keeps nothing: makes the SDK start real spans (ids that propagate) when nothing else is registered. */
  private static final class DiscardingSpanProcessor implements SpanProcessor {
    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {}

    @Override
    public boolean isStartRequired() {
      return false;
    }

    @Override
    public void onEnd(ReadableSpan span) {}

    @Override
    public boolean isEndRequired() {
      return false;
    }
  }
}
