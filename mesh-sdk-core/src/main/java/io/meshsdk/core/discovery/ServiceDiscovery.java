package io.meshsdk.core.discovery;

import java.util.Set;

/**
 * SPI for a discovery backend (static list, file, DNS, ZooKeeper, etcd, Kubernetes...).
 *
 * <p>Contract, modelled on gRPC's {@code NameResolver}:
 *
 * <ul>
 *   <li>{@link #watch} never throws for backend trouble: it reports failures to
 *       {@link DiscoveryListener#onError} and keeps trying by itself.
 *   <li>Backends push <em>full snapshots</em>; a poll-only backend polls inside.
 *   <li>Callbacks for one subscription are serialized and must not block the backend's thread for long.
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
   * Services this backend knows without being asked, for backends that hold a full list (static, file).
   * The mesh treats them as declared services. Default: none.
   */
  default Set<String> knownServices() {
    return Set.of();
  }

  /** Stops all watches and releases resources. Never throws. */
  @Override
  void close();

  /** A running watch; closing it stops the callbacks. */
  @FunctionalInterface
  interface Subscription extends AutoCloseable {
    /** Stops the watch. Idempotent; never throws. */
    @Override
    void close();
  }
}
