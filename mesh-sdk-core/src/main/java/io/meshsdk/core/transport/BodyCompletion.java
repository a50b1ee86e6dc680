package io.meshsdk.core.transport;

import io.meshsdk.core.common.UnstableApi;
import java.io.IOException;

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
}
