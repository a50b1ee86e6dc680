package io.meshsdk.spring;

import static java.util.Objects.requireNonNull;

import io.meshsdk.tracing.MeshServerTracing;
import io.meshsdk.tracing.ServerSpan;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/** {@link ServerTracer} over mesh-tracing's {@link MeshServerTracing} (loaded only when mesh-tracing is present). */
final class MeshTracingServerTracer implements ServerTracer {

  private final MeshServerTracing tracing;

  MeshTracingServerTracer(MeshServerTracing tracing) {
    this.tracing = requireNonNull(tracing, "tracing");
  }

  @Override
  @SuppressWarnings("MustBeClosedChecker") // the returned scope owns the span and closes it
  public Scope start(String method, String path, Function<String, @Nullable String> headers) {
    ServerSpan span = tracing.start(method, path, headers);
    return new Scope() {
      @Override
      public void status(int status) {
        span.status(status);
      }

      @Override
      public void error(Throwable error) {
        span.error(error);
      }

      @Override
      public void caller(String caller, String source) {
        span.caller(caller, source);
      }

      @Override
      public void close() {
        span.close();
      }
    };
  }
}
