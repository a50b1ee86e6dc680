package io.meshsdk.core.registration;

import java.net.URI;
import java.util.Map;
import java.util.Set;

/**
 * SPI: makes {@link ServiceRegistry} backends for URI schemes ({@code zookeeper://…}, {@code etcd://…}), found with
 * {@link java.util.ServiceLoader} ({@code META-INF/services/io.meshsdk.core.registration.ServiceRegistryProvider}),
 * so that one property ({@code mesh.registry.uri}) selects where this process
 * registers. See {@link ServiceRegistries}.
 */
public interface ServiceRegistryProvider {

  /** The URI schemes this provider handles, lower case. */
  Set<String> schemes();

  /** Whether the provider can run here. Default: yes. */
  default boolean isAvailable() {
    return true;
  }

  /** The keys this provider reads, relative to {@code mesh.registry.<scheme>.}. Default: none. */
  default Set<String> propertyKeys() {
    return Set.of();
  }

  /**
   * A new registry for {@code uri}.
   *
   * @throws io.meshsdk.core.common.ConfigException naming the key, the value and what is allowed
   */
  ServiceRegistry create(URI uri, Map<String, String> properties);
}
