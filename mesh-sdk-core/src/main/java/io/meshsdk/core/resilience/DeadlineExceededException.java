package io.meshsdk.core.resilience;

import io.meshsdk.core.common.MeshRejectedException;

/**
 * The call's deadline (its own {@code timeout.call} or one propagated from the inbound request) left no time for
 * an attempt, or passed while the response was on its way (headers or body). No stack trace (a hot-path
 * rejection).
 */
public final class DeadlineExceededException extends MeshRejectedException {

  private static final long serialVersionUID = 1L;

  private final String detail;

  /** For {@code service}; {@code detail} says how much time was left or spent. */
  public DeadlineExceededException(String service, String detail) {
    super(service);
    this.detail = detail;
  }

  @Override
  protected String describe() {
    return "deadline of call to service '" + service() + "' exceeded: " + detail;
  }

  /** For {@code service}, cut short while it was running; {@code cause} is how the exchange failed. */
  public DeadlineExceededException(String service, String detail, Throwable cause) {
    super(service, "deadline of call to service '" + service + "' exceeded: " + detail, cause);
    this.detail = detail;
  }
}
