package io.meshsdk.core.sidecar;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.common.ConfigValues;
import io.meshsdk.core.common.Hosts;
import io.meshsdk.core.common.MeshHeaders;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import okhttp3.HttpUrl;
import org.jspecify.annotations.Nullable;

/**
 * The local sidecar proxy the bridge hands calls to: where it listens, how calls are handed over, and how its
 * readiness is probed. Immutable; passed to {@code Mesh.builder().sidecar(...)} or read from
 * {@code mesh.sidecar.*} properties with {@link #fromProperties}. Which services use it is per-service config
 * ({@code route.mode}), which can change at run time ({@code Mesh.route}); the sidecar itself can be replaced at
 * run time too ({@code Mesh.sidecar(SidecarConfig)}).
 *
 * <pre>{@code
 * SidecarConfig sidecar = SidecarConfig.builder()
 *     .address("127.0.0.1", 15001)
 *     .readyUrl("http://127.0.0.1:15021/healthz/ready")   // Istio's Envoy
 *     .hostSuffix(".shop.svc.cluster.local")
 *     .build();
 * }</pre>
 */
public final class SidecarConfig {

  /** Default probe interval: 1 s. */
  public static final Duration DEFAULT_PROBE_INTERVAL = Duration.ofSeconds(1);
  /** Default probe timeout (connect and read): 500 ms. */
  public static final Duration DEFAULT_PROBE_TIMEOUT = Duration.ofMillis(500);
  /** Default number of consecutive failed probes before the sidecar counts as not ready: 2. */
  public static final int DEFAULT_PROBE_FAILURES = 2;
  /** Default marker header: {@code x-mesh-route}, value {@code sidecar}. */
  public static final String DEFAULT_MARKER_HEADER = MeshHeaders.ROUTE_MARKER;
  /** Default interval of the WARN logged while services configured for the sidecar run direct: 30 s. */
  public static final Duration DEFAULT_NOT_READY_WARN_INTERVAL = Duration.ofSeconds(30);

  private final String host;
  private final int port;
  private final HandoffStyle style;
  private final String hostSuffix;
  private final HttpUrl readyUrl;
  private final boolean readyUrlSet;
  private final Duration probeInterval;
  private final Duration probeTimeout;
  private final int probeFailures;
  private final String markerHeader;
  private final int inboundPort;
  private final ReadinessProbe readiness;
  private final Duration notReadyWarnInterval;
  private final SidecarDialect dialect;

  private SidecarConfig(Builder b, String host, int port) {
    this.host = host;
    this.port = port;
    this.style = b.style;
    this.hostSuffix = b.hostSuffix;
    this.readyUrlSet = b.readyUrl != null;
    this.readyUrl = b.readyUrl != null ? b.readyUrl
        : new HttpUrl.Builder().scheme("http").host(host).port(port).encodedPath("/ready").build();
    this.probeInterval = b.probeInterval;
    this.probeTimeout = b.probeTimeout;
    this.probeFailures = b.probeFailures;
    this.markerHeader = b.markerHeader;
    this.inboundPort = b.inboundPort;
    this.readiness = b.readiness;
    this.notReadyWarnInterval = b.notReadyWarnInterval;
    this.dialect = b.dialect;
  }

  /** A new builder; {@link Builder#address} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this config's settings, e.g. to derive a sidecar at another address. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.host = host;
    b.port = port;
    b.style = style;
    b.hostSuffix = hostSuffix;
    b.readyUrl = readyUrlSet ? readyUrl : null; // the default follows a new address
    b.probeInterval = probeInterval;
    b.probeTimeout = probeTimeout;
    b.probeFailures = probeFailures;
    b.markerHeader = markerHeader;
    b.inboundPort = inboundPort;
    b.readiness = readiness;
    b.notReadyWarnInterval = notReadyWarnInterval;
    b.dialect = dialect;
    return b;
  }

  /** A host-header sidecar at {@code host:port} with every other setting at its default. */
  public static SidecarConfig of(String host, int port) {
    return builder().address(host, port).build();
  }

