package io.meshsdk.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;


/**
 * The SERVER span of one inbound request, current on the thread that started it until {@link #close()}.
 * Close it on that same thread (try-with-resources).
 */
public final class ServerSpan implements AutoCloseable {

  static final ServerSpan NOOP = new ServerSpan(Span.getInvalid(), Context.root(), Scope.noop());

  private final Span span;
  private final Context context;
  private final Scope scope;

  ServerSpan(Span span, Context context, Scope scope) {
    this.span = span;
    this.context = context;
    this.scope = scope;
  }

  /** The span. */
  public Span span() {
    return span;
  }

  /** The context of the request: the caller's baggage and this span. */
  public Context context() {
    return context;
  }

  /** Records the status sent; 5xx marks the span as an error (4xx is the client's, per the conventions). */
  public void status(int status) {
    span.setAttribute(SemanticAttributes.HTTP_RESPONSE_STATUS_CODE, (long) status);
    if (status >= 500) {
      span.setAttribute(SemanticAttributes.ERROR_TYPE, Integer.toString(status));
      span.setStatus(StatusCode.ERROR);
    }
  }

  /**
   * Records who called, as the inbound guard established it ({@code InboundGuard.Admission#caller()}), and how
   * ({@code certificate}, {@code trusted_hop}, {@code plaintext_header}, {@code none}).
   */
  public void caller(String caller, String source) {
    span.setAttribute(SemanticAttributes.MESH_CALLER, caller);
    span.setAttribute(SemanticAttributes.MESH_CALLER_SOURCE, source);
  }

  /** Records a failure of the handler. */
  public void error(Throwable error) {
    span.setAttribute(SemanticAttributes.ERROR_TYPE, error.getClass().getName());
    span.recordException(error);
    span.setStatus(StatusCode.ERROR, String.valueOf(error.getMessage()));
  }

  /** Leaves the request's context and ends the span. */
  @Override
  public void close() {
    scope.close();
    span.end();
  }

  @Override
  public String toString() {
    return "ServerSpan{" + span.getSpanContext() + "}";
  }

}
