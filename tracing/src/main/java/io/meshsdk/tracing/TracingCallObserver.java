package io.meshsdk.tracing;

import static io.meshsdk.tracing.SemanticAttributes.ERROR_TYPE;
import static io.meshsdk.tracing.SemanticAttributes.HTTP_REQUEST_METHOD;
import static io.meshsdk.tracing.SemanticAttributes.HTTP_REQUEST_RESEND_COUNT;
import static io.meshsdk.tracing.SemanticAttributes.HTTP_RESPONSE_STATUS_CODE;
import static io.meshsdk.tracing.SemanticAttributes.MESH_ATTEMPTS;
import static io.meshsdk.tracing.SemanticAttributes.MESH_DETAIL;
import static io.meshsdk.tracing.SemanticAttributes.MESH_ENDPOINT_ID;
import static io.meshsdk.tracing.SemanticAttributes.MESH_LB;
import static io.meshsdk.tracing.SemanticAttributes.MESH_ROUTE;
import static io.meshsdk.tracing.SemanticAttributes.MESH_SERVICE;
import static io.meshsdk.tracing.SemanticAttributes.SERVER_ADDRESS;
import static io.meshsdk.tracing.SemanticAttributes.SERVER_PORT;
import static io.meshsdk.tracing.SemanticAttributes.URL_FULL;

import io.meshsdk.core.endpoint.EndpointState;
import io.meshsdk.core.observe.AttemptInfo;
import io.meshsdk.core.observe.AttemptResult;
import io.meshsdk.core.observe.CallInfo;
import io.meshsdk.core.observe.CallObserver;
import io.meshsdk.core.observe.CallResult;
import io.meshsdk.core.observe.MeshEvent;
import io.meshsdk.core.observe.OutboundHeaders;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import org.jspecify.annotations.Nullable;

/**
 * A sampled logical call: one INTERNAL call span, and one CLIENT span per attempt as its child, each
 * attempt's context injected into that attempt's headers. Callbacks come in order on one thread at a time.
 */
final class TracingCallObserver implements CallObserver {

  private final Tracer tracer;
  private final TextMapPropagator propagator;
  private final CallInfo call;
  private final Context callContext;
  private final Span callSpan;
  private @Nullable Span attemptSpan;
  private boolean rejected; // the call span's error.type is the rejection's reason

  TracingCallObserver(Tracer tracer, TextMapPropagator propagator, CallInfo call, Context callContext, Span callSpan) {
    this.tracer = tracer;
    this.propagator = propagator;
    this.call = call;
    this.callContext = callContext;
    this.callSpan = callSpan;
  }

  @Override
  public void onAttemptStart(AttemptInfo attempt, OutboundHeaders headers) {
    Span previous = attemptSpan;
    if (previous != null) { // the engine skipped onAttemptEnd: do not leak the span
      previous.end();
    }
    var b = tracer.spanBuilder(call.method())
        .setParent(callContext)
        .setSpanKind(SpanKind.CLIENT)
        .setAttribute(HTTP_REQUEST_METHOD, call.method())
        .setAttribute(SERVER_ADDRESS, attempt.url().host())
        .setAttribute(SERVER_PORT, (long) attempt.url().port())
        .setAttribute(URL_FULL, UrlRedactor.redact(attempt.url()))
        .setAttribute(MESH_SERVICE, call.service())
        .setAttribute(MESH_ROUTE, attempt.route().tag())
        .setAttribute(MESH_LB, call.loadBalancer());
    EndpointState endpoint = attempt.endpoint();
    if (endpoint != null) {
      b.setAttribute(MESH_ENDPOINT_ID, endpoint.endpoint().id());
    }
    if (attempt.attempt() > 0) {
      b.setAttribute(HTTP_REQUEST_RESEND_COUNT, (long) attempt.attempt());
    }
    Span span = b.startSpan();
    attemptSpan = span;
    propagator.inject(callContext.with(span), headers, HeaderAccess.SETTER);
  }

  @Override
  public void onAttemptEnd(AttemptInfo attempt, AttemptResult result) {
    Span span = attemptSpan;
    if (span == null) {
      return;
    }
    attemptSpan = null;
    end(span, result.status(), result.error());
  }

  /** Client-span status per the HTTP conventions: 4xx and 5xx are errors, and so is any exception. */
  private static void end(Span span, int status, @Nullable Throwable error) {
    if (status >= 0) {
      span.setAttribute(HTTP_RESPONSE_STATUS_CODE, (long) status);
    }
    if (error != null) {
      span.setAttribute(ERROR_TYPE, error.getClass().getName());
      span.recordException(error);
      span.setStatus(StatusCode.ERROR, String.valueOf(error.getMessage()));
    } else if (status >= 400) {
      span.setAttribute(ERROR_TYPE, Integer.toString(status));
      span.setStatus(StatusCode.ERROR);
    }
    span.end();
  }

  @Override
  public void onEvent(MeshEvent event, String detail) {
    callSpan.addEvent("mesh." + event.tag(), Attributes.of(MESH_DETAIL, detail));
    if (isRejection(event)) {
      rejected = true;
      callSpan.setAttribute(ERROR_TYPE, event.tag());
      callSpan.setStatus(StatusCode.ERROR, event.tag() + (detail.isEmpty() ? "" : ": " + detail));
    }
  }

  static boolean isRejection(MeshEvent event) {
    return event == MeshEvent.BREAKER_REJECTED
        || event == MeshEvent.RATE_LIMITED
        || event == MeshEvent.BULKHEAD_REJECTED
        || event == MeshEvent.RETRY_BUDGET_EXHAUSTED
        || event == MeshEvent.DEADLINE_EXCEEDED;
  }

  @Override
  public void onCallEnd(CallResult result) {
    Span open = attemptSpan;
    if (open != null) {
      attemptSpan = null;
      end(open, -1, result.error());
    }
    callSpan.setAttribute(MESH_ATTEMPTS, (long) result.attempts());
    if (result.route() != call.route()) {
      callSpan.setAttribute(MESH_ROUTE, result.route().tag());
    }
    if (result.status() >= 0) {
      callSpan.setAttribute(HTTP_RESPONSE_STATUS_CODE, (long) result.status());
    }
    Throwable error = result.error();
    // after a rejection, error.type and the status already name it (breaker_rejected, rate_limited...)
    if (!rejected && error != null) {
      callSpan.setAttribute(ERROR_TYPE, error.getClass().getName());
      callSpan.setStatus(StatusCode.ERROR, String.valueOf(error.getMessage()));
    } else if (!rejected && result.status() >= 400) {
      callSpan.setAttribute(ERROR_TYPE, Integer.toString(result.status()));
      callSpan.setStatus(StatusCode.ERROR);
    }
    callSpan.end();
  }
}
