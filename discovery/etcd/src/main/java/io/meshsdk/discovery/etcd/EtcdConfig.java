package io.meshsdk.discovery.etcd;

import static java.util.Objects.requireNonNull;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.common.ConfigValues;
import io.meshsdk.core.common.Hosts;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Where etcd is and how to talk to it, parsed from {@code etcd://host:port[,host:port...][/prefix]} and the
 * {@code mesh.discovery.etcd.*} or {@code mesh.registry.etcd.*} keys.
 *
 * @param endpoints the etcd client URLs ({@code http://host:port})
 * @param prefix the key prefix without a trailing slash ({@code /mesh/services}; "" for the root)
 * @param connectTimeout how long a connection attempt may take
 * @param requestTimeout how long one read, write or lease call may take
 * @param user etcd user name, or {@code null} without authentication
 * @param password the user's password, or {@code null}
 * @param leaseTtl the registrations' lease time-to-live (registry only)
 * @param keepAliveInterval how often a registration's lease is kept alive (registry only)
 */
public record EtcdConfig(
    List<URI> endpoints,
    String prefix,
    Duration connectTimeout,
    Duration requestTimeout,
    @Nullable String user,
    @Nullable String password,
    Duration leaseTtl,
    Duration keepAliveInterval) {

  /** The URI scheme. */
  public static final String SCHEME = "etcd";
  /** The prefix when the URI has no path. */
  public static final String DEFAULT_PREFIX = "/mesh/services";
  /** The port when an endpoint names none. */
  public static final int DEFAULT_PORT = 2379;
  /** Default {@code connect-timeout}. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  /** Default {@code request-timeout}. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(5);
  /** Default {@code lease-ttl}. */
  public static final Duration DEFAULT_LEASE_TTL = Duration.ofSeconds(10);

  static final String CONNECT_TIMEOUT = "connect-timeout";
  static final String REQUEST_TIMEOUT = "request-timeout";
  static final String USER = "user";
  static final String PASSWORD = "password";
  static final String LEASE_TTL = "lease-ttl";
  static final String KEEP_ALIVE_INTERVAL = "keep-alive-interval";

  /** The keys discovery reads. */
  static final Set<String> DISCOVERY_KEYS = Set.of(CONNECT_TIMEOUT, REQUEST_TIMEOUT, USER, PASSWORD);
  /** The keys the registry reads. */
  static final Set<String> REGISTRY_KEYS =
      Set.of(CONNECT_TIMEOUT, REQUEST_TIMEOUT, USER, PASSWORD, LEASE_TTL, KEEP_ALIVE_INTERVAL);

  /** Validates every component. */
  public EtcdConfig {
    endpoints = List.copyOf(requireNonNull(endpoints, "endpoints"));
    requireNonNull(prefix, "prefix");
    requireNonNull(connectTimeout, "connectTimeout");
    requireNonNull(requestTimeout, "requestTimeout");
    requireNonNull(leaseTtl, "leaseTtl");
    requireNonNull(keepAliveInterval, "keepAliveInterval");
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("endpoints: [] (expected: at least one etcd endpoint)");
    }
    if (!prefix.isEmpty() && (!prefix.startsWith("/") || prefix.endsWith("/"))) {
      throw new IllegalArgumentException("prefix: \"" + prefix + "\" (expected: \"\" or /a/path without a trailing /)");
    }
  }

  /** A configuration for {@code endpoints} under {@code prefix} with every default. */
  public static EtcdConfig of(List<URI> endpoints, String prefix) {
    return new EtcdConfig(endpoints, prefix, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT, null, null,
        DEFAULT_LEASE_TTL, DEFAULT_LEASE_TTL.dividedBy(3));
  }

  /**
   * Parses an {@code etcd://} URI and the backend's own keys.
   *
   * @param uriKey the key the URI came from, for errors ({@code mesh.discovery.uri})
   * @param keyPrefix the prefix of the own keys, for errors ({@code mesh.discovery.etcd.})
   * @throws ConfigException naming the key, the value and what is allowed
   */
  static EtcdConfig parse(String uriKey, URI uri, String keyPrefix, Map<String, String> properties) {
    String expected = "etcd://host:port[,host:port...][/key/prefix], e.g. etcd://127.0.0.1:2379/mesh/services";
    if (!SCHEME.equals(ConfigValues.scheme(uri)) || uri.isOpaque() || uri.getRawAuthority() == null
        || uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new ConfigException(uriKey, uri.toString(), expected);
    }
    String authority = uri.getRawAuthority();
    if (authority.contains("@")) {
      throw new ConfigException(uriKey, uri.toString(),
          expected + " (credentials go in " + keyPrefix + USER + " and " + keyPrefix + PASSWORD + ")");
    }
    List<URI> endpoints = new ArrayList<>();
    for (String part : authority.split(",", -1)) {
      endpoints.add(endpoint(uriKey, uri, part.trim(), expected));
    }
    String path = uri.getPath() == null ? "" : uri.getPath();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    String prefix = uri.getPath() == null || uri.getPath().isEmpty() ? DEFAULT_PREFIX : path;
    if (prefix.contains("//")) {
      throw new ConfigException(uriKey, uri.toString(), "a key prefix without empty segments");
    }

    Duration connect = duration(keyPrefix, CONNECT_TIMEOUT, properties, DEFAULT_CONNECT_TIMEOUT);
    if (connect.toMillis() > Integer.MAX_VALUE) {
      throw new ConfigException(keyPrefix + CONNECT_TIMEOUT, connect, "at most 24 days");
    }
    Duration request = duration(keyPrefix, REQUEST_TIMEOUT, properties, DEFAULT_REQUEST_TIMEOUT);
    String user = properties.get(USER);
    String password = properties.get(PASSWORD);
    if (user != null && user.isBlank()) {
      throw new ConfigException(keyPrefix + USER, user, "a non-blank etcd user name");
    }
    if ((user == null) != (password == null)) {
      String missing = user == null ? USER : PASSWORD;
      throw new ConfigException(keyPrefix + missing, "<unset>",
          "set together with " + keyPrefix + (user == null ? PASSWORD : USER));
    }
    Duration ttl = duration(keyPrefix, LEASE_TTL, properties, DEFAULT_LEASE_TTL);
    if (ttl.toMillis() % 1000 != 0 || ttl.toSeconds() < 2 || ttl.toSeconds() > 86_400) {
      throw new ConfigException(keyPrefix + LEASE_TTL, properties.getOrDefault(LEASE_TTL, ttl.toString()),
          "whole seconds from 2s to 86400s (etcd leases count seconds)");
    }
    Duration keepAlive = properties.containsKey(KEEP_ALIVE_INTERVAL)
        ? duration(keyPrefix, KEEP_ALIVE_INTERVAL, properties, ttl)
        : ttl.dividedBy(3);
    if (keepAlive.compareTo(ttl) >= 0 || keepAlive.toMillis() < 100) {
      throw new ConfigException(keyPrefix + KEEP_ALIVE_INTERVAL,
          properties.getOrDefault(KEEP_ALIVE_INTERVAL, keepAlive.toString()),
          "a duration from 100ms to less than " + keyPrefix + LEASE_TTL + " (" + ttl.toSeconds() + "s)");
    }
    return new EtcdConfig(endpoints, prefix, connect, request, user, password, ttl, keepAlive);
  }

  private static URI endpoint(String uriKey, URI uri, String hostPort, String expected) {
    String host;
    int port = DEFAULT_PORT;
    if (hostPort.startsWith("[")) {
      int close = hostPort.indexOf(']');
      if (close < 0) {
        throw new ConfigException(uriKey, uri.toString(), expected);
      }
      host = hostPort.substring(1, close);
      String rest = hostPort.substring(close + 1);
      if (!rest.isEmpty()) {
        if (!rest.startsWith(":")) {
          throw new ConfigException(uriKey, uri.toString(), expected);
        }
        port = port(uriKey, uri, rest.substring(1));
      }
    } else {
      int colon = hostPort.indexOf(':');
      if (colon != hostPort.lastIndexOf(':')) {
        throw new ConfigException(uriKey, uri.toString(), expected + " (IPv6 addresses in brackets)");
      }
      host = colon < 0 ? hostPort : hostPort.substring(0, colon);
      if (colon >= 0) {
        port = port(uriKey, uri, hostPort.substring(colon + 1));
      }
    }
    if (host.isEmpty()) {
      throw new ConfigException(uriKey, uri.toString(), expected);
    }
    String canonical;
    try {
      canonical = Hosts.canonical(uriKey, host);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(uriKey, uri.toString(), expected + "; '" + host + "' is not " + Hosts.EXPECTED);
    }
    return URI.create("http://" + (canonical.indexOf(':') >= 0 ? "[" + canonical + "]" : canonical) + ":" + port);
  }

  private static int port(String uriKey, URI uri, String text) {
    try {
      int p = Integer.parseInt(text);
      if (p >= 1 && p <= 65535) {
        return p;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new ConfigException(uriKey, uri.toString(), "ports from 1 to 65535, not '" + text + "'");
  }

  private static Duration duration(String keyPrefix, String key, Map<String, String> properties, Duration dflt) {
    String text = properties.get(key);
    if (text == null) {
      return dflt;
    }
    return ConfigValues.requirePositive(keyPrefix + key, ConfigValues.parseDuration(keyPrefix + key, text));
  }

  /** The key under which instances of {@code service} live, with its trailing slash. */
  String serviceDirectory(String service) {
    return prefix + "/" + service + "/";
  }

  /** The service key of {@code service} (see the README: it marks the service as existing). */
  String serviceKey(String service) {
    return prefix + "/" + service;
  }

  /** A new jetcd client for this configuration; the caller closes it. */
  Client newClient() {
    ClientBuilder b = Client.builder()
        .endpoints(endpoints.toArray(URI[]::new))
        .connectTimeout(connectTimeout)
        .waitForReady(false) // fail fast while etcd is down; the backends retry on their own schedule
        .keepaliveTime(Duration.ofSeconds(10))
        .keepaliveTimeout(Duration.ofSeconds(5))
        .maxInboundMessageSize(64 * 1024 * 1024);
    if (user != null && password != null) {
      b.user(bytes(user)).password(bytes(password));
    }
    return b.build();
  }

  static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "etcd " + endpoints + " prefix " + (prefix.isEmpty() ? "/" : prefix)
        + (user == null ? "" : " user " + user);
  }
}