  /**
   * Reads {@code mesh.sidecar.*}: {@code address} (host:port, required when any other key is present),
   * {@code style}, {@code host-suffix}, {@code ready-url}, {@code probe-interval}, {@code probe-timeout},
   * {@code probe-failures}, {@code marker-header}, {@code inbound-port}, {@code readiness},
   * {@code not-ready-warn-interval}, {@code dialect}. Any other {@code mesh.sidecar.} key is
   * an error (a misspelt key must not be silently ignored).
   *
   * @return the config, or {@code null} when no {@code mesh.sidecar.} key is present
   * @throws ConfigException naming the full key of an invalid entry
   */
  public static @Nullable SidecarConfig fromProperties(Map<String, String> properties) {
    requireNonNull(properties, "properties");
    Builder b = builder();
    boolean any = false;
    for (Map.Entry<String, String> e : new TreeMap<>(properties).entrySet()) {
      if (e.getKey().startsWith("mesh.sidecar.")) {
        any = true;
        try {
          b.set(e.getKey().substring(13), e.getValue());
        } catch (ConfigException ex) {
          throw ex.key().startsWith("mesh.") ? ex : ex.withKeyPrefix("mesh.");
        }
      }
    }
    if (!any) {
      return null;
    }
    try {
      return b.build();
    } catch (ConfigException ex) {
      throw ex.key().startsWith("mesh.") ? ex : ex.withKeyPrefix("mesh.");
    }
  }

  /** The sidecar's outbound listener host (usually 127.0.0.1). */
  public String host() {
    return host;
  }

  /** The sidecar's outbound listener port. */
  public int port() {
    return port;
  }

  /** How calls are handed over. */
  public HandoffStyle style() {
    return style;
  }

  /** Appended to the service name in the Host header / proxied URL, e.g. {@code .ns.svc.cluster.local}. */
  public String hostSuffix() {
    return hostSuffix;
  }

  /** The URL whose 2xx answer means the sidecar is ready (default {@code http://<address>/ready}). */
  public HttpUrl readyUrl() {
    return readyUrl;
  }

  /** How often readiness is probed. */
  public Duration probeInterval() {
    return probeInterval;
  }

  /** Connect and read timeout of one probe. */
  public Duration probeTimeout() {
    return probeTimeout;
  }

  /**
   * Consecutive failed probes before a ready sidecar counts as not ready (one slow probe on a starved CPU
   * should not flip traffic). A call that finds the listener refusing connections flips it at once.
   */
  public int probeFailures() {
    return probeFailures;
  }

  /** The header set to {@code sidecar} on calls handed to the sidecar, so the far side can tell the path. */
  public String markerHeader() {
    return markerHeader;
  }

  /** The sidecar's inbound port to advertise at registration, or 0 for none. */
  public int inboundPort() {
    return inboundPort;
  }

  /** How readiness is probed: the ready URL and the listener ({@code http}), or the listener only ({@code tcp}). */
  public ReadinessProbe readiness() {
    return readiness;
  }

  /**
   * How often a WARN names the services configured for the sidecar whose calls run direct because the sidecar (or
   * its route for the service) is not ready: once per interval, not per call nor per probe.
   */
  public Duration notReadyWarnInterval() {
    return notReadyWarnInterval;
  }

  /** Which budget headers the sidecar reads besides the mesh's own (default {@code mesh}). */
  public SidecarDialect dialect() {
    return dialect;
  }

