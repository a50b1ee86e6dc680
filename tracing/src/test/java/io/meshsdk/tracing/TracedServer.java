package io.meshsdk.tracing;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.SpanContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * "Service B": a real JDK HTTP server on 127.0.0.1 (ephemeral port) whose handler uses
 * {@link MeshServerTracing}, answers {@code status} and remembers what each request carried.
 */
final class TracedServer implements AutoCloseable {

  /** What one request carried, as seen inside its SERVER span. */
  record Received(Map<String, String> headers, Baggage baggage, SpanContext serverSpan) {}

  private final HttpServer server;
  final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
  volatile int status = 200;
  /** While positive, a request is answered 503 and this is decremented (a transient failure). */
  final java.util.concurrent.atomic.AtomicInteger failNext = new java.util.concurrent.atomic.AtomicInteger();

  TracedServer(MeshServerTracing tracing) {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", exchange -> {
      try (ServerSpan span = tracing.start(
          exchange.getRequestMethod(), exchange.getRequestURI().getPath(), exchange.getRequestHeaders()::getFirst)) {
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k, String.join(",", v)));
        received.add(new Received(headers, Baggage.current(), span.span().getSpanContext()));
        int code = failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? 503 : status;
        span.status(code);
        exchange.sendResponseHeaders(code, -1);
      } finally {
        exchange.close();
      }
    });
    server.start();
  }

  String host() {
    return server.getAddress().getAddress().getHostAddress();
  }

  int port() {
    return server.getAddress().getPort();
  }

  List<Received> requests() {
    return List.copyOf(received);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
