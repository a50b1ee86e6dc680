package io.meshsdk.core.registration;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.common.ConfigValues;
import java.net.URI;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** Selects a {@link ServiceRegistry} by URI from the {@link ServiceRegistryProvider}s on the class path. */
public final class ServiceRegistries {

  /** The property naming the registry. */
  public static final String URI_KEY = "mesh.registry.uri";
  /** The prefix of registries' own properties: {@code mesh.registry.<scheme>.<key>}. */
  public static final String PREFIX = "mesh.registry.";

  private ServiceRegistries() {}

  /**
   * The registry {@code properties} name with {@value #URI_KEY}, configured with its {@code mesh.registry.<scheme>.*}
   * keys; empty when the key is absent (this process registers nowhere).
   *
   * @throws ConfigException for an unknown scheme, a malformed URI, an unknown or invalid key, or
   *     {@code mesh.registry.*} keys without {@value #URI_KEY}
   */
  public static java.util.Optional<ServiceRegistry> fromProperties(Map<String, String> properties) {
    requireNonNull(properties, "properties");
    String uri = properties.get(URI_KEY);
    if (uri == null) {
      for (Map.Entry<String, String> e : properties.entrySet()) {
        if (e.getKey().startsWith(PREFIX)) {
          throw new ConfigException(e.getKey(), e.getValue(), URI_KEY + " set, naming the registry these keys are for");
        }
      }
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(create(uri, properties));
  }

  /**
   * The registry for {@code uri}, configured with its {@code mesh.registry.<scheme>.*} keys from
   * {@code properties}.
   *
   * @throws ConfigException for an unknown scheme, a malformed URI or an unknown or invalid key
   */
  public static ServiceRegistry create(String uri, Map<String, String> properties) {
    requireNonNull(uri, "uri");
    requireNonNull(properties, "properties");
    URI parsed = ConfigValues.parseUri(URI_KEY, uri, "zookeeper://127.0.0.1:2181/services");
    String scheme = ConfigValues.scheme(parsed);
    Map<String, ServiceRegistryProvider> providers = new TreeMap<>();
    for (ServiceRegistryProvider p : ServiceLoader.load(ServiceRegistryProvider.class)) {
      if (p.isAvailable()) {
        p.schemes().forEach(s -> providers.putIfAbsent(s, p));
      }
    }
    ServiceRegistryProvider provider = providers.get(scheme);
    if (provider == null) {
      throw new ConfigException(URI_KEY, uri, providers.isEmpty()
          ? "a registry URI; no registry module (discovery/zookeeper, discovery/etcd) is on the class path"
          : "a URI with one of the schemes " + providers.keySet());
    }
    return provider.create(parsed,
        ConfigValues.keysUnder(properties, PREFIX + scheme + ".", provider.propertyKeys()));
  }

  /** The schemes available here. */
  public static Set<String> schemes() {
    Set<String> out = new TreeSet<>();
    for (ServiceRegistryProvider p : ServiceLoader.load(ServiceRegistryProvider.class)) {
      if (p.isAvailable()) {
        out.addAll(p.schemes());
      }
    }
    return out;
  }
}
