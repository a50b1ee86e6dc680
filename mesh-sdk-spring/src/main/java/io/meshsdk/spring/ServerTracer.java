package io.meshsdk.spring;

import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Starts the SERVER span of an inbound request for {@link MeshInboundFilter}; the starter implements it with
 * mesh-tracing's {@code MeshServerTracing} when that module is on the class path, else {@link #NOOP}.
 */
public interface ServerTracer {

  /** Starts no span. */
  ServerTracer NOOP = (method, path, headers) -> Scope.NOOP;

  /** Starts the span of a request and makes it current until the scope is closed. */
  Scope start(String method, String path, Function<String, @Nullable String> headers);

  /** A started span, current on this thread. */
  interface Scope extends AutoCloseable {

    /** A scope that records nothing. */
    Scope NOOP = new Scope() {
      @Override
      public void status(int status) {}

      @Override
      public void error(Throwable error) {}

      @Override
      public void close() {}
    };

    /** Records the status sent. */
    void status(int status);

    /** Records who called, as the inbound guard established it, and how (lower-case source name). */
    default void caller(String caller, String source) {}

    /** Records a failure of the handler. */
    void error(Throwable error);

    /** Ends the span and leaves its context. */
    @Override
    void close();
  }
}
