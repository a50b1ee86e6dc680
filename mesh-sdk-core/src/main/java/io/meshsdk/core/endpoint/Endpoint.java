package io.meshsdk.core.endpoint;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.Hosts;
import io.meshsdk.core.common.ServiceNames;
import java.util.Map;
import java.util.TreeMap;

/**
 * One instance of a service: an immutable value.
 *
 * <p>Two endpoints with the same {@link #id()} in one service are the same instance; the engine keeps the
 * live statistics of an instance (in-flight calls, latency, ejection) across discovery updates by id.
 *
 * @param service the logical service name, for example {@code inventory}; folded to lower case and checked by
 *     {@link ServiceNames}
 * @param id a stable id unique within the service; defaults to {@code host:port}
 * @param host host name or IP literal to connect to, checked and canonicalized as OkHttp does for a URL host
 *     ({@link Hosts}): {@code a@b}, {@code evil%host} or {@code fe80::1%lo} are refused when the endpoint is built,
 *     not when a call is made
 * @param port TCP port, 1 to 65535
 * @param secure whether calls use https
 * @param weight relative weight for weighted balancing, {@value #MIN_WEIGHT} to {@value #MAX_WEIGHT}
 * @param zone the zone (or "" when unknown), used by zone-aware balancing
 * @param labels free-form labels such as {@code version=v2}, used by subset routing: an immutable copy (null keys
 *     and values refused), iterated in key order
 */
