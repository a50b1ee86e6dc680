package io.meshsdk.discovery.dns;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.common.ConfigValues;
import io.meshsdk.core.discovery.ServiceDiscoveries;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/**
 * The settings of a {@link DnsServiceDiscovery}: where to send queries, how a service name maps to a DNS name, and
 * how often to re-resolve. Build one with {@link #from(URI, Map)} (the {@code mesh.discovery.dns.*} keys) or
 * {@link #builder()}.
 *
 * @param resolver the resolver to query, or {@code null} for the system's resolvers ({@code /etc/resolv.conf})
 * @param nameTemplate the DNS name of a service: a template holding {@value #SERVICE_PLACEHOLDER} once
 * @param record which records to read
 * @param srvPrefix the labels put before the name in SRV mode, e.g. {@code _http._tcp}
 * @param port the port of every endpoint in A/AAAA mode
 * @param ip which address records to read (A, AAAA or both)
 * @param minRefresh the shortest wait between two resolutions of a service (a TTL below it, 0 included, is raised)
 * @param maxRefresh the longest wait between two resolutions of a service (a TTL above it is lowered); also the
 *     longest wait between two retries after a failure
 * @param queryTimeout how long one query may take before it counts as failed
 * @param secure whether the endpoints are called over https
 * @param txtLabels whether TXT records ({@code key=value} strings, as in DNS-SD) at each target name give the
 *     endpoints' zone and labels
 * @param nxdomain what a name that does not exist (NXDOMAIN) means for a service that had endpoints
 */
