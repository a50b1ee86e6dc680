package io.meshsdk.core.client;

import io.meshsdk.core.common.MeshException;

/**
 * The call named a mesh service (by the mesh domain suffix) that neither the config nor discovery knows.
 * Fails at once, before any network I/O.
 */
public final class UnknownServiceException extends MeshException {

  private static final long serialVersionUID = 1L;

  /** For {@code service}; {@code detail} says where the mesh looked. */
  public UnknownServiceException(String service, String detail) {
    super(service, "unknown mesh service '" + service + "': " + detail);
  }
}
