package io.meshsdk.core.client;

import io.meshsdk.core.common.MeshException;

/**
 * The call named a mesh service after the mesh was closed: it fails at once, without network I/O, rather than
 * leave the mesh for plain DNS.
 */
public final class MeshClosedException extends MeshException {

  private static final long serialVersionUID = 1L;

  /** For {@code service} (or host). */
  public MeshClosedException(String service) {
    super(service, "the mesh is closed: call to mesh service '" + service + "' refused");
  }
}
