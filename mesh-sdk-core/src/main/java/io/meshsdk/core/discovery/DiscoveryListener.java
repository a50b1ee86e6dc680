package io.meshsdk.core.discovery;

import io.meshsdk.core.endpoint.Endpoint;
import java.util.List;

/**
 * Receives what a {@link ServiceDiscovery} backend learns about one service.
 *
 * <p>Threading: calls are serialized by the backend and never made while it holds a lock. Implementations return
 * quickly and never throw; the mesh's directory (the usual listener) only swaps a snapshot.
 */
public interface DiscoveryListener {

  /**
   * The full current set of endpoints of the service (not a delta). An empty list means "the backend says there
   * are none right now"; the mesh keeps the last-known-good set in that case unless {@link #onServiceDeleted()} is
   * called.
   */
  void onEndpoints(List<Endpoint> endpoints);

  /** The backend says the service was really deleted: drop its endpoints, even the last-known-good ones. */
  void onServiceDeleted();

  /** The backend failed to read the service; the mesh keeps serving the last-known-good endpoints. */
  void onError(Throwable error);
}
