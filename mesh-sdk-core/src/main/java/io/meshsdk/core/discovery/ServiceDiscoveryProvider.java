package io.meshsdk.core.discovery;

import java.net.URI;
import java.util.Map;
import java.util.Set;

/**
 * SPI: makes {@link ServiceDiscovery} backends for one or more URI schemes, so that a property
 * ({@code mesh.discovery.uri=zookeeper://127.0.0.1:2181/services}) or the Spring starter selects a backend.
 * Found with {@link java.util.ServiceLoader} ({@code META-INF/services/io.meshsdk.core.discovery.ServiceDiscoveryProvider});
 * the built-in {@code static:} and {@code file:} schemes need no registration. See {@link ServiceDiscoveries}.
 */
public interface ServiceDiscoveryProvider {

  /** The URI schemes this provider handles, lower case, e.g. {@code zookeeper} and {@code zk}. */
  Set<String> schemes();

  /** Whether the provider can run here (its client library is on the class path). Default: yes. */
  default boolean isAvailable() {
    return true;
  }

  /** Among providers of the same scheme, the highest priority wins. Default 5. */
  default int priority() {
    return 5;
  }

  /**
   * The keys this provider reads from {@code properties} (relative to {@code mesh.discovery.<scheme>.}), for the
   * error that names an unknown key. Default: none.
   */
  default Set<String> propertyKeys() {
    return Set.of();
  }

  /**
   * A new backend for {@code uri}.
   *
   * @param uri the backend's URI; its scheme is one of {@link #schemes()}
   * @param properties the provider's own settings, keys relative to {@code mesh.discovery.<scheme>.} (e.g.
   *     {@code session-timeout}), already checked against {@link #propertyKeys()}
   * @throws io.meshsdk.core.common.ConfigException naming the key (or {@code mesh.discovery.uri}), the value and
   *     what is allowed, for anything invalid
   */
  ServiceDiscovery create(URI uri, Map<String, String> properties);
}
