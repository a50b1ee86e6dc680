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
  private final long overByMillis;

  /** For {@code service}; {@code detail} says how much time was left or spent. */
  public DeadlineExceededException(String service, String detail) {
    this(service, detail, -1);
  }

  /**
   * For {@code service}, refused {@code overByMillis} after its deadline; the message, composed only when read, is
   * {@code detail} followed by {@code (over by N ms)}. Nothing but the exception is allocated.
   */
  public DeadlineExceededException(String service, String detail, long overByMillis) {
    super(service);
    this.detail = detail;
    this.overByMillis = overByMillis;
  }

  @Override
  protected String describe() {
    return "deadline of call to service '" + service() + "' exceeded: " + detail
        + (overByMillis < 0 ? "" : " (over by " + overByMillis + " ms)");
  }

  /** For {@code service}, cut short while it was running; {@code cause} is how the exchange failed. */
  public DeadlineExceededException(String service, String detail, Throwable cause) {
    super(service, "deadline of call to service '" + service + "' exceeded: " + detail, cause);
    this.detail = detail;
    this.overByMillis = -1;
  }
}
