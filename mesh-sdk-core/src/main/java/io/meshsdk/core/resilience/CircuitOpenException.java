package io.meshsdk.core.resilience;

import io.meshsdk.core.common.MeshRejectedException;

/**
 * The service circuit breaker refused the call: it failed at once, without network I/O. No stack trace
 * (a hot-path rejection).
 */
public final class CircuitOpenException extends MeshRejectedException {

  private static final long serialVersionUID = 1L;

  private final String state;

  /** For {@code service} whose breaker is in {@code state} (e.g. {@code OPEN}, {@code HALF_OPEN}). */
  public CircuitOpenException(String service, String state) {
    super(service);
    this.state = state;
  }

  @Override
  protected String describe() {
    return "circuit breaker of service '" + service() + "' is " + state + " and does not permit further calls";
  }

  /** The breaker state at rejection, e.g. {@code OPEN}. */
  public String state() {
    return state;
  }
}
