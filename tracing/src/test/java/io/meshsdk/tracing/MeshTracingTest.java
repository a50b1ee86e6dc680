package io.meshsdk.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.endpoint.EndpointExclusion;
import io.meshsdk.core.endpoint.EndpointState;
import io.meshsdk.core.internal.directory.TrackedEndpoint;
import io.meshsdk.core.observe.EndpointStateChange;
import io.meshsdk.core.observe.RequestHeaders;
import io.meshsdk.core.observe.AttemptInfo;
import io.meshsdk.core.observe.AttemptResult;
import io.meshsdk.core.observe.CallInfo;
import io.meshsdk.core.observe.CallObserver;
import io.meshsdk.core.observe.CallResult;
import io.meshsdk.core.observe.MeshEvent;
import io.meshsdk.core.observe.OutboundHeaders;
import io.meshsdk.core.observe.Outcome;
import io.meshsdk.core.observe.Route;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import okhttp3.HttpUrl;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Drives the observer directly with the callbacks the engine makes (retries, rejections, breaker and endpoint
 * state changes) and checks the spans; {@code MeshTracingIT} checks the same through real calls.
 */
@SuppressWarnings("try") // scopes are used for their side effect
class MeshTracingTest {

  private static final HttpUrl LOGICAL = HttpUrl.get("http://inventory/items/42");
  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private final MeshTracing tracing =
      MeshTracing.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
  private final EndpointState e1 = new TrackedEndpoint(Endpoint.of("inventory", "127.0.0.1", 41001), 0);
  private final EndpointState e2 = new TrackedEndpoint(Endpoint.of("inventory", "127.0.0.1", 41002), 0);

  @AfterEach
  void tearDown() {
    tracing.close();
  }

  private static CallInfo call() {
    return new CallInfo("inventory", "GET", LOGICAL, Route.DIRECT, "least-request", RequestHeaders.NONE);
  }

  private static AttemptInfo attempt(int n, EndpointState e) {
    return new AttemptInfo(n, e, LOGICAL.newBuilder().host(e.endpoint().host()).port(e.endpoint().port()).build());
  }

