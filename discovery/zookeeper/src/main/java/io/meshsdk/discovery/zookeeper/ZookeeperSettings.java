package io.meshsdk.discovery.zookeeper;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.common.ConfigValues;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.apache.curator.utils.PathUtils;

/**
 * How to reach ZooKeeper and where the services live, as read from a {@code zookeeper://} URI and the
 * {@code mesh.discovery.zookeeper.*} / {@code mesh.registry.zookeeper.*} keys.
 *
 * @param connectString the ZooKeeper connect string, e.g. {@code 127.0.0.1:2181,127.0.0.1:2182}
 * @param basePath the node under which every service has its node, e.g. {@code /services} (Spring Cloud Zookeeper's
 *     {@code spring.cloud.zookeeper.discovery.root})
 * @param sessionTimeout the ZooKeeper session timeout: how long after this process dies its registrations vanish,
 *     and how long a disconnected client keeps its session
 * @param connectionTimeout how long one operation waits for a connection before it fails
 * @param retryBaseSleep the first sleep of Curator's exponential back-off between retries of a failed operation
 * @param retryMaxSleep the longest sleep between retries
 * @param retryMaxRetries how many times a failed operation is retried, 0-29
 * @param uriSpec the curator-x-discovery URI spec a registration advertises (Spring Cloud Zookeeper's default
 *     {@value #DEFAULT_URI_SPEC})
 */
