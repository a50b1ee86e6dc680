package io.meshsdk.core.sidecar;

/**
 * A flip of an {@link InboundRegistration} did not happen: the target listener does not accept connections, or
 * the registry did not acknowledge the new entry in time (unreachable, session lost). The instance stays registered
 * as it was: the message names the address still advertised.
 */
public final class InboundFlipException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** With a message saying what failed and what stays registered. */
  public InboundFlipException(String message) {
    super(message);
  }

  /** With a message and the cause. */
  public InboundFlipException(String message, Throwable cause) {
    super(message, cause);
  }
}
