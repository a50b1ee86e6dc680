package io.meshsdk.discovery.etcd;

import io.meshsdk.core.discovery.ServiceDiscoveries;
import io.meshsdk.core.discovery.ServiceDiscovery;
import io.meshsdk.core.discovery.ServiceDiscoveryProvider;
import java.net.URI;
import java.util.Map;
import java.util.Set;

/**
 * {@code mesh.discovery.uri=etcd://127.0.0.1:2379,127.0.0.1:22379/mesh/services} with the keys
 * {@code mesh.discovery.etcd.connect-timeout}, {@code .request-timeout}, {@code .user} and {@code .password}.
 */
public final class EtcdDiscoveryProvider implements ServiceDiscoveryProvider {

  /** For {@link java.util.ServiceLoader}. */
  public EtcdDiscoveryProvider() {}

  @Override
  public Set<String> schemes() {
    return Set.of(EtcdConfig.SCHEME);
  }

  @Override
  public Set<String> propertyKeys() {
    return EtcdConfig.DISCOVERY_KEYS;
  }

  @Override
  public ServiceDiscovery create(URI uri, Map<String, String> properties) {
    return EtcdServiceDiscovery.create(EtcdConfig.parse(ServiceDiscoveries.URI_KEY, uri,
        ServiceDiscoveries.PREFIX + EtcdConfig.SCHEME + ".", properties));
  }
}
