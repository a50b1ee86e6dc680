package io.meshsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.testing.LoopbackBackend;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.client.RestClient;

/**
 * mesh-tracing on the application's {@code OpenTelemetry} bean, on the OpenTelemetry version Spring Boot manages (this
 * module's tests run on it, see its pom and ADR 0013): a RestClient call to a mesh service produces CLIENT spans in
 * the application's SDK and carries {@code traceparent} to the endpoint.
 */
class TracingOnBootOpenTelemetryIT {

  static final InMemorySpanExporter EXPORTER = InMemorySpanExporter.create();

  @Configuration(proxyBeanMethods = false)
  @EnableMesh
  static class App {
    @Bean(destroyMethod = "close")
    OpenTelemetrySdk openTelemetry() {
      return OpenTelemetrySdk.builder()
          .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(EXPORTER)).build())
          .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
          .build();
    }
  }

  @Test
  void clientSpansGoToTheApplicationsOpenTelemetryAndTraceparentToTheEndpoint() {
    assertThat(OpenTelemetry.class.getPackage().getImplementationVersion())
        .as("the OpenTelemetry version Spring Boot 4.0.x manages").startsWith("1.55.");
    try (LoopbackBackend backend = LoopbackBackend.start("inventory")) {
      new ApplicationContextRunner()
          .withConfiguration(RestClientMeshIT.BOOT_CLIENTS)
          .withUserConfiguration(App.class)
          .withPropertyValues("mesh.drain-delay=0", "spring.application.name=checkout",
              "mesh.discovery.uri=static:inventory=127.0.0.1:" + backend.port())
          .run(ctx -> {
            RestClient.Builder builder = ctx.getBean(RestClient.Builder.class);
            assertThat(builder.build().get().uri("http://inventory/items/1").retrieve().body(String.class))
                .isEqualTo("inventory GET /items/1\n");
            assertThat(backend.lastHeader("traceparent")).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]");
            String traceId = backend.lastHeader("traceparent").substring(3, 35);
            assertThat(EXPORTER.getFinishedSpanItems()).isNotEmpty()
                .allSatisfy(s -> assertThat(s.getTraceId()).isEqualTo(traceId))
                .anySatisfy(s -> assertThat(s.getKind()).isEqualTo(SpanKind.CLIENT));
          });
    }
  }
}
