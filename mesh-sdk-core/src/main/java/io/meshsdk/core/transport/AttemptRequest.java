package io.meshsdk.core.transport;

import io.meshsdk.core.common.UnstableApi;
import okhttp3.HttpUrl;
import org.jspecify.annotations.Nullable;

/**
 * What one attempt sends: where (an endpoint, or the sidecar), which headers the mesh sets or removes, and how
 * long the attempt may wait. Valid only during {@link TransportCall#send}.
 */
@UnstableApi
public interface AttemptRequest {

  /** The physical URL of this attempt (endpoint or sidecar scheme, host and port; the logical path and query). */
  HttpUrl url();

  /**
   * The {@code Host} header to send instead of the URL's authority (the sidecar's host-header hand-off), or
   * {@code null}.
   */
  @Nullable String hostHeader();

  /** How many headers the mesh sets on this attempt (each replaces any value the request had). */
  int headerCount();

  /** The name of header {@code i} to set. */
  String headerName(int i);

  /** The value of header {@code i} to set. */
  String headerValue(int i);

  /** How many headers the mesh removes from this attempt (mesh-owned headers the application set). */
  int removedCount();

  /** The name of header {@code i} to remove. */
  String removedName(int i);

  /**
   * Connect, read and write timeout of this attempt in nanoseconds (the smaller of the per-attempt timeout and the
   * time left before the call's deadline), or 0 for the client's own.
   */
  long timeoutNanos();
}
