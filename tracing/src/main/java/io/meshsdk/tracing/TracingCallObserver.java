package io.meshsdk.tracing;

import static io.meshsdk.tracing.SemanticAttributes.ERROR_TYPE;
import static io.meshsdk.tracing.SemanticAttributes.HTTP_REQUEST_METHOD;
import static io.meshsdk.tracing.SemanticAttributes.HTTP_REQUEST_RESEND_COUNT;
import static io.meshsdk.tracing.SemanticAttributes.HTTP_RESPONSE_STATUS_CODE;
import static io.meshsdk.tracing.SemanticAttributes.MESH_ATTEMPTS;
import static io.meshsdk.tracing.SemanticAttributes.MESH_DETAIL;
import static io.meshsdk.tracing.SemanticAttributes.MESH_ENDPOINT_ID;
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
import io.meshsdk.core.observe.Outcome;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A sampled logical call, as the HTTP client semantic conventions model it: one CLIENT span per attempt, each a
 * child of the call's parent context (retries are siblings with {@code http.request.resend_count}), each
 * attempt's context injected into that attempt's headers. A call with no parent has no trace to share: its first
 * attempt's span is the trace's root and its retries are children of it, so that they stay in one trace. No span stands for the call as a whole, except for a
 * call that ended without any attempt (rejected by the mesh): then one INTERNAL span {@code <method> <service>}
 * records why ({@code error.type} = the rejection's reason).
 *
 * <p>Timing: an attempt that is followed by another ends when it ended (its span is closed with that time when
 * the next attempt starts); the call's last attempt ends with the call. The engine reports the last attempt's end
 * when the response the caller got has been read, with the call's outcome, so that span covers the body, and a
 * body that fails half-way marks it as an error. Mesh events go on the span of
 * the attempt they follow (a retry's reason on the attempt that failed); events before the first attempt go on
 * the first attempt's span with the time they happened.
 *
 * <p>Callbacks come in order on one thread at a time.
 */
final class TracingCallObserver implements CallObserver {

  private final Tracer tracer;
  private final TextMapPropagator propagator;
  private final CallInfo call;
  private final Context parent;
  /** Whether the call has no parent span (its first attempt starts the trace). */
  private final boolean root;
  /** A root call's retries' parent: its first attempt's span. */
  private @Nullable Context firstAttempt;
  /** The current attempt's span, or the last one's, open until the next attempt starts or the call ends. */
  private @Nullable Span span;
  /** {@link #attemptEndNanos} of an attempt that succeeded: no other attempt follows it. */
  private static final long NOT_TIMED = Long.MIN_VALUE;
  /**
   * {@link System#nanoTime()} when {@link #span}'s attempt ended, or {@link #NOT_TIMED}; meaningful once
   * {@link #attemptEnded}.
   */
  private long attemptEndNanos;
  private boolean attemptEnded;
  /** Events that came before any attempt (rare: fallbacks, shadow decisions, rejections). */
  private @Nullable List<PendingEvent> pending;
  /** The tag of the rejection that ended the call, if one did. */
  private @Nullable String rejection;
  private String rejectionDetail = "";

  TracingCallObserver(Tracer tracer, TextMapPropagator propagator, CallInfo call, Context parent, boolean root) {
    this.tracer = tracer;
    this.propagator = propagator;
    this.call = call;
    this.parent = parent;
    this.root = root;
  }

  @Override
  public void onAttemptStart(AttemptInfo attempt, OutboundHeaders headers) {
    Span previous = span;
    if (previous != null) {
      closeEarlierAttempt(previous);
    }
    Context retryParent = firstAttempt;
    Context spanParent = retryParent == null ? parent : retryParent;
    var b = tracer.spanBuilder(call.method())
        .setParent(spanParent)
        .setSpanKind(SpanKind.CLIENT)
        .setAttribute(HTTP_REQUEST_METHOD, call.method())
        .setAttribute(SERVER_ADDRESS, attempt.url().host())
        .setAttribute(SERVER_PORT, (long) attempt.url().port())
        .setAttribute(URL_FULL, UrlRedactor.redact(attempt.url()))
        .setAttribute(MESH_SERVICE, call.service())
        .setAttribute(MESH_ROUTE, attempt.route().tag());
    EndpointState endpoint = attempt.endpoint();
    if (endpoint != null) {
      b.setAttribute(MESH_ENDPOINT_ID, endpoint.endpoint().id());
    }
    if (attempt.attempt() > 0) {
      b.setAttribute(HTTP_REQUEST_RESEND_COUNT, (long) attempt.attempt());
    }
    Span s = b.startSpan();
    List<PendingEvent> before = pending;
    if (before != null) {
      pending = null;
      for (PendingEvent e : before) {
        s.addEvent(e.name(), Attributes.of(MESH_DETAIL, e.detail()), e.at());
      }
    }
    span = s;
    attemptEnded = false;
    Context attemptContext = spanParent.with(s);
    if (root && retryParent == null) {
      firstAttempt = attemptContext;
    }
    propagator.inject(attemptContext, headers, HeaderAccess.SETTER);
  }

  /** Ends the span of an attempt that another attempt follows, at the time that attempt ended. */
  private void closeEarlierAttempt(Span previous) {
    if (!attemptEnded || attemptEndNanos == NOT_TIMED) { // onAttemptEnd skipped, or after a success: end it now
      previous.end();
      return;
    }
    long sinceEnd = System.nanoTime() - attemptEndNanos;
    previous.end(Instant.now().minusNanos(Math.max(0L, sinceEnd)));
  }

  @Override
  public void onAttemptEnd(AttemptInfo attempt, AttemptResult result) {
    Span s = span;
    if (s == null || attemptEnded) {
      return;
    }
    attemptEnded = true;
    markOutcome(s, result.status(), result.error());
    // only an attempt that failed is followed by another: a success needs no end time of its own (it is the
    // call's last attempt, whose span ends with the call), which saves a clock read on almost every call. Read
    // after the outcome is recorded, so that its exception event lies inside the span.
    attemptEndNanos = result.outcome() == Outcome.SUCCESS ? NOT_TIMED : System.nanoTime();
  }

  /** Client-span status per the HTTP conventions: 4xx and 5xx are errors, and so is any exception. */
  private static void markOutcome(Span span, int status, @Nullable Throwable error) {
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
  }

  @Override
  public void onEvent(MeshEvent event, String detail) {
    String name = "mesh." + event.tag();
    if (isRejection(event)) {
      rejection = event.tag();
      rejectionDetail = detail;
    }
    Span s = span;
    if (s != null) {
      s.addEvent(name, Attributes.of(MESH_DETAIL, detail));
      if (attemptEnded && attemptEndNanos != NOT_TIMED) {
        // an event after the attempt's end (the retry or fallback it led to): the span ends after it, still
        // before the backoff that may follow
        attemptEndNanos = System.nanoTime();
      }
      return;
    }
    List<PendingEvent> before = pending;
    if (before == null) {
      before = new ArrayList<>(2);
      pending = before;
    }
    before.add(new PendingEvent(name, detail, Instant.now()));
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
    Span s = span;
    if (s == null) {
      noAttemptSpan(result);
      return;
    }
    span = null;
    if (!attemptEnded) { // the engine skipped onAttemptEnd
      markOutcome(s, result.status(), result.error());
    }
    s.end();
  }

  /** A call that ended before any attempt: one INTERNAL span says why. */
  private void noAttemptSpan(CallResult result) {
    List<PendingEvent> before = pending;
    pending = null;
    var b = tracer.spanBuilder(call.method() + " " + call.service())
        .setParent(parent)
        .setSpanKind(SpanKind.INTERNAL)
        .setAttribute(HTTP_REQUEST_METHOD, call.method())
        .setAttribute(MESH_SERVICE, call.service())
        .setAttribute(MESH_ROUTE, result.route().tag())
        .setAttribute(MESH_ATTEMPTS, (long) result.attempts());
    if (before != null && !before.isEmpty()) {
      b.setStartTimestamp(before.get(0).at());
    }
    Span s = b.startSpan();
    if (before != null) {
      for (PendingEvent e : before) {
        s.addEvent(e.name(), Attributes.of(MESH_DETAIL, e.detail()), e.at());
      }
    }
    String reason = rejection;
    Throwable error = result.error();
    if (reason != null) {
      s.setAttribute(ERROR_TYPE, reason);
      s.setStatus(StatusCode.ERROR, reason + (rejectionDetail.isEmpty() ? "" : ": " + rejectionDetail));
    } else if (error != null) {
      s.setAttribute(ERROR_TYPE, error.getClass().getName());
      s.recordException(error);
      s.setStatus(StatusCode.ERROR, String.valueOf(error.getMessage()));
    } else if (result.status() >= 400) {
      s.setAttribute(ERROR_TYPE, Integer.toString(result.status()));
      s.setStatus(StatusCode.ERROR);
    }
    if (result.status() >= 0) {
      s.setAttribute(HTTP_RESPONSE_STATUS_CODE, (long) result.status());
    }
    s.end();
  }

  /** An event that came before the first attempt, kept with its time until that attempt's span exists. */
  private record PendingEvent(String name, String detail, Instant at) {}
}
