package io.meshsdk.discovery.etcd;

import io.meshsdk.core.registration.ServiceRegistries;
import io.meshsdk.core.registration.ServiceRegistry;
import io.meshsdk.core.registration.ServiceRegistryProvider;
import java.net.URI;
import java.util.Map;
import java.util.Set;

/**
 * {@code mesh.registry.uri=etcd://127.0.0.1:2379/mesh/services} with the keys
 * {@code mesh.registry.etcd.lease-ttl}, {@code .keep-alive-interval}, {@code .connect-timeout},
 * {@code .request-timeout}, {@code .user} and {@code .password}.
 */
public final class EtcdRegistryProvider implements ServiceRegistryProvider {

  /** For {@link java.util.ServiceLoader}. */
  public EtcdRegistryProvider() {}

  @Override
  public Set<String> schemes() {
    return Set.of(EtcdConfig.SCHEME);
  }

  @Override
  public Set<String> propertyKeys() {
    return EtcdConfig.REGISTRY_KEYS;
  }

  @Override
  public ServiceRegistry create(URI uri, Map<String, String> properties) {
    return EtcdServiceRegistry.create(EtcdConfig.parse(ServiceRegistries.URI_KEY, uri,
        ServiceRegistries.PREFIX + EtcdConfig.SCHEME + ".", properties));
  }
}
