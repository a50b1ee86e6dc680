package io.meshsdk.discovery.zookeeper;

import io.meshsdk.core.common.ConfigValues;
import io.meshsdk.core.registration.ServiceRegistry;
import io.meshsdk.core.registration.ServiceRegistryProvider;
import java.net.URI;
import java.util.Map;
import java.util.Set;

/**
 * Makes {@link ZookeeperServiceRegistry} registries for {@code zookeeper://} and {@code zk://} URIs
 * ({@code mesh.registry.uri=zookeeper://127.0.0.1:2181/services}), with the keys of {@link ZookeeperSettings}
 * under {@code mesh.registry.zookeeper.}.
 */
public final class ZookeeperRegistryProvider implements ServiceRegistryProvider {

  /** For {@link java.util.ServiceLoader}. */
  public ZookeeperRegistryProvider() {}

  @Override
  public Set<String> schemes() {
    return Set.of("zookeeper", "zk");
  }

  @Override
  public Set<String> propertyKeys() {
    return ZookeeperSettings.REGISTRY_KEYS;
  }

  @Override
  public ServiceRegistry create(URI uri, Map<String, String> properties) {
    String prefix = "mesh.registry." + ConfigValues.scheme(uri) + ".";
    return ZookeeperServiceRegistry.create(ZookeeperSettings.fromUri("mesh.registry.uri", uri, prefix, properties));
  }
}
