package io.meshsdk.core.discovery;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.common.ConfigValues;
import io.meshsdk.core.common.Hosts;
import io.meshsdk.core.common.ServiceNames;
import io.meshsdk.core.endpoint.Endpoint;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;

/**
 * Selects a discovery backend by URI, from the built-in schemes and the {@link ServiceDiscoveryProvider}s on the
 * class path:
 *
 * <ul>
 *   <li>{@code static:} an empty {@link StaticServiceDiscovery}; {@code static:inventory=10.0.0.1:8080,10.0.0.2:8080;pricing=[::1]:9090}
 *       one with those endpoints.
 *   <li>{@code file:/etc/mesh/endpoints.txt} (or {@code file:relative/path}) a {@link FileServiceDiscovery}; key
 *       {@code mesh.discovery.file.poll-interval} (default 2 s).
 *   <li>{@code zookeeper://…}, {@code etcd://…}, {@code k8s://…}, {@code dns://…}: the {@code discovery/*}
 *       modules, when on the class path.
 * </ul>
 *
 * <pre>{@code
 * ServiceDiscovery d = ServiceDiscoveries.fromProperties(Map.of(
 *     "mesh.discovery.uri", "file:/etc/mesh/endpoints.txt",
 *     "mesh.discovery.file.poll-interval", "1s"));
 * }</pre>
 */
public final class ServiceDiscoveries {

  /** The property naming the backend. */
  public static final String URI_KEY = "mesh.discovery.uri";
  /** The prefix of backends' own properties: {@code mesh.discovery.<scheme>.<key>}. */
  public static final String PREFIX = "mesh.discovery.";

  private ServiceDiscoveries() {}

  /**
   * The backend {@code properties} name with {@value #URI_KEY} (an empty {@link StaticServiceDiscovery} when the
   * key is absent), configured with its {@code mesh.discovery.<scheme>.*} keys.
   *
   * @throws ConfigException for an unknown scheme, a malformed URI, or an unknown or invalid backend key
   */
  public static ServiceDiscovery fromProperties(Map<String, String> properties) {
    requireNonNull(properties, "properties");
    String uri = properties.get(URI_KEY);
    if (uri == null) {
      for (String key : properties.keySet()) {
        if (key.startsWith(PREFIX)) {
          throw new ConfigException(key, properties.get(key), URI_KEY + " set, naming the backend these keys are for");
        }
      }
      return StaticServiceDiscovery.create();
    }
    return create(uri, properties);
  }

  /**
   * The backend for {@code uri}.
   *
   * @param properties flat properties; the backend reads its own {@code mesh.discovery.<scheme>.*} keys
   * @throws ConfigException for an unknown scheme, a malformed URI, or an unknown or invalid backend key
   */
  public static ServiceDiscovery create(String uri, Map<String, String> properties) {
    requireNonNull(uri, "uri");
    requireNonNull(properties, "properties");
    URI parsed = ConfigValues.parseUri(URI_KEY, uri, "file:/etc/mesh/endpoints.txt or zookeeper://host:2181");
    String scheme = ConfigValues.scheme(parsed);
    ServiceDiscoveryProvider provider = providers().get(scheme);
    if (provider == null) {
      throw new ConfigException(URI_KEY, uri, "a URI with one of the schemes " + providers().keySet()
          + " (a scheme of a discovery/* module needs that module on the class path)");
    }
    return provider.create(parsed,
        ConfigValues.keysUnder(properties, PREFIX + scheme + ".", provider.propertyKeys()));
  }

  /** The schemes available here, for error messages and health pages. */
  public static Set<String> schemes() {
    return providers().keySet();
  }

  private static Map<String, ServiceDiscoveryProvider> providers() {
    Map<String, ServiceDiscoveryProvider> m = new TreeMap<>();
    List<ServiceDiscoveryProvider> all = new ArrayList<>(List.of(new StaticProvider(), new FileProvider()));
    for (ServiceDiscoveryProvider p : ServiceLoader.load(ServiceDiscoveryProvider.class)) {
      all.add(p);
    }
    for (ServiceDiscoveryProvider p : all) {
      if (!p.isAvailable()) {
        continue;
      }
      for (String scheme : p.schemes()) {
        ServiceDiscoveryProvider current = m.get(scheme);
        if (current == null || p.priority() > current.priority()) {
          m.put(scheme, p);
        }
      }
    }
    return m;
  }

  /** {@code static:} and {@code static:svc=host:port,host:port;svc2=...}. */
  static final class StaticProvider implements ServiceDiscoveryProvider {
    @Override
    public Set<String> schemes() {
      return Set.of("static");
    }

    @Override
    public ServiceDiscovery create(URI uri, Map<String, String> properties) {
      String spec = uri.getSchemeSpecificPart() == null ? "" : uri.getSchemeSpecificPart().trim();
      List<Endpoint> endpoints = new ArrayList<>();
      if (!spec.isEmpty()) {
        for (String part : spec.split(";")) {
          int eq = part.indexOf('=');
          if (eq <= 0) {
            throw new ConfigException(URI_KEY, uri.toString(), "static:<service>=<host>:<port>[,<host>:<port>...][;...]");
          }
          String service = ServiceNames.canonical(URI_KEY, part.substring(0, eq).trim());
          for (String address : part.substring(eq + 1).split(",")) {
            endpoints.add(parseAddress(uri, service, address.trim()));
          }
        }
      }
      return StaticServiceDiscovery.of(endpoints);
    }

    private static Endpoint parseAddress(URI uri, String service, String address) {
      int colon = address.lastIndexOf(':');
      if (colon <= 0) {
        throw new ConfigException(URI_KEY, uri.toString(), "host:port addresses, not '" + address + "'");
      }
      String host = Hosts.canonical(URI_KEY, address.substring(0, colon));
      int port = ConfigValues.requireRange(URI_KEY, ConfigValues.parseInt(URI_KEY, address.substring(colon + 1)), 1,
          65535);
      return Endpoint.of(service, host, port);
    }
  }

  /** {@code file:<path>}. */
  static final class FileProvider implements ServiceDiscoveryProvider {
    @Override
    public Set<String> schemes() {
      return Set.of("file");
    }

    @Override
    public Set<String> propertyKeys() {
      return Set.of("poll-interval");
    }

    @Override
    public ServiceDiscovery create(URI uri, Map<String, String> properties) {
      String path = uri.getPath() != null ? uri.getPath() : uri.getSchemeSpecificPart();
      if (path == null || path.isBlank()) {
        throw new ConfigException(URI_KEY, uri.toString(), "file:<path of the discovery file>");
      }
      Duration every = FileServiceDiscovery.DEFAULT_POLL_INTERVAL;
      String interval = properties.get("poll-interval");
      if (interval != null) {
        every = ConfigValues.requirePositive(PREFIX + "file.poll-interval",
            ConfigValues.parseDuration(PREFIX + "file.poll-interval", interval));
      }
      return FileServiceDiscovery.watching(Path.of(path), every);
    }
  }
}
