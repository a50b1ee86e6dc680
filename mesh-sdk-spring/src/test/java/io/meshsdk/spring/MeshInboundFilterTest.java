package io.meshsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.inbound.InboundGuard;
import io.meshsdk.core.inbound.InboundGuardConfig;
import io.meshsdk.core.metrics.MeshServerMetrics;
import io.meshsdk.tracing.MeshTracing;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/** The inbound filter: admission, drain answers, server metrics and the SERVER span continuing the caller's trace. */
class MeshInboundFilterTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private static MockHttpServletRequest request() {
    MockHttpServletRequest req = new MockHttpServletRequest("GET", "/items/1");
    req.addHeader("x-mesh-caller", "checkout");
    return req;
  }

  @Test
  void anAdmittedRequestRunsAndIsMeasured() throws Exception {
    MeshInboundFilter filter = new MeshInboundFilter(InboundGuard.create(InboundGuardConfig.ofDefaults()),
        MeshServerMetrics.create(registry), ServerTracer.NOOP);
    MockFilterChain chain = new MockFilterChain();
    MockHttpServletResponse resp = new MockHttpServletResponse();
    filter.doFilter(request(), resp, chain);
    assertThat(chain.getRequest()).isNotNull();
    assertThat(resp.getStatus()).isEqualTo(200);
    assertThat(registry.get("mesh.server.requests").tag("caller", "checkout").timer().count()).isEqualTo(1);
  }

  @Test
  void whileDrainingNewRequestsGet503Draining() throws Exception {
    InboundGuard guard = InboundGuard.create(InboundGuardConfig.ofDefaults());
    MeshInboundFilter filter = new MeshInboundFilter(guard, MeshServerMetrics.create(registry), ServerTracer.NOOP);
    guard.drain();
    MockFilterChain chain = new MockFilterChain();
    MockHttpServletResponse resp = new MockHttpServletResponse();
    filter.doFilter(request(), resp, chain);
    assertThat(chain.getRequest()).as("the application did not run").isNull();
    assertThat(resp.getStatus()).isEqualTo(503);
    assertThat(resp.getHeader("x-mesh-draining")).isEqualTo("true");
    assertThat(resp.getHeader("Connection")).isEqualTo("close");
    assertThat(registry.get("mesh.server.requests").timer().count()).isEqualTo(1);
  }

  @Test
  void overTheCallersLimitIs429WithRetryAfter() throws Exception {
    InboundGuard guard = InboundGuard.create(InboundGuardConfig.fromProperties(
        java.util.Map.of("mesh.inbound.per-caller-permits", "1", "mesh.inbound.per-caller-period", "1h")));
    MeshInboundFilter filter = new MeshInboundFilter(guard, null, ServerTracer.NOOP);
    filter.doFilter(request(), new MockHttpServletResponse(), new MockFilterChain());
    MockHttpServletResponse second = new MockHttpServletResponse();
    filter.doFilter(request(), second, new MockFilterChain());
    assertThat(second.getStatus()).isEqualTo(429);
    assertThat(second.getHeader("Retry-After")).isNotBlank();
  }

  @Test
  void theServerSpanContinuesTheCallersTrace() throws Exception {
    InMemorySpanExporter exporter = InMemorySpanExporter.create();
    try (MeshTracing tracing = MeshTracing.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()) {
      MeshInboundFilter filter = new MeshInboundFilter(InboundGuard.create(InboundGuardConfig.ofDefaults()), null,
          new MeshTracingServerTracer(tracing.server()));
      MockHttpServletRequest req = request();
      req.addHeader("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
      filter.doFilter(req, new MockHttpServletResponse(), new MockFilterChain());
      assertThat(exporter.getFinishedSpanItems()).singleElement().satisfies(span -> {
        SpanData s = span;
        assertThat(s.getKind()).isEqualTo(SpanKind.SERVER);
        assertThat(s.getTraceId()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
        assertThat(s.getParentSpanId()).isEqualTo("b7ad6b7169203331");
      });
    }
  }
}
