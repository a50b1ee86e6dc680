package io.meshsdk.core.client;

import io.meshsdk.core.common.MeshException;

/**
 * The service is known but has no endpoint a call could go to (none discovered, or every one excluded).
 * Fails at once, before any network I/O.
 */
public final class NoEndpointAvailableException extends MeshException {

  private static final long serialVersionUID = 1L;

  /** For {@code service}; {@code detail} says why nothing was available. */
  public NoEndpointAvailableException(String service, String detail) {
    super(service, "no endpoint available for service '" + service + "': " + detail);
  }
}
