package io.meshsdk.spring;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.MeshHeaders;
import io.meshsdk.core.inbound.InboundGuard;
import io.meshsdk.core.inbound.InboundRequest;
import io.meshsdk.core.metrics.MeshServerMetrics;
import io.meshsdk.core.resilience.Deadlines;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.jspecify.annotations.Nullable;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The server side of the mesh for servlet applications: establishes who is calling (the verified client
 * certificate's SPIFFE id, or the caller a trusted hop forwards; see {@link InboundGuard}), applies the
 * {@link InboundGuard} (per-caller and overall limits, the caller's deadline as the deadline of every mesh call made while serving, graceful drain), continues
 * the caller's trace (a SERVER span, when a {@link ServerTracer} is set) and records {@code mesh.server.requests}.
 *
 * <p>A refused request gets the guard's status (429, 503, or 504 for a deadline already passed) and
 * {@code Retry-After}; while draining, 503 with {@code x-mesh-draining: true} and {@code Connection: close}, so
 * mesh callers send it to another instance whatever its method. Asynchronous requests are counted until the
 * dispatching thread returns, not until the async result is written.
 */
public final class MeshInboundFilter extends OncePerRequestFilter {

  /**
   * The request attribute that holds who called, as the guard established it (a SPIFFE id, a caller a trusted hop
   * forwarded, or {@code anonymous}): what the application should read, never the raw caller header.
   */
  public static final String CALLER_ATTRIBUTE = "io.meshsdk.caller";

  private final InboundGuard guard;
  private final @Nullable MeshServerMetrics metrics;
  private final ServerTracer tracer;

  /**
   * A filter over {@code guard}.
   *
   * @param metrics where server metrics go, or {@code null} for none
   * @param tracer starts SERVER spans ({@link ServerTracer#NOOP} for none)
   */
  public MeshInboundFilter(InboundGuard guard, @Nullable MeshServerMetrics metrics, ServerTracer tracer) {
    this.guard = requireNonNull(guard, "guard");
    this.metrics = metrics;
    this.tracer = requireNonNull(tracer, "tracer");
  }

  /** The guard this filter applies (for tests and reports). */
  public InboundGuard guard() {
    return guard;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    long start = System.nanoTime();
    InboundRequest inbound = InboundRequest.builder()
        .method(request.getMethod())
        .path(request.getRequestURI())
        .remoteAddress(request.getRemoteAddr())
        .peerIdentity(ClientCertificates.identity(request))
        .callerHeader(request.getHeader(guard.callerHeader()))
        .deadlineHeader(request.getHeader(Deadlines.HEADER))
        .build();
    try (InboundGuard.Admission a = guard.admit(inbound)) {
      if (!a.admitted()) {
        response.setStatus(a.status());
        String retryAfter = a.retryAfterSeconds();
        if (retryAfter != null) {
          response.setHeader("Retry-After", retryAfter);
        }
        if (a.draining()) {
          response.setHeader(MeshHeaders.DRAINING, "true");
          response.setHeader("Connection", "close");
        }
        record(a.caller(), a.status(), null, start);
        return;
      }
      request.setAttribute(CALLER_ATTRIBUTE, a.caller());
      Throwable failure = null;
      try (ServerTracer.Scope span = tracer.start(request.getMethod(), request.getRequestURI(), request::getHeader)) {
        span.caller(a.caller(), a.callerSource().name().toLowerCase(java.util.Locale.ROOT));
        try {
          chain.doFilter(request, response);
          span.status(response.getStatus());
        } catch (IOException | ServletException | RuntimeException | Error e) {
          failure = e;
          span.error(e);
          throw e;
        }
      } finally {
        record(a.caller(), failure == null ? response.getStatus() : 500, failure, start);
      }
    }
  }

  private void record(@Nullable String caller, int status, @Nullable Throwable error, long start) {
    MeshServerMetrics m = metrics;
    if (m != null) {
      m.record(caller, status, error, System.nanoTime() - start);
    }
  }
}