public record ZookeeperSettings(
    String connectString,
    String basePath,
    Duration sessionTimeout,
    Duration connectionTimeout,
    Duration retryBaseSleep,
    Duration retryMaxSleep,
    int retryMaxRetries,
    String uriSpec) {

  /** The base path when the URI has none (Spring Cloud Zookeeper's default root). */
  public static final String DEFAULT_BASE_PATH = "/services";
  /** The URI spec Spring Cloud Zookeeper advertises by default. */
  public static final String DEFAULT_URI_SPEC = "{scheme}://{address}:{port}";
  /** Default session timeout (Curator's). */
  public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(60);
  /** Default connection timeout (Curator's). */
  public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(15);
  /** Default first retry sleep (Spring Cloud Zookeeper's). */
  public static final Duration DEFAULT_RETRY_BASE_SLEEP = Duration.ofMillis(50);
  /** Default longest retry sleep (Spring Cloud Zookeeper's). */
  public static final Duration DEFAULT_RETRY_MAX_SLEEP = Duration.ofMillis(500);
  /** Default number of retries (Spring Cloud Zookeeper's). */
  public static final int DEFAULT_RETRY_MAX_RETRIES = 10;

  /** Key: the session timeout. */
  public static final String SESSION_TIMEOUT = "session-timeout";
  /** Key: the connection timeout. */
  public static final String CONNECTION_TIMEOUT = "connection-timeout";
  /** Key: the first retry sleep. */
  public static final String RETRY_BASE_SLEEP = "retry.base-sleep";
  /** Key: the longest retry sleep. */
  public static final String RETRY_MAX_SLEEP = "retry.max-sleep";
  /** Key: the number of retries. */
  public static final String RETRY_MAX_RETRIES = "retry.max-retries";
  /** Key (registry only): the URI spec a registration advertises. */
  public static final String URI_SPEC = "uri-spec";

  /** The keys both the discovery backend and the registry read. */
  public static final Set<String> DISCOVERY_KEYS =
      Set.of(SESSION_TIMEOUT, CONNECTION_TIMEOUT, RETRY_BASE_SLEEP, RETRY_MAX_SLEEP, RETRY_MAX_RETRIES);
  /** The keys the registry reads. */
  public static final Set<String> REGISTRY_KEYS = Set.of(SESSION_TIMEOUT, CONNECTION_TIMEOUT, RETRY_BASE_SLEEP,
      RETRY_MAX_SLEEP, RETRY_MAX_RETRIES, URI_SPEC);

  private static final String EXAMPLE = "zookeeper://127.0.0.1:2181,127.0.0.1:2182/services";

  /** Validates every component. */
  public ZookeeperSettings {
    requireNonNull(connectString, "connectString");
    requireNonNull(basePath, "basePath");
    requireNonNull(sessionTimeout, "sessionTimeout");
    requireNonNull(connectionTimeout, "connectionTimeout");
    requireNonNull(retryBaseSleep, "retryBaseSleep");
    requireNonNull(retryMaxSleep, "retryMaxSleep");
    requireNonNull(uriSpec, "uriSpec");
    if (connectString.isBlank()) {
      throw new ConfigException("connectString", connectString, "host:port[,host:port...]");
    }
    basePath = checkBasePath("basePath", basePath, basePath);
    checkMillis(SESSION_TIMEOUT, sessionTimeout);
    checkMillis(CONNECTION_TIMEOUT, connectionTimeout);
    checkMillis(RETRY_BASE_SLEEP, retryBaseSleep);
    checkMillis(RETRY_MAX_SLEEP, retryMaxSleep);
    ConfigValues.requireRange(RETRY_MAX_RETRIES, retryMaxRetries, 0, 29);
    checkUriSpec(URI_SPEC, uriSpec);
  }

  /** Settings for {@code connectString} and {@code basePath} with every default. */
  public static ZookeeperSettings of(String connectString, String basePath) {
    return new ZookeeperSettings(connectString, basePath, DEFAULT_SESSION_TIMEOUT, DEFAULT_CONNECTION_TIMEOUT,
        DEFAULT_RETRY_BASE_SLEEP, DEFAULT_RETRY_MAX_SLEEP, DEFAULT_RETRY_MAX_RETRIES, DEFAULT_URI_SPEC);
  }

  /** A copy with another session timeout. */
  public ZookeeperSettings withSessionTimeout(Duration timeout) {
    return new ZookeeperSettings(connectString, basePath, timeout, connectionTimeout, retryBaseSleep, retryMaxSleep,
        retryMaxRetries, uriSpec);
  }

  /** A copy with another connection timeout. */
  public ZookeeperSettings withConnectionTimeout(Duration timeout) {
    return new ZookeeperSettings(connectString, basePath, sessionTimeout, timeout, retryBaseSleep, retryMaxSleep,
        retryMaxRetries, uriSpec);
  }

  /**
   * Reads a {@code zookeeper://} (or {@code zk://}) URI: the connect string is its authority, the base path its
   * path ({@value #DEFAULT_BASE_PATH} when it has none).
   *
   * @param uriKey the property the URI came from, for errors ({@code mesh.discovery.uri})
   * @param keyPrefix the prefix of {@code properties}' keys, for errors ({@code mesh.discovery.zookeeper.})
   * @param properties the backend's own keys, relative to {@code keyPrefix}
   * @throws ConfigException naming the key, the value and what is allowed
   */
  public static ZookeeperSettings fromUri(String uriKey, URI uri, String keyPrefix, Map<String, String> properties) {
    requireNonNull(uri, "uri");
    requireNonNull(properties, "properties");
    String scheme = ConfigValues.scheme(uri);
    if (!scheme.equals("zookeeper") && !scheme.equals("zk")) {
      throw new ConfigException(uriKey, uri, "a zookeeper:// or zk:// URI such as " + EXAMPLE);
    }
    String authority = uri.getRawAuthority();
    if (authority == null || authority.isBlank() || authority.contains("@")) {
      throw new ConfigException(uriKey, uri, "a URI naming the ZooKeeper servers (host:port[,host:port...]) such as "
          + EXAMPLE);
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new ConfigException(uriKey, uri, "a URI without query or fragment (settings are " + keyPrefix
          + "* keys), such as " + EXAMPLE);
    }
    for (String server : authority.split(",", -1)) {
      int colon = server.lastIndexOf(':');
      boolean ok = !server.isBlank() && (colon < 0 || isPort(server.substring(colon + 1)));
      if (!ok) {
        throw new ConfigException(uriKey, uri, "host:port[,host:port...] servers such as " + EXAMPLE);
      }
    }
    String path = uri.getPath();
    String basePath = path == null || path.isEmpty() || path.equals("/") ? DEFAULT_BASE_PATH : path;
    basePath = checkBasePath(uriKey, basePath, uri);
    return new ZookeeperSettings(authority, basePath,
        duration(keyPrefix, properties, SESSION_TIMEOUT, DEFAULT_SESSION_TIMEOUT),
        duration(keyPrefix, properties, CONNECTION_TIMEOUT, DEFAULT_CONNECTION_TIMEOUT),
        duration(keyPrefix, properties, RETRY_BASE_SLEEP, DEFAULT_RETRY_BASE_SLEEP),
        duration(keyPrefix, properties, RETRY_MAX_SLEEP, DEFAULT_RETRY_MAX_SLEEP),
        retries(keyPrefix, properties),
        uriSpec(keyPrefix, properties));
  }

  private static boolean isPort(String s) {
    try {
      int p = Integer.parseInt(s);
      return p >= 1 && p <= 65535;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static String checkBasePath(String key, String path, Object shown) {
    String p = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    try {
      PathUtils.validatePath(p);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key, shown, "a ZooKeeper path such as /services (" + e.getMessage() + ")");
    }
    if (p.equals("/")) {
      throw new ConfigException(key, shown, "a ZooKeeper path below the root such as /services");
    }
    return p;
  }

  private static void checkMillis(String key, Duration d) {
    ConfigValues.requirePositive(key, d);
    if (d.toMillis() > Integer.MAX_VALUE) {
      throw new ConfigException(key, d, "a duration of at most " + Integer.MAX_VALUE + "ms");
    }
  }

  private static Duration duration(String prefix, Map<String, String> props, String key, Duration dflt) {
    String text = props.get(key);
    if (text == null) {
      return dflt;
    }
    Duration d = ConfigValues.parseDuration(prefix + key, text);
    try {
      checkMillis(key, d);
    } catch (ConfigException e) {
      throw new ConfigException(prefix + key, text, e.expected());
    }
    return d;
  }

  private static int retries(String prefix, Map<String, String> props) {
    String text = props.get(RETRY_MAX_RETRIES);
    if (text == null) {
      return DEFAULT_RETRY_MAX_RETRIES;
    }
    int v = ConfigValues.parseInt(prefix + RETRY_MAX_RETRIES, text);
    if (v < 0 || v > 29) {
      throw new ConfigException(prefix + RETRY_MAX_RETRIES, text, "0-29");
    }
    return v;
  }

  private static String uriSpec(String prefix, Map<String, String> props) {
    String text = props.get(URI_SPEC);
    if (text == null) {
      return DEFAULT_URI_SPEC;
    }
    checkUriSpec(prefix + URI_SPEC, text);
    return text.trim();
  }

  private static void checkUriSpec(String key, String spec) {
    String problem = null;
    if (spec.isBlank()) {
      problem = "empty";
    } else {
      try {
        InstanceJson.checkUriSpec(spec);
      } catch (IllegalArgumentException e) {
        problem = e.getMessage();
      }
    }
    if (problem != null) {
      throw new ConfigException(key, spec, "a curator-x-discovery URI spec such as " + DEFAULT_URI_SPEC + " ("
          + problem + ")");
    }
  }
}