  private SpanData span(String name) {
    return exporter.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).findFirst().orElseThrow();
  }

  private List<SpanData> clientSpans() {
    return exporter.getFinishedSpanItems().stream().filter(s -> s.getKind() == SpanKind.CLIENT).toList();
  }

  @Test
  void currentTraceIdIsTheCallingThreadsTraceForSplitRouting() {
    assertThat(tracing.currentTraceId()).isNull();
    io.opentelemetry.api.trace.Span span =
        tracing.openTelemetry().getTracer("test").spanBuilder("handle order").startSpan();
    try (io.opentelemetry.context.Scope ignored = span.makeCurrent()) {
      assertThat(tracing.currentTraceId()).isEqualTo(span.getSpanContext().getTraceId());
    } finally {
      span.end();
    }
    assertThat(MeshTracing.disabled().currentTraceId()).isNull();
  }

  @Test
  void theDirectAttemptAfterASidecarFallbackIsTaggedDirect() {
    CallObserver obs = tracing.onCallStart(
        new CallInfo("inventory", "GET", LOGICAL, Route.SIDECAR, "least-request", RequestHeaders.NONE));
    AttemptInfo viaSidecar = new AttemptInfo(0, null, LOGICAL.newBuilder().host("127.0.0.1").port(15001).build());
    obs.onAttemptStart(viaSidecar, new Headers());
    obs.onAttemptEnd(viaSidecar, new AttemptResult(Outcome.IO_ERROR, -1, new java.net.ConnectException("refused"),
        1_000));
    obs.onEvent(MeshEvent.SIDECAR_FALLBACK, "sidecar refused the connection");
    obs.onAttemptStart(attempt(1, e1), new Headers());
    obs.onAttemptEnd(attempt(1, e1), new AttemptResult(Outcome.SUCCESS, 200, null, 1_000));
    obs.onCallEnd(new CallResult(Outcome.SUCCESS, 200, null, 3_000, 2, Route.DIRECT));

    List<SpanData> attempts = clientSpans();
    assertThat(exporter.getFinishedSpanItems()).as("no span for the call as a whole").hasSize(2);
    assertThat(attempts).extracting(a -> a.getAttributes().get(SemanticAttributes.MESH_ROUTE))
        .containsExactly("sidecar", "direct");
    assertThat(attempts.get(0).getEvents()).extracting(EventData::getName)
        .as("the fallback is on the attempt it followed").containsExactly("exception", "mesh.sidecar_fallback");
  }

  @Test
  void aRetriedCallShowsSiblingAttemptSpansWithResendCountUnderTheCallersSpan() {
    Span caller = tracing.openTelemetry().getTracer("test").spanBuilder("handle order").startSpan();
    Headers h1 = new Headers();
    Headers h2 = new Headers();
    try (Scope ignored = caller.makeCurrent()) {
      CallObserver obs = tracing.onCallStart(call());
      obs.onAttemptStart(attempt(0, e1), h1);
      obs.onAttemptEnd(attempt(0, e1), new AttemptResult(Outcome.SERVER_ERROR, 503, null, 1_000));
      obs.onEvent(MeshEvent.RETRY, "503 from 127.0.0.1:41001");
      obs.onAttemptStart(attempt(1, e2), h2);
      obs.onAttemptEnd(attempt(1, e2), new AttemptResult(Outcome.SUCCESS, 200, null, 1_000));
      obs.onCallEnd(new CallResult(Outcome.SUCCESS, 200, null, 3_000, 2, Route.DIRECT));
    } finally {
      caller.end();
    }

    SpanData parent = span("handle order");
    List<SpanData> attempts = clientSpans();
    assertThat(exporter.getFinishedSpanItems()).as("the caller's span and two attempts, no call span").hasSize(3);
    assertThat(attempts).hasSize(2).allSatisfy(a -> {
      assertThat(a.getParentSpanId()).isEqualTo(parent.getSpanId());
      assertThat(a.getTraceId()).isEqualTo(parent.getTraceId());
      assertThat(a.getAttributes().get(SemanticAttributes.HTTP_REQUEST_METHOD)).isEqualTo("GET");
      assertThat(a.getAttributes().get(SemanticAttributes.MESH_SERVICE)).isEqualTo("inventory");
      assertThat(a.getAttributes().get(SemanticAttributes.URL_FULL)).startsWith("http://127.0.0.1:4100");
    });
    SpanData first = attempts.get(0);
    SpanData second = attempts.get(1);
    assertThat(first.getAttributes().get(SemanticAttributes.HTTP_REQUEST_RESEND_COUNT)).isNull();
    assertThat(first.getAttributes().get(SemanticAttributes.MESH_ENDPOINT_ID)).isEqualTo("127.0.0.1:41001");
    assertThat(first.getAttributes().get(SemanticAttributes.ERROR_TYPE)).isEqualTo("503");
    assertThat(first.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(first.getEvents()).extracting(EventData::getName)
        .as("why there is a retry, on the attempt that failed").containsExactly("mesh.retry");
    assertThat(first.getEndEpochNanos()).as("a retried attempt ends when it ended, not when the retry started")
        .isLessThanOrEqualTo(second.getStartEpochNanos());
    assertThat(second.getAttributes().get(SemanticAttributes.HTTP_REQUEST_RESEND_COUNT)).isEqualTo(1L);
    assertThat(second.getAttributes().get(SemanticAttributes.SERVER_PORT)).isEqualTo(41002L);
    assertThat(second.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    // each attempt carries its own span id downstream
    assertThat(h1.map.get("traceparent")).contains(first.getSpanId());
    assertThat(h2.map.get("traceparent")).contains(second.getSpanId());
    System.out.println("retried call:\n" + SpanTrees.render(exporter.getFinishedSpanItems()));
    assertThat(SpanTrees.render(exporter.getFinishedSpanItems()))
        .contains("└─ handle order [INTERNAL]")
        .contains("├─ GET [CLIENT]")
        .contains("└─ GET [CLIENT]")
        .contains("resend=1")
        .contains("!mesh.retry(503 from 127.0.0.1:41001)");
  }

  @Test
  void aFailedAttemptsSpanEndsWhenItFailedNotAfterTheBackoffThatFollows() {
    CallObserver obs = tracing.onCallStart(call());
    obs.onAttemptStart(attempt(0, e1), new Headers());
    obs.onAttemptEnd(attempt(0, e1), new AttemptResult(Outcome.SERVER_ERROR, 503, null, 1_000));
    long failedAt = System.nanoTime();
    elapse(BACKOFF_NANOS); // the retry's backoff: not part of the failed attempt
    obs.onAttemptStart(attempt(1, e2), new Headers());
    obs.onAttemptEnd(attempt(1, e2), new AttemptResult(Outcome.SUCCESS, 200, null, 1_000));
    obs.onCallEnd(new CallResult(Outcome.SUCCESS, 200, null, 3_000, 2, Route.DIRECT));

    List<SpanData> attempts = clientSpans();
    assertThat(attempts).hasSize(2);
    long gap = attempts.get(1).getStartEpochNanos() - attempts.get(0).getEndEpochNanos();
    assertThat(gap).as("the backoff lies between the failed attempt's end and the retry's start")
        .isGreaterThanOrEqualTo(BACKOFF_NANOS - CLOCK_SLACK_NANOS);
    assertThat(System.nanoTime() - failedAt).isGreaterThanOrEqualTo(BACKOFF_NANOS);
  }

  @Test
  void anAttemptThatSucceededIsNotTimedYetItsSpanEndsIfAnotherAttemptFollowsIt() {
    // the engine never follows a success with another attempt; an observer must not leak the span if one did
    CallObserver obs = tracing.onCallStart(call());
    obs.onAttemptStart(attempt(0, e1), new Headers());
    obs.onAttemptEnd(attempt(0, e1), new AttemptResult(Outcome.SUCCESS, 200, null, 1_000));
    obs.onAttemptStart(attempt(1, e2), new Headers());
    obs.onAttemptEnd(attempt(1, e2), new AttemptResult(Outcome.SUCCESS, 200, null, 1_000));
    obs.onCallEnd(new CallResult(Outcome.SUCCESS, 200, null, 3_000, 2, Route.DIRECT));

    List<SpanData> attempts = clientSpans();
    assertThat(attempts).hasSize(2).allSatisfy(a -> assertThat(a.hasEnded()).isTrue());
    assertThat(attempts.get(0).getEndEpochNanos()).isLessThanOrEqualTo(attempts.get(1).getStartEpochNanos());
    assertThat(attempts.get(0).getAttributes().get(SemanticAttributes.HTTP_RESPONSE_STATUS_CODE)).isEqualTo(200L);
  }

  /** A retry backoff between two attempts, long enough to tell apart from the clocks' rounding. */
  private static final long BACKOFF_NANOS = 30_000_000L;
  /** The span ends on the wall clock, the next span starts on the SDK's anchored clock: they may differ a little. */
  private static final long CLOCK_SLACK_NANOS = 5_000_000L;

  /** Lets {@code nanos} pass on {@link System#nanoTime()}, as a retry's backoff does. */
  private static void elapse(long nanos) {
    long until = System.nanoTime() + nanos;
    for (long left = nanos; left > 0; left = until - System.nanoTime()) {
      java.util.concurrent.locks.LockSupport.parkNanos(left);
    }
  }

  @Test
  void aRootCallsRetriesStayInTheTraceItsFirstAttemptStarted() {
    CallObserver obs = tracing.onCallStart(call());
    obs.onAttemptStart(attempt(0, e1), new Headers());
    obs.onAttemptEnd(attempt(0, e1), new AttemptResult(Outcome.SERVER_ERROR, 503, null, 1_000));
    obs.onEvent(MeshEvent.RETRY, "503 from 127.0.0.1:41001");
    obs.onAttemptStart(attempt(1, e2), new Headers());
    obs.onAttemptEnd(attempt(1, e2), new AttemptResult(Outcome.SUCCESS, 200, null, 1_000));
    obs.onCallEnd(new CallResult(Outcome.SUCCESS, 200, null, 3_000, 2, Route.DIRECT));

    List<SpanData> attempts = clientSpans();
    assertThat(attempts).hasSize(2);
    SpanData first = attempts.get(0);
    SpanData second = attempts.get(1);
    assertThat(first.getParentSpanContext().isValid()).as("the first attempt is the root").isFalse();
    assertThat(second.getTraceId()).isEqualTo(first.getTraceId());
    assertThat(second.getParentSpanId()).isEqualTo(first.getSpanId());
  }

  @Test
  void aBodyThatFailsAfterASuccessfulAttemptMarksTheLastAttemptsSpan() {
    CallObserver obs = tracing.onCallStart(call());
    obs.onAttemptStart(attempt(0, e1), new Headers());
    IOException reset = new IOException("unexpected end of stream");
    // the engine reports the last attempt's end once its body is read (or failed), with the call's outcome
    obs.onAttemptEnd(attempt(0, e1), new AttemptResult(Outcome.IO_ERROR, 200, reset, 5_000));
    obs.onCallEnd(new CallResult(Outcome.IO_ERROR, 200, reset, 5_000, 1, Route.DIRECT));

    SpanData a = clientSpans().get(0);
    assertThat(exporter.getFinishedSpanItems()).hasSize(1);
    assertThat(a.getAttributes().get(SemanticAttributes.HTTP_RESPONSE_STATUS_CODE)).isEqualTo(200L);
    assertThat(a.getAttributes().get(SemanticAttributes.ERROR_TYPE)).isEqualTo("java.io.IOException");
    assertThat(a.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(a.getEvents()).extracting(EventData::getName).containsExactly("exception");
  }

  @Test
  void aRejectedCallShowsTheRejectionAsAnErrorEvent() {
    CircuitBreaker cb = CircuitBreaker.ofDefaults("inventory");
    cb.transitionToOpenState();
    CallNotPermittedException rejection = CallNotPermittedException.createCallNotPermittedException(cb);
    CallObserver obs = tracing.onCallStart(call());
    obs.onEvent(MeshEvent.BREAKER_REJECTED, rejection.getMessage());
    obs.onCallEnd(new CallResult(Outcome.REJECTED, -1, rejection, 1_000, 0, Route.DIRECT));

    assertThat(clientSpans()).isEmpty();
    SpanData call = span("GET inventory");
    assertThat(call.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(call.getAttributes().get(SemanticAttributes.ERROR_TYPE))
        .as("the rejection's reason, not the exception class").isEqualTo("breaker_rejected");
    assertThat(call.getAttributes().get(SemanticAttributes.MESH_ATTEMPTS)).isZero();
    EventData event = call.getEvents().get(0);
    assertThat(event.getName()).isEqualTo("mesh.breaker_rejected");
    assertThat(event.getAttributes().get(SemanticAttributes.MESH_DETAIL)).contains("'inventory' is OPEN");
    assertThat(SpanTrees.render(exporter.getFinishedSpanItems())).contains("!mesh.breaker_rejected").contains("ERROR");
  }

  @Test
  void rateLimitAndBulkheadRejectionsMarkTheCallSpanEvenWithoutAnException() {
    for (MeshEvent e : List.of(MeshEvent.RATE_LIMITED, MeshEvent.BULKHEAD_REJECTED)) {
      CallObserver obs = tracing.onCallStart(call());
      obs.onEvent(e, "");
      obs.onCallEnd(new CallResult(Outcome.REJECTED, -1, null, 1_000, 0, Route.DIRECT));
    }
    assertThat(exporter.getFinishedSpanItems()).hasSize(2).allSatisfy(s -> {
      assertThat(s.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
      assertThat(s.getAttributes().get(SemanticAttributes.ERROR_TYPE)).isIn("rate_limited", "bulkhead_rejected");
    });
  }

  @Test
  void aFailedAttemptRecordsTheExceptionType() {
    CallObserver obs = tracing.onCallStart(call());
    IOException reset = new IOException("connection reset");
    obs.onAttemptStart(attempt(0, e1), new Headers());
    obs.onAttemptEnd(attempt(0, e1), new AttemptResult(Outcome.IO_ERROR, -1, reset, 1_000));
    obs.onCallEnd(new CallResult(Outcome.IO_ERROR, -1, reset, 1_000, 1, Route.DIRECT));
    SpanData a = clientSpans().get(0);
    assertThat(a.getAttributes().get(SemanticAttributes.ERROR_TYPE)).isEqualTo("java.io.IOException");
    assertThat(a.getAttributes().get(SemanticAttributes.HTTP_RESPONSE_STATUS_CODE)).isNull();
    assertThat(a.getEvents()).extracting(EventData::getName).containsExactly("exception");
  }

  @Test
  void aFallbackBeforeTheFirstAttemptIsAnEventOnThatAttemptAtTheTimeItHappened() {
    CallObserver obs = tracing.onCallStart(new CallInfo("inventory", "GET", LOGICAL, Route.SIDECAR, "sidecar", RequestHeaders.NONE));
    obs.onEvent(MeshEvent.SIDECAR_FALLBACK, "sidecar not ready");
    obs.onAttemptStart(attempt(0, e1), new Headers());
    obs.onAttemptEnd(attempt(0, e1), new AttemptResult(Outcome.SUCCESS, 200, null, 1));
    obs.onCallEnd(new CallResult(Outcome.SUCCESS, 200, null, 1, 1, Route.DIRECT));
    SpanData a = clientSpans().get(0);
    assertThat(exporter.getFinishedSpanItems()).hasSize(1);
    assertThat(a.getAttributes().get(SemanticAttributes.MESH_ROUTE))
        .as("the attempt went direct after the fallback").isEqualTo("direct");
    assertThat(a.getEvents()).extracting(EventData::getName).containsExactly("mesh.sidecar_fallback");
    assertThat(a.getEvents().get(0).getEpochNanos()).isLessThanOrEqualTo(a.getStartEpochNanos());
    assertThat(a.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
  }

  @Test
  void anEjectionNeverLandsOnWhateverSpanIsCurrent() {
    Span span = tracing.openTelemetry().getTracer("test").spanBuilder("caller").startSpan();
    try (Scope ignored = span.makeCurrent()) {
      tracing.onEndpointStateChanged(e1, new EndpointStateChange(true, EndpointExclusion.Reason.CONSECUTIVE_FAILURES,
          "5 consecutive failures"));
    } finally {
      span.end();
    }
    assertThat(span("caller").getEvents()).isEmpty();
  }

  @Test
  void aTraceparentTheApplicationSetIsContinuedWhenNoContextIsCurrent() {
    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    RequestHeaders headers = name -> name.equals("traceparent") ? "00-" + traceId + "-00f067aa0ba902b7-01" : null;
    CallObserver obs = tracing.onCallStart(new CallInfo("inventory", "GET", LOGICAL, Route.DIRECT, "least-request",
        headers));
    obs.onAttemptStart(attempt(0, e1), new Headers());
    obs.onAttemptEnd(attempt(0, e1), new AttemptResult(Outcome.SUCCESS, 200, null, 1));
    obs.onCallEnd(new CallResult(Outcome.SUCCESS, 200, null, 1, 1, Route.DIRECT));
    SpanData attempt = clientSpans().get(0);
    assertThat(attempt.getTraceId()).isEqualTo(traceId);
    assertThat(attempt.getParentSpanId()).isEqualTo("00f067aa0ba902b7");
  }

  @Test
  void tracingBuiltWithoutAnExporterStillStartsAndPropagatesTraces() {
    try (MeshTracing bare = MeshTracing.builder().build()) {
      CallObserver obs = bare.onCallStart(call());
      Headers h = new Headers();
      obs.onAttemptStart(attempt(0, e1), h);
      assertThat(h.get("traceparent")).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[0-9a-f]");
      obs.onCallEnd(new CallResult(Outcome.SUCCESS, 200, null, 1, 1, Route.DIRECT));
    }
  }

  @Test
  void aSampledOutRootCreatesNothingAndReturnsTheNoopObserver() {
    try (MeshTracing never = MeshTracing.builder().samplerRatio(0.0)
        .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()) {
      for (int i = 0; i < 100; i++) {
        assertThat(never.onCallStart(call())).isSameAs(CallObserver.NOOP);
      }
    }
    assertThat(exporter.getFinishedSpanItems()).isEmpty();
  }

  @Test
  void aSampledOutRootWithBaggageStillPropagatesTheBaggage() {
    try (MeshTracing never = MeshTracing.builder().samplerRatio(0.0).build();
        Scope ignored = io.opentelemetry.api.baggage.Baggage.builder().put("tenant", "acme").build().makeCurrent()) {
      CallObserver obs = never.onCallStart(call());
      Headers h = new Headers();
      obs.onAttemptStart(attempt(0, e1), h);
      assertThat(h.map).containsEntry("baggage", "tenant=acme").doesNotContainKey("traceparent");
    }
  }

  @Test
  void aSampledOutParentIsPropagatedWithoutAnySpan() {
    SpanContext parent = SpanContext.create(
        "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", TraceFlags.getDefault(), TraceState.getDefault());
    try (Scope ignored = Context.root().with(Span.wrap(parent)).makeCurrent()) {
      CallObserver obs = tracing.onCallStart(call());
      assertThat(obs).isInstanceOf(PropagatingCallObserver.class);
      Headers h = new Headers();
      obs.onAttemptStart(attempt(0, e1), h);
      obs.onCallEnd(new CallResult(Outcome.SUCCESS, 200, null, 1, 1, Route.DIRECT));
      assertThat(h.map).containsEntry("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
    }
    assertThat(exporter.getFinishedSpanItems()).isEmpty();
  }

  @Test
  void theMeshSamplerHonoursTheMeshsRootDecisionAndOtherwiseTheRatio() {
    MeshSampler sampler = new MeshSampler(0.0);
    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    assertThat(sampler.shouldSample(Context.root(), traceId, "x", SpanKind.SERVER, Attributes.empty(), List.of())
        .getDecision()).isEqualTo(SamplingDecision.DROP);
    assertThat(sampler.shouldSample(Context.root().with(MeshSampler.ROOT_DECIDED, Boolean.TRUE), traceId, "x",
        SpanKind.INTERNAL, Attributes.empty(), List.of()).getDecision())
        .isEqualTo(SamplingDecision.RECORD_AND_SAMPLE);
  }

  @Test
  void urlFullCarriesNoSecrets() {
    assertThat(UrlRedactor.redact(HttpUrl.get("http://u:p@inventory/x?sig=abc&q=1")))
        .isEqualTo("http://REDACTED:REDACTED@inventory/x?sig=REDACTED&q=1");
    assertThat(UrlRedactor.redact(HttpUrl.get("http://inventory/x?q=1"))).isEqualTo("http://inventory/x?q=1");
  }

  @Test
  void badSettingsAreRejectedNamingTheKey() {
    assertThatThrownBy(() -> MeshTracing.builder().samplerRatio(1.5))
        .isInstanceOf(ConfigException.class)
        .hasMessage("tracing.sampler.ratio: 1.5 (expected: 0.0-1.0)");
    assertThatThrownBy(() -> MeshTracing.builder().otlpEndpoint("localhost:4318"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("tracing.otlp.endpoint: \"localhost:4318\"");
    assertThatThrownBy(() -> MeshTracing.builder()
            .openTelemetry(tracing.openTelemetry()).otlpEndpoint("http://127.0.0.1:4318/v1/traces").build())
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void theApplicationsOwnOpenTelemetryIsUsedAsIs() {
    try (MeshTracing app = MeshTracing.builder().openTelemetry(tracing.openTelemetry()).build()) {
      CallObserver obs = app.onCallStart(call());
      obs.onCallEnd(new CallResult(Outcome.SUCCESS, 200, null, 1, 0, Route.DIRECT));
      assertThat(exporter.getFinishedSpanItems()).hasSize(1);
    }
    assertThat(MeshTracing.builder().openTelemetry(io.opentelemetry.api.OpenTelemetry.noop()).build().observer())
        .isSameAs(io.meshsdk.core.observe.MeshObserver.NOOP);
  }

  private static final class Headers implements OutboundHeaders {
    final Map<String, String> map = new HashMap<>();

    @Override
    public @Nullable String get(String name) {
      return map.get(name);
    }

    @Override
    public void set(String name, String value) {
      map.put(name, value);
    }
  }
}
