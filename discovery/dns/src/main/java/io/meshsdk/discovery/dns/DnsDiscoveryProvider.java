package io.meshsdk.discovery.dns;

import io.meshsdk.core.discovery.ServiceDiscovery;
import io.meshsdk.core.discovery.ServiceDiscoveryProvider;
import java.net.URI;
import java.util.Map;
import java.util.Set;

/**
 * The {@code dns} scheme: {@code mesh.discovery.uri=dns:system} (or {@code dns:///}) queries the system's resolvers,
 * {@code dns://127.0.0.1:5353} one resolver; the {@code mesh.discovery.dns.*} keys are those of
 * {@link DnsDiscoveryConfig#KEYS}. Registered in {@code META-INF/services}.
 */
public final class DnsDiscoveryProvider implements ServiceDiscoveryProvider {

  /** For {@link java.util.ServiceLoader}. */
  public DnsDiscoveryProvider() {}

  @Override
  public Set<String> schemes() {
    return Set.of("dns");
  }

  @Override
  public Set<String> propertyKeys() {
    return DnsDiscoveryConfig.KEYS;
  }

  @Override
  public ServiceDiscovery create(URI uri, Map<String, String> properties) {
    return DnsServiceDiscovery.create(DnsDiscoveryConfig.from(uri, properties));
  }
}
