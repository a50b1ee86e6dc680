package io.meshsdk.discovery.zookeeper;

import io.meshsdk.core.common.ConfigValues;
import io.meshsdk.core.discovery.ServiceDiscovery;
import io.meshsdk.core.discovery.ServiceDiscoveryProvider;
import java.net.URI;
import java.util.Map;
import java.util.Set;

/**
 * Makes {@link ZookeeperServiceDiscovery} backends for {@code zookeeper://} and {@code zk://} URIs
 * ({@code mesh.discovery.uri=zookeeper://127.0.0.1:2181/services}), with the keys of {@link ZookeeperSettings}
 * under {@code mesh.discovery.zookeeper.}.
 */
public final class ZookeeperDiscoveryProvider implements ServiceDiscoveryProvider {

  /** For {@link java.util.ServiceLoader}. */
  public ZookeeperDiscoveryProvider() {}

  @Override
  public Set<String> schemes() {
    return Set.of("zookeeper", "zk");
  }

  @Override
  public Set<String> propertyKeys() {
    return ZookeeperSettings.DISCOVERY_KEYS;
  }

  @Override
  public ServiceDiscovery create(URI uri, Map<String, String> properties) {
    String prefix = "mesh.discovery." + ConfigValues.scheme(uri) + ".";
    return ZookeeperServiceDiscovery.create(
        ZookeeperSettings.fromUri("mesh.discovery.uri", uri, prefix, properties));
  }
}