public record Endpoint(
    String service,
    String id,
    String host,
    int port,
    boolean secure,
    int weight,
    String zone,
    Map<String, String> labels) {

  /** The weight of an endpoint that does not say otherwise. */
  public static final int DEFAULT_WEIGHT = 1;
  /** Smallest allowed weight. */
  public static final int MIN_WEIGHT = 1;
  /** Largest allowed weight. */
  public static final int MAX_WEIGHT = 1_000_000;
  /**
   * The label that carries when the provider behind an endpoint started (epoch milliseconds, decimal), written by
   * {@link io.meshsdk.core.Mesh#register} into the registry: slow start ramps from that time, so a provider that
   * restarts at the same host and port is ramped again, and one that has served for a while is not ramped just
   * because this caller saw it for the first time.
   */
  public static final String START_TIME_LABEL = "mesh.start-time";

  /**
   * Validates every component; throws {@link io.meshsdk.core.common.ConfigException} (an
   * {@link IllegalArgumentException}) naming the bad component and value.
   */
  public Endpoint {
    requireNonNull(service, "service");
    requireNonNull(id, "id");
    requireNonNull(host, "host");
    requireNonNull(zone, "zone");
    requireNonNull(labels, "labels");
    service = ServiceNames.canonical("service", service);
    host = Hosts.canonical("host", host);
    if (id.isBlank()) {
      throw new IllegalArgumentException("id: \"" + id + "\" (expected: a non-blank id)");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
    }
    if (weight < MIN_WEIGHT || weight > MAX_WEIGHT) {
      throw new IllegalArgumentException(
          "weight: " + weight + " (expected: " + MIN_WEIGHT + "-" + MAX_WEIGHT + ")");
    }
    labels = Labels.of(labels);
  }

  /** An endpoint with default id ({@code host:port}), plain http, default weight, no zone, no labels. */
  public static Endpoint of(String service, String host, int port) {
    return builder(service, host, port).build();
  }

  /** A builder for an endpoint of {@code service} at {@code host:port}. */
  public static Builder builder(String service, String host, int port) {
    return new Builder(service, host, port);
  }

  /** {@code host:port}, the authority to connect to. */
  public String authority() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }

  /** A copy with another weight. */
  public Endpoint withWeight(int newWeight) {
    return new Endpoint(service, id, host, port, secure, newWeight, zone, labels);
  }

  /** A copy with another zone. */
  public Endpoint withZone(String newZone) {
    return new Endpoint(service, id, host, port, secure, weight, newZone, labels);
  }

  /** A copy with other labels. */
  public Endpoint withLabels(Map<String, String> newLabels) {
    return new Endpoint(service, id, host, port, secure, weight, zone, newLabels);
  }

  /** The value of label {@code key}, or {@code null}. */
  public @org.jspecify.annotations.Nullable String label(String key) {
    return labels.get(key);
  }

  /**
   * When the provider started, from the {@value #START_TIME_LABEL} label, or {@code null} when it has none or the
   * value is not epoch milliseconds.
   */
  public java.time.@org.jspecify.annotations.Nullable Instant startTime() {
    String v = labels.get(START_TIME_LABEL);
    if (v == null || v.isEmpty() || v.length() > 18) {
      return null;
    }
    for (int i = 0; i < v.length(); i++) {
      if (v.charAt(i) < '0' || v.charAt(i) > '9') {
        return null;
      }
    }
    return java.time.Instant.ofEpochMilli(Long.parseLong(v));
  }

  /**
   * Whether {@code o} is an endpoint with the same components (as a record's equality), compared cheapest first:
   * the numbers, then the strings, the labels last and only when everything else matched. Discovery compares every
   * endpoint of a service on each update, so the common answer, "unchanged", must be cheap.
   */
  @Override
  public boolean equals(@org.jspecify.annotations.Nullable Object o) {
    if (o == this) {
      return true;
    }
    return o instanceof Endpoint e && port == e.port && weight == e.weight && secure == e.secure
        && id.equals(e.id) && host.equals(e.host) && zone.equals(e.zone) && service.equals(e.service)
        && sameLabels(labels, e.labels);
  }

  private static boolean sameLabels(Map<String, String> a, Map<String, String> b) {
    return a.equals(b); // both are Labels (the constructor makes them so): compared without allocating
  }

  @Override
  public int hashCode() {
    int h = service.hashCode();
    h = 31 * h + id.hashCode();
    h = 31 * h + host.hashCode();
    h = 31 * h + port;
    h = 31 * h + (secure ? 1 : 0);
    h = 31 * h + weight;
    h = 31 * h + zone.hashCode();
    return 31 * h + labels.hashCode();
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(service).append('/').append(id);
    if (!id.equals(authority())) {
      sb.append('@').append(authority());
    }
    if (secure) {
      sb.append(" https");
    }
    if (weight != DEFAULT_WEIGHT) {
      sb.append(" weight=").append(weight);
    }
    if (!zone.isEmpty()) {
      sb.append(" zone=").append(zone);
    }
    if (!labels.isEmpty()) {
      sb.append(' ').append(new TreeMap<>(labels));
    }
    return sb.toString();
  }

  /** Builds an {@link Endpoint}; every setter validates at {@link #build()}. */
  public static final class Builder {
    private final String service;
    private final String host;
    private final int port;
    private @org.jspecify.annotations.Nullable String id;
    private boolean secure;
    private int weight = DEFAULT_WEIGHT;
    private String zone = "";
    private Map<String, String> labels = Map.of();

    private Builder(String service, String host, int port) {
      this.service = requireNonNull(service, "service");
      this.host = requireNonNull(host, "host");
      this.port = port;
    }

    /** Sets a stable id (default {@code host:port}, with the host in its canonical form). */
    public Builder id(String id) {
      this.id = requireNonNull(id, "id");
      return this;
    }

    /** Calls this endpoint over https. */
    public Builder secure(boolean secure) {
      this.secure = secure;
      return this;
    }

    /** Relative weight, {@value Endpoint#MIN_WEIGHT}-{@value Endpoint#MAX_WEIGHT}. */
    public Builder weight(int weight) {
      this.weight = weight;
      return this;
    }

    /** Zone of the endpoint. */
    public Builder zone(String zone) {
      this.zone = requireNonNull(zone, "zone");
      return this;
    }

    /** Labels of the endpoint (copied). */
    public Builder labels(Map<String, String> labels) {
      this.labels = requireNonNull(labels, "labels");
      return this;
    }

    /** Adds one label. */
    public Builder label(String key, String value) {
      java.util.HashMap<String, String> copy = new java.util.HashMap<>(labels);
      copy.put(requireNonNull(key, "key"), requireNonNull(value, "value"));
      this.labels = copy;
      return this;
    }

    /** Builds the endpoint. */
    public Endpoint build() {
      String canonicalHost = Hosts.canonical("host", host);
      String theId = id != null ? id
          : canonicalHost.indexOf(':') >= 0 ? "[" + canonicalHost + "]:" + port : canonicalHost + ":" + port;
      return new Endpoint(service, theId, canonicalHost, port, secure, weight, zone, labels);
    }
  }
}
