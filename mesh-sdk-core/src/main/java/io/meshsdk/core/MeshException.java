package io.meshsdk.core;

import java.io.IOException;

/**
 * Base class of the exceptions the mesh raises on the call path. It extends {@link IOException} so that it
 * travels through OkHttp's {@code Interceptor} and {@code Call.execute()} unchanged, and callers that already
 * handle I/O failures handle it too.
 */
public class MeshException extends IOException {

  private static final long serialVersionUID = 1L;

  private final String service;

  /** An exception about {@code service}. */
  public MeshException(String service, String message) {
    super(message);
    this.service = service;
  }

  /** An exception about {@code service} with a cause. */
  public MeshException(String service, String message, Throwable cause) {
    super(message, cause);
    this.service = service;
  }

  /**
   * An exception about {@code service}, optionally without a stack trace (for rejections that happen on the
   * hot path, where the trace costs more than the call).
   */
  protected MeshException(String service, String message, boolean writableStackTrace) {
    super(message);
    this.service = service;
    if (!writableStackTrace) {
      setStackTrace(new StackTraceElement[0]);
    }
  }

  /** The service the failed call was for. */
  public String service() {
    return service;
  }
}