public record DnsDiscoveryConfig(
    @Nullable InetSocketAddress resolver,
    String nameTemplate,
    RecordType record,
    String srvPrefix,
    int port,
    IpVersion ip,
    Duration minRefresh,
    Duration maxRefresh,
    Duration queryTimeout,
    boolean secure,
    boolean txtLabels,
    NxdomainPolicy nxdomain) {

  /** The placeholder of the service name in {@link #nameTemplate()}. */
  public static final String SERVICE_PLACEHOLDER = "{service}";

  /** The keys read under {@code mesh.discovery.dns.}. */
  public static final Set<String> KEYS = Set.of("name", "record", "srv-prefix", "port", "ip", "min-refresh",
      "max-refresh", "query-timeout", "secure", "txt-labels", "nxdomain");

  private static final String PREFIX = ServiceDiscoveries.PREFIX + "dns.";

  /** Which records give a service's endpoints. */
  public enum RecordType {
    /** A and/or AAAA records at the name; every address gets {@link #port()}. */
    A,
    /** SRV records at {@code <srv-prefix>.<name>}: each gives a target host, a port, a priority and a weight. */
    SRV
  }

  /** Which address records are read. */
  public enum IpVersion {
    /** A and AAAA. */
    ANY,
    /** A only. */
    V4,
    /** AAAA only. */
    V6
  }

  /** What NXDOMAIN (the name does not exist) does to a service. */
  public enum NxdomainPolicy {
    /** Report an error for the service: the mesh keeps its last-known-good endpoints (default). */
    KEEP,
    /** Delete the service: the mesh drops its endpoints and stops routing it. */
    DELETE
  }

  /** Validates every component (the message names the {@code mesh.discovery.dns.*} key). */
  public DnsDiscoveryConfig {
    requireNonNull(nameTemplate, "nameTemplate");
    requireNonNull(record, "record");
    requireNonNull(srvPrefix, "srvPrefix");
    requireNonNull(ip, "ip");
    requireNonNull(minRefresh, "minRefresh");
    requireNonNull(maxRefresh, "maxRefresh");
    requireNonNull(queryTimeout, "queryTimeout");
    requireNonNull(nxdomain, "nxdomain");
    checkTemplate(nameTemplate);
    srvPrefix = checkSrvPrefix(srvPrefix);
    ConfigValues.requireRange(PREFIX + "port", port, 1, 65535);
    ConfigValues.requirePositive(PREFIX + "min-refresh", minRefresh);
    ConfigValues.requirePositive(PREFIX + "max-refresh", maxRefresh);
    if (maxRefresh.compareTo(minRefresh) < 0) {
      throw new ConfigException(PREFIX + "max-refresh", maxRefresh,
          "a duration >= min-refresh (" + minRefresh + ")");
    }
    ConfigValues.requirePositive(PREFIX + "query-timeout", queryTimeout);
  }

  /** A builder with the defaults of the README. */
  public static Builder builder() {
    return new Builder();
  }

  /** The DNS name queried for {@code service} (SRV mode: with the SRV prefix), absolute. */
  Name dnsName(String service) throws TextParseException {
    String name = nameTemplate.replace(SERVICE_PLACEHOLDER, service);
    if (record == RecordType.SRV) {
      name = srvPrefix + "." + name;
    }
    return Name.fromString(name, Name.root);
  }

  /**
   * The settings for {@code uri} ({@code dns:system}, {@code dns:///} or {@code dns://<ip>[:<port>]}) and
   * {@code properties} (keys
   * relative to {@code mesh.discovery.dns.}). A bare {@code dns:} reaches here as {@code dns:///}.
   *
   * @throws ConfigException naming the key, the value and what is allowed
   */
  public static DnsDiscoveryConfig from(URI uri, Map<String, String> properties) {
    requireNonNull(uri, "uri");
    requireNonNull(properties, "properties");
    Builder b = builder().resolver(resolverOf(uri));
    for (Map.Entry<String, String> e : properties.entrySet()) {
      String key = PREFIX + e.getKey();
      String v = e.getValue().trim();
      switch (e.getKey()) {
        case "name" -> b.nameTemplate(v);
        case "record" -> b.record(parseEnum(key, v, RecordType.class, "a or srv"));
        case "srv-prefix" -> b.srvPrefix(v);
        case "port" -> b.port(ConfigValues.parseInt(key, v));
        case "ip" -> b.ip(parseEnum(key, v, IpVersion.class, "any, v4 or v6"));
        case "min-refresh" -> b.minRefresh(positive(key, v));
        case "max-refresh" -> b.maxRefresh(positive(key, v));
        case "query-timeout" -> b.queryTimeout(positive(key, v));
        case "secure" -> b.secure(ConfigValues.parseBoolean(key, v));
        case "txt-labels" -> b.txtLabels(ConfigValues.parseBoolean(key, v));
        case "nxdomain" -> b.nxdomain(parseEnum(key, v, NxdomainPolicy.class, "keep or delete"));
        default -> throw new ConfigException(key, e.getValue(), "one of " + new java.util.TreeSet<>(KEYS)
            + " under " + PREFIX);
      }
    }
    return b.build();
  }

  private static @Nullable InetSocketAddress resolverOf(URI uri) {
    String text = uri.toString();
    String example = "dns:system (the system's resolvers; also dns:///) or dns://<ip>[:<port>] such as"
        + " dns://127.0.0.1:5353";
    if (!"dns".equals(ConfigValues.scheme(uri))) {
      throw new ConfigException(ServiceDiscoveries.URI_KEY, text, example);
    }
    String ssp = uri.getRawSchemeSpecificPart();
    if (ssp == null || ssp.isEmpty() || ssp.equals("system") || ssp.equals("/") || ssp.equals("///")) {
      if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
        throw new ConfigException(ServiceDiscoveries.URI_KEY, text, example);
      }
      return null;
    }
    String host = uri.getHost();
    String path = uri.getRawPath();
    if (host == null || uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null
        || (path != null && !path.isEmpty() && !path.equals("/"))) {
      throw new ConfigException(ServiceDiscoveries.URI_KEY, text, example);
    }
    String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (!isIpLiteral(literal)) {
      throw new ConfigException(ServiceDiscoveries.URI_KEY, text,
          "an IP address as the resolver's host (a host name would itself need resolving): " + example);
    }
    try {
      InetAddress address = InetAddress.getByName(literal); // an IP literal: no lookup
      return new InetSocketAddress(address, uri.getPort() < 0 ? 53 : uri.getPort());
    } catch (UnknownHostException | IllegalArgumentException e) {
      throw new ConfigException(ServiceDiscoveries.URI_KEY, text, example);
    }
  }

  private static boolean isIpLiteral(String host) {
    if (host.indexOf(':') >= 0) {
      return host.chars().allMatch(c -> c == ':' || c == '.' || Character.digit(c, 16) >= 0);
    }
    String[] parts = host.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }

  /** A duration of at least 1 ms; the error quotes the text as written. */
  private static Duration positive(String key, String text) {
    try {
      return ConfigValues.requirePositive(key, ConfigValues.parseDuration(key, text));
    } catch (ConfigException e) {
      throw new ConfigException(key, text, e.expected());
    }
  }

  private static <E extends Enum<E>> E parseEnum(String key, String value, Class<E> type, String allowed) {
    try {
      return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key, value, allowed);
    }
  }

  private static void checkTemplate(String template) {
    String key = PREFIX + "name";
    String expected = "a DNS name template holding " + SERVICE_PLACEHOLDER + " once, such as "
        + SERVICE_PLACEHOLDER + ".svc.example.com";
    int at = template.indexOf(SERVICE_PLACEHOLDER);
    if (at < 0 || template.indexOf(SERVICE_PLACEHOLDER, at + 1) >= 0 || template.startsWith(".")
        || template.contains("..") || template.chars().anyMatch(c -> c <= ' ' || c >= 0x7f || c == '\\')) {
      throw new ConfigException(key, template, expected);
    }
    try {
      Name.fromString(template.replace(SERVICE_PLACEHOLDER, "x"), Name.root);
    } catch (TextParseException e) {
      throw new ConfigException(key, template, expected);
    }
  }

  private static String checkSrvPrefix(String prefix) {
    String p = prefix.endsWith(".") ? prefix.substring(0, prefix.length() - 1) : prefix;
    String[] labels = p.split("\\.", -1);
    boolean ok = labels.length >= 1;
    for (String label : labels) {
      ok &= label.length() >= 2 && label.length() <= 63 && label.charAt(0) == '_'
          && label.substring(1).chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9') || c == '-');
    }
    if (!ok) {
      throw new ConfigException(PREFIX + "srv-prefix", prefix,
          "SRV service and protocol labels such as _http._tcp (each label starts with '_')");
    }
    return p;
  }

  /** Builds a {@link DnsDiscoveryConfig}; {@link #build()} validates. */
  public static final class Builder {
    private @Nullable InetSocketAddress resolver;
    private String nameTemplate = SERVICE_PLACEHOLDER;
    private RecordType record = RecordType.A;
    private @Nullable String srvPrefix;
    private @Nullable Integer port;
    private IpVersion ip = IpVersion.ANY;
    private Duration minRefresh = Duration.ofSeconds(2);
    private Duration maxRefresh = Duration.ofMinutes(5);
    private Duration queryTimeout = Duration.ofSeconds(2);
    private boolean secure;
    private boolean txtLabels;
    private NxdomainPolicy nxdomain = NxdomainPolicy.KEEP;

    private Builder() {}

    /** The resolver to query; {@code null} (default) for the system's resolvers. */
    public Builder resolver(@Nullable InetSocketAddress resolver) {
      this.resolver = resolver;
      return this;
    }

    /** The DNS name of a service, holding {@value #SERVICE_PLACEHOLDER} once (default: the service name). */
    public Builder nameTemplate(String nameTemplate) {
      this.nameTemplate = requireNonNull(nameTemplate, "nameTemplate");
      return this;
    }

    /** A/AAAA records (default) or SRV records. */
    public Builder record(RecordType record) {
      this.record = requireNonNull(record, "record");
      return this;
    }

    /** The SRV labels before the name (default {@code _http._tcp}, {@code _https._tcp} when secure). */
    public Builder srvPrefix(String srvPrefix) {
      this.srvPrefix = requireNonNull(srvPrefix, "srvPrefix");
      return this;
    }

    /** The port of A/AAAA endpoints (default 80, 443 when secure). */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** Which address records to read (default both). */
    public Builder ip(IpVersion ip) {
      this.ip = requireNonNull(ip, "ip");
      return this;
    }

    /** The shortest wait between resolutions (default 2 s). */
    public Builder minRefresh(Duration minRefresh) {
      this.minRefresh = requireNonNull(minRefresh, "minRefresh");
      return this;
    }

    /** The longest wait between resolutions and between retries (default 5 min). */
    public Builder maxRefresh(Duration maxRefresh) {
      this.maxRefresh = requireNonNull(maxRefresh, "maxRefresh");
      return this;
    }

    /** How long one query may take (default 2 s). */
    public Builder queryTimeout(Duration queryTimeout) {
      this.queryTimeout = requireNonNull(queryTimeout, "queryTimeout");
      return this;
    }

    /** Whether endpoints are called over https (default false). */
    public Builder secure(boolean secure) {
      this.secure = secure;
      return this;
    }

    /** Whether TXT records give zone and labels (default false). */
    public Builder txtLabels(boolean txtLabels) {
      this.txtLabels = txtLabels;
      return this;
    }

    /** What NXDOMAIN does (default {@link NxdomainPolicy#KEEP}). */
    public Builder nxdomain(NxdomainPolicy nxdomain) {
      this.nxdomain = requireNonNull(nxdomain, "nxdomain");
      return this;
    }

    /**
     * The settings.
     *
     * @throws ConfigException naming the {@code mesh.discovery.dns.*} key of an invalid value
     */
    public DnsDiscoveryConfig build() {
      String prefix = srvPrefix != null ? srvPrefix : secure ? "_https._tcp" : "_http._tcp";
      int p = port != null ? port : secure ? 443 : 80;
      return new DnsDiscoveryConfig(resolver, nameTemplate, record, prefix, p, ip, minRefresh, maxRefresh,
          queryTimeout, secure, txtLabels, nxdomain);
    }
  }
}
