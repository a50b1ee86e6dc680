package io.meshsdk.core.discovery;

import java.util.Set;
import java.util.function.Consumer;

/**
 * SPI for a discovery backend (static list, file, DNS, ZooKeeper, etcd, Kubernetes...). Extend
 * {@link AbstractServiceDiscovery} rather than implementing this directly: it provides the watchers, the
 * serialized callbacks and the error rules below.
 *
 * <p>Contract, modelled on gRPC's {@code NameResolver}:
 *
 * <ul>
 *   <li>{@link #watch} never throws for backend trouble: it reports failures to {@link DiscoveryListener#onError}
 *       and keeps trying by itself. The mesh then keeps serving the last-known-good endpoints.
 *   <li>Backends push <em>full snapshots</em> of a service; a poll-only backend polls inside.
 *   <li>Callbacks for one backend are serialized, never made while the backend holds a lock, and must not block
 *       the backend's thread for long.
 *   <li>Nothing blocks the call path: the mesh reads snapshots the backend pushed earlier.
 * </ul>
 */
public interface ServiceDiscovery extends AutoCloseable {

  /** A short name for logs and metrics, e.g. {@code static}, {@code file}, {@code zookeeper}. */
  String name();

  /**
   * Starts watching {@code service}. The listener receives the current endpoints as soon as they are known
   * (possibly before this method returns) and every change after that, until the subscription is closed.
   */
  Subscription watch(String service, DiscoveryListener listener);

  /**
   * Follows the names of the services this backend can list: {@code listener} gets the full set of names now
   * (possibly before this method returns) and again after every change, so that a service that appears after the
   * mesh started becomes a mesh host. Default: a backend that cannot list services (DNS) reports nothing; its
   * services are the ones declared in the config or called under the mesh domain.
   */
  default Subscription watchServices(Consumer<Set<String>> listener) {
    return Subscription.NONE;
  }

  /** The backend's health now: whether it is connected, when it last updated, its last error. */
  default DiscoveryHealth health() {
    return DiscoveryHealth.UNKNOWN;
  }

  /** Stops all watches and releases resources (threads, connections). Never throws. */
  @Override
  void close();

  /** A running watch; closing it stops the callbacks. */
  @FunctionalInterface
  interface Subscription extends AutoCloseable {
    /** A subscription with nothing to stop. */
    Subscription NONE = () -> {};

    /** Stops the watch. Idempotent; never throws. */
    @Override
    void close();
  }
}
