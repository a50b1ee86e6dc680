package io.meshsdk.tracing;

import static java.util.Objects.requireNonNull;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Server side, transport-neutral: extracts the caller's context from inbound headers (through a
 * {@code name -> value} function, so any server can use it), starts a SERVER span as its child and makes it
 * current until {@link ServerSpan#close()}. The Spring filter and plain servers use it alike:
 *
 * <pre>{@code
 * try (ServerSpan span = serverTracing.start(method, path, exchange.getRequestHeaders()::getFirst)) {
 *   int status = handle(exchange);
 *   span.status(status);
 * }
 * }</pre>
 */
public final class MeshServerTracing {

  private final boolean enabled;
  private final Tracer tracer;
  private final TextMapPropagator propagator;

  MeshServerTracing(boolean enabled, Tracer tracer, TextMapPropagator propagator) {
    this.enabled = enabled;
    this.tracer = tracer;
    this.propagator = propagator;
  }

  /**
   * Starts the SERVER span of an inbound request.
   *
   * @param method the HTTP method
   * @param path the request path (not the query)
   * @param headers inbound header lookup; returns {@code null} when absent
   */
  public ServerSpan start(String method, String path, Function<String, @Nullable String> headers) {
    return start(method, path, null, headers);
  }

  /**
   * Starts the SERVER span of an inbound request whose route template ({@code /items/{id}}) is known; the
   * span is named {@code <method> <route>}, else {@code <method>}.
   */
  @SuppressWarnings("MustBeClosedChecker") // the returned ServerSpan owns the scope and closes it
  public ServerSpan start(
      String method, String path, @Nullable String route, Function<String, @Nullable String> headers) {
    requireNonNull(method, "method");
    requireNonNull(path, "path");
    requireNonNull(headers, "headers");
    if (!enabled) {
      return ServerSpan.NOOP;
    }
    Context extracted = propagator.extract(Context.current(), headers, HeaderAccess.GETTER);
    var b = tracer.spanBuilder(route == null ? method : method + " " + route)
        .setParent(extracted)
        .setSpanKind(SpanKind.SERVER)
        .setAttribute(SemanticAttributes.HTTP_REQUEST_METHOD, method)
        .setAttribute(SemanticAttributes.URL_PATH, path);
    if (route != null) {
      b.setAttribute(SemanticAttributes.HTTP_ROUTE, route);
    }
    Span span = b.startSpan();
    Context context = extracted.with(span);
    return new ServerSpan(span, context, context.makeCurrent());
  }
}
