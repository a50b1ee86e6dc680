package io.meshsdk.core.resilience;

import io.meshsdk.core.common.MeshRejectedException;

/**
 * The outbound rate limiter of the service refused the call (no permit within the configured wait); the call
 * failed without network I/O. No stack trace (a hot-path rejection).
 */
public final class RateLimitedException extends MeshRejectedException {

  private static final long serialVersionUID = 1L;

  private final int permits;
  private final long periodMillis;

  /** For {@code service}, limited to {@code permits} per {@code period}. */
  public RateLimitedException(String service, int permits, java.time.Duration period) {
    super(service);
    this.permits = permits;
    this.periodMillis = period.toMillis();
  }

  @Override
  protected String describe() {
    return "outbound rate limit of service '" + service() + "' reached (" + permits + " per " + periodMillis
        + " ms)";
  }
}
