package io.meshsdk.core.resilience;

import io.meshsdk.core.MeshException;

/**
 * The call's deadline (its own {@code timeout.call} or one propagated from the inbound request) left no time
 * for an attempt. No stack trace (a hot-path rejection).
 */
public final class DeadlineExceededException extends MeshException {

  private static final long serialVersionUID = 1L;

  /** For {@code service}; {@code detail} says how much time was left or spent. */
  public DeadlineExceededException(String service, String detail) {
    super(service, "deadline of call to service '" + service + "' exceeded: " + detail, false);
  }
}
