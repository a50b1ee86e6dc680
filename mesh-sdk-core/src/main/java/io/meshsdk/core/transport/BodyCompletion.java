package io.meshsdk.core.transport;

import io.meshsdk.core.common.UnstableApi;
import java.io.IOException;
import java.io.InputStream;

/** Told how reading a response body ended, so that the call's outcome is known only then. */
@UnstableApi
public interface BodyCompletion {

  /** The body was read to its end, or closed by the reader. Idempotent. */
  void bodyComplete();

  /**
   * Reading the body failed with {@code e} (a reset, a truncated body, the deadline): the engine records the
   * failure and returns the exception to throw to the reader (a deadline exception when the deadline cut it).
   */
  IOException bodyFailed(IOException e);

  /**
   * {@code in}, telling this completion how reading it ended: its end or {@code close()} completes the body, a
   * failed read is reported (and the exception {@link #bodyFailed} returns is thrown). For transports whose response
   * body is an {@link InputStream}.
   */
  default InputStream track(InputStream in) {
    return new TrackedInputStream(in, this);
  }
}
