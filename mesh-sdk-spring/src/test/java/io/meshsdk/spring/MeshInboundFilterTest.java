package io.meshsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.inbound.InboundGuard;
import io.meshsdk.core.inbound.InboundGuardConfig;
import io.meshsdk.core.metrics.MeshServerMetrics;
import io.meshsdk.core.security.policy.AccessPolicy;
import io.meshsdk.core.security.policy.PolicyHolder;
import io.meshsdk.testing.tls.TestCa;
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

  /** Requests come from 127.0.0.1 (MockHttpServletRequest's remote address): the local sidecar, trusted here. */
  private static InboundGuardConfig trustingLoopback() {
    return InboundGuardConfig.fromProperties(java.util.Map.of("mesh.inbound.trusted-hops", "127.0.0.1/32"));
  }

  @Test
  void anAdmittedRequestRunsAndIsMeasured() throws Exception {
    MeshInboundFilter filter = new MeshInboundFilter(InboundGuard.create(trustingLoopback()),
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
        java.util.Map.of("mesh.inbound.per-caller-permits", "1", "mesh.inbound.per-caller-period", "1h",
            "mesh.inbound.trusted-hops", "127.0.0.1/32")));
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

  @Test
  void aSpoofedCallerHeaderFromAnUntrustedPeerIsAnonymous() throws Exception {
    MeshInboundFilter filter = new MeshInboundFilter(InboundGuard.create(trustingLoopback()),
        MeshServerMetrics.create(registry), ServerTracer.NOOP);
    MockHttpServletRequest req = new MockHttpServletRequest("GET", "/items/1");
    req.setRemoteAddr("10.9.8.7");
    req.addHeader("x-mesh-caller", "admin");
    MockFilterChain chain = new MockFilterChain();
    filter.doFilter(req, new MockHttpServletResponse(), chain);
    assertThat(req.getAttribute(MeshInboundFilter.CALLER_ATTRIBUTE)).isEqualTo("anonymous");
    assertThat(registry.get("mesh.server.requests").tag("caller", "anonymous").timer().count()).isEqualTo(1);
    assertThat(registry.find("mesh.server.requests").tag("caller", "admin").timer()).isNull();
  }

  @Test
  void theVerifiedClientCertificateNamesTheCaller() throws Exception {
    TestCa ca = TestCa.root("prod.example root");
    TestCa.Issued web = ca.leaf().uri("spiffe://prod.example/ns/web/sa/frontend").issue();
    InMemorySpanExporter exporter = InMemorySpanExporter.create();
    try (MeshTracing tracing = MeshTracing.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()) {
      MeshInboundFilter filter = new MeshInboundFilter(InboundGuard.create(InboundGuardConfig.ofDefaults()),
          MeshServerMetrics.create(registry), new MeshTracingServerTracer(tracing.server()));
      MockHttpServletRequest req = new MockHttpServletRequest("GET", "/items/1");
      req.setRemoteAddr("10.9.8.7");
      req.addHeader("x-mesh-caller", "admin");
      req.setAttribute(ClientCertificates.ATTRIBUTE, web.chain().toArray(new java.security.cert.X509Certificate[0]));
      filter.doFilter(req, new MockHttpServletResponse(), new MockFilterChain());
      assertThat(req.getAttribute(MeshInboundFilter.CALLER_ATTRIBUTE))
          .isEqualTo("spiffe://prod.example/ns/web/sa/frontend");
      assertThat(registry.get("mesh.server.requests").tag("caller", "spiffe://prod.example/ns/web/sa/frontend")
          .timer().count()).isEqualTo(1);
      assertThat(exporter.getFinishedSpanItems()).singleElement().satisfies(span -> {
        assertThat(span.getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringKey("mesh.caller")))
            .isEqualTo("spiffe://prod.example/ns/web/sa/frontend");
        assertThat(span.getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringKey(
            "mesh.caller.source"))).isEqualTo("certificate");
      });
    }
  }

  @Test
  void aDeniedCallerGets403AndTheApplicationNeverRuns() throws Exception {
    PolicyHolder policies = PolicyHolder.create(AccessPolicy.parse("""
        service inventory
          default deny
          allow web trust-domain=prod.example
        """, "policy.conf"));
    InboundGuard guard = InboundGuard.create(InboundGuardConfig.ofDefaults(), io.meshsdk.core.common.Ticker.SYSTEM,
        policies, "inventory");
    MeshInboundFilter filter = new MeshInboundFilter(guard, MeshServerMetrics.create(registry), ServerTracer.NOOP);
    MockHttpServletRequest req = new MockHttpServletRequest("GET", "/items/1");
    req.addHeader("x-mesh-caller", "web"); // a claim from an untrusted peer: anonymous, so denied
    MockFilterChain chain = new MockFilterChain();
    MockHttpServletResponse resp = new MockHttpServletResponse();
    filter.doFilter(req, resp, chain);
    assertThat(resp.getStatus()).isEqualTo(403);
    assertThat(chain.getRequest()).as("the application did not run").isNull();
    assertThat(registry.get("mesh.server.requests").tag("status", "4xx").timer().count()).isEqualTo(1);
  }
}