  /** The outbound listener as {@code host:port}. */
  public String address() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SidecarConfig c && host.equals(c.host) && port == c.port && style == c.style
        && hostSuffix.equals(c.hostSuffix) && readyUrl.equals(c.readyUrl) && probeInterval.equals(c.probeInterval)
        && probeTimeout.equals(c.probeTimeout) && probeFailures == c.probeFailures
        && markerHeader.equals(c.markerHeader)
        && inboundPort == c.inboundPort && readiness == c.readiness
        && notReadyWarnInterval.equals(c.notReadyWarnInterval) && dialect == c.dialect;
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(host, port, style, hostSuffix, readyUrl, probeInterval, probeTimeout,
        probeFailures, markerHeader, inboundPort, readiness, notReadyWarnInterval, dialect);
  }

  @Override
  public String toString() {
    return "SidecarConfig{" + host + ":" + port + " " + style
        + (hostSuffix.isEmpty() ? "" : " suffix=" + hostSuffix)
        + (readiness == ReadinessProbe.TCP ? " ready=tcp" : " ready=" + readyUrl)
        + " every " + probeInterval.toMillis() + "ms"
        + (inboundPort == 0 ? "" : " inbound=" + inboundPort)
        + (dialect == SidecarDialect.MESH ? "" : " dialect=" + dialect) + "}";
  }

  /** Builds a {@link SidecarConfig}; each setter validates and throws {@link ConfigException}. */
  public static final class Builder {
    private @Nullable String host;
    private int port;
    private HandoffStyle style = HandoffStyle.HOST_HEADER;
    private String hostSuffix = "";
    private @Nullable HttpUrl readyUrl;
    private Duration probeInterval = DEFAULT_PROBE_INTERVAL;
    private Duration probeTimeout = DEFAULT_PROBE_TIMEOUT;
    private int probeFailures = DEFAULT_PROBE_FAILURES;
    private String markerHeader = DEFAULT_MARKER_HEADER;
    private int inboundPort;
    private ReadinessProbe readiness = ReadinessProbe.HTTP;
    private Duration notReadyWarnInterval = DEFAULT_NOT_READY_WARN_INTERVAL;
    private SidecarDialect dialect = SidecarDialect.MESH;

    private Builder() {}

    /** Which budget headers the sidecar reads besides the mesh's own (default {@code mesh}). */
    public Builder dialect(SidecarDialect dialect) {
      this.dialect = requireNonNull(dialect, "dialect");
      return this;
    }

    /** How readiness is probed (default {@code http}: the ready URL answers 2xx and the listener accepts). */
    public Builder readiness(ReadinessProbe probe) {
      this.readiness = requireNonNull(probe, "probe");
      return this;
    }

    /** How often the "configured for the sidecar but running direct" WARN repeats (default 30 s). */
    public Builder notReadyWarnInterval(Duration interval) {
      this.notReadyWarnInterval = ConfigValues.requirePositive("sidecar.not-ready-warn-interval", interval);
      return this;
    }

    /** The outbound listener, e.g. {@code 127.0.0.1} and {@code 15001}. */
    public Builder address(String host, int port) {
      requireNonNull(host, "host");
      String h;
      try {
        h = Hosts.canonical("sidecar.address", host.trim());
      } catch (ConfigException e) {
        throw new ConfigException("sidecar.address", host + ":" + port,
            "host:port with " + Hosts.EXPECTED + " as host, e.g. 127.0.0.1:15001");
      }
      if (port < 1 || port > 65535) {
        throw new ConfigException("sidecar.address", host + ":" + port, "host:port with port 1-65535");
      }
      this.port = port;
      this.host = h;
      return this;
    }

    /** The outbound listener as {@code host:port}. */
    public Builder address(String hostPort) {
      requireNonNull(hostPort, "hostPort");
      int colon = hostPort.lastIndexOf(':');
      if (colon <= 0) {
        throw new ConfigException("sidecar.address", hostPort, "host:port, e.g. 127.0.0.1:15001");
      }
      int p;
      try {
        p = Integer.parseInt(hostPort.substring(colon + 1).trim());
      } catch (NumberFormatException e) {
        throw new ConfigException("sidecar.address", hostPort, "host:port, e.g. 127.0.0.1:15001");
      }
      String h = hostPort.substring(0, colon).trim();
      if (h.startsWith("[") && h.endsWith("]")) {
        h = h.substring(1, h.length() - 1);
      }
      if (p < 1 || p > 65535) {
        throw new ConfigException("sidecar.address", hostPort, "host:port with port 1-65535");
      }
      try {
        return address(h, p);
      } catch (ConfigException e) {
        throw new ConfigException("sidecar.address", hostPort, e.expected());
      }
    }

    /** The handoff style (default {@code host-header}). */
    public Builder style(HandoffStyle style) {
      this.style = requireNonNull(style, "style");
      return this;
    }

    /** A suffix for the service name in Host / the proxied URL, e.g. {@code .ns.svc.cluster.local}. */
    public Builder hostSuffix(String suffix) {
      requireNonNull(suffix, "suffix");
      String s = suffix.trim().toLowerCase(Locale.ROOT);
      if (!s.isEmpty() && (!s.startsWith(".") || s.length() < 2 || !s.matches("[a-z0-9.-]+"))) {
        throw new ConfigException("sidecar.host-suffix", suffix, "\"\" or a DNS suffix starting with '.'");
      }
      this.hostSuffix = s;
      return this;
    }

    /** The readiness URL (Envoy {@code /ready}, HAProxy {@code monitor-uri}, nginx status...). */
    public Builder readyUrl(String url) {
      requireNonNull(url, "url");
      HttpUrl u = HttpUrl.parse(url.trim());
      if (u == null) {
        throw new ConfigException("sidecar.ready-url", url, "an http(s) URL such as http://127.0.0.1:15000/ready");
      }
      this.readyUrl = u;
      return this;
    }

    /** How often readiness is probed (default 1 s). */
    public Builder probeInterval(Duration interval) {
      this.probeInterval = ConfigValues.requirePositive("sidecar.probe-interval", interval);
      return this;
    }

    /** Connect and read timeout of one probe (default 500 ms). */
    public Builder probeTimeout(Duration timeout) {
      this.probeTimeout = ConfigValues.requirePositive("sidecar.probe-timeout", timeout);
      return this;
    }

    /** Consecutive failed probes before not ready, 1-100 (default 2). */
    public Builder probeFailures(int failures) {
      this.probeFailures = ConfigValues.requireRange("sidecar.probe-failures", failures, 1, 100);
      return this;
    }

    /**
     * The marker header name (default {@code x-mesh-route}): an HTTP header name that is not a hop-by-hop,
     * framing or pseudo header ({@code Host}, {@code Content-Length}, {@code Transfer-Encoding},
     * {@code Connection}... would break routing) nor the mesh's caller or deadline header.
     */
    public Builder markerHeader(String name) {
      requireNonNull(name, "name");
      String n = name.trim();
      if (!MeshHeaders.isToken(n) || MeshHeaders.isHopByHopOrFraming(n)
          || n.equalsIgnoreCase(MeshHeaders.CALLER) || n.equalsIgnoreCase(MeshHeaders.DEADLINE)
          || n.equalsIgnoreCase(MeshHeaders.MAX_RETRIES) || n.equalsIgnoreCase(MeshHeaders.TRACEPARENT)
          || n.toLowerCase(Locale.ROOT).startsWith("x-envoy-")) {
        throw new ConfigException("sidecar.marker-header", name, "an HTTP header name of the application's own,"
            + " not a hop-by-hop or framing header (Host, Content-Length, Transfer-Encoding, Connection...), not"
            + " " + MeshHeaders.CALLER + ", " + MeshHeaders.DEADLINE + ", " + MeshHeaders.MAX_RETRIES
            + ", traceparent nor an x-envoy-* header");
      }
      this.markerHeader = n.toLowerCase(Locale.ROOT);
      return this;
    }

    /** The sidecar's inbound port to advertise when registering (0 = none). */
    public Builder inboundPort(int port) {
      this.inboundPort = ConfigValues.requireRange("sidecar.inbound-port", port, 0, 65535);
      return this;
    }

    /**
     * Sets one property by its key relative to {@code sidecar.} ({@code address}, {@code style}...).
     *
     * @throws ConfigException naming {@code sidecar.<key>}
     */
    public Builder set(String key, String value) {
      requireNonNull(key, "key");
      requireNonNull(value, "value");
      switch (key) {
        case "address" -> address(value);
        case "style" -> style(HandoffStyle.parse("sidecar.style", value));
        case "host-suffix" -> hostSuffix(value);
        case "ready-url" -> readyUrl(value);
        case "probe-interval" -> probeInterval(ConfigValues.parseDuration("sidecar.probe-interval", value));
        case "probe-timeout" -> probeTimeout(ConfigValues.parseDuration("sidecar.probe-timeout", value));
        case "probe-failures" -> probeFailures(ConfigValues.parseInt("sidecar.probe-failures", value));
        case "marker-header" -> markerHeader(value);
        case "inbound-port" -> inboundPort(ConfigValues.parseInt("sidecar.inbound-port", value));
        case "readiness" -> readiness(ReadinessProbe.parse("sidecar.readiness", value));
        case "not-ready-warn-interval" -> notReadyWarnInterval(
            ConfigValues.parseDuration("sidecar.not-ready-warn-interval", value));
        case "dialect" -> dialect(SidecarDialect.parse("sidecar.dialect", value));
        default -> throw new ConfigException("sidecar." + key, value,
            "one of sidecar.address, style, host-suffix, ready-url, probe-interval, probe-timeout, probe-failures,"
                + " marker-header, inbound-port, readiness, not-ready-warn-interval, dialect");
      }
      return this;
    }

    /** Builds; the address is required. */
    public SidecarConfig build() {
      if (host == null) {
        throw new ConfigException("sidecar.address", "", "host:port of the sidecar's outbound listener");
      }
      return new SidecarConfig(this, host, port);
    }
  }
}
