package io.meshsdk.core.common;

import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * Base class of the exceptions the mesh raises on the call path. It extends {@link IOException} so that it
 * travels through HTTP clients' interceptors and {@code execute()} unchanged, and callers that already handle
 * I/O failures handle it too.
 */
public class MeshException extends IOException {

  private static final long serialVersionUID = 1L;

  private final String service;

  /** An exception about {@code service} ({@code message} null only for a subclass that composes it later). */
  public MeshException(String service, @Nullable String message) {
    super(message);
    this.service = service;
  }

  /** An exception about {@code service} with a cause. */
  public MeshException(String service, String message, @Nullable Throwable cause) {
    super(message, cause);
    this.service = service;
  }

  /** The service the failed call was for. */
  public String service() {
    return service;
  }
}
