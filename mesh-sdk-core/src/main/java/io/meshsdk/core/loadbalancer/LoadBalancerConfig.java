package io.meshsdk.core.loadbalancer;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.common.ConfigValues;
import io.meshsdk.core.common.MeshHeaders;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * How one service balances its calls: a base policy (by name), and optional zone-aware and subset wrappers.
 * Immutable; build with {@link #builder()} or {@link #from(LoadBalancerConfig)}.
 *
 * <p>Property keys (under {@code mesh.defaults.} or {@code mesh.services.<name>.}): {@code lb.policy},
 * {@code lb.hash-header}, {@code lb.ring-size}, {@code lb.local-zone}, {@code lb.zone-min-healthy-percent},
 * {@code lb.subset-label}, {@code lb.subset-header}, {@code lb.subset-weights} (e.g. {@code v1=90,v2=10}),
 * {@code lb.slow-start-window}.
 */
public final class LoadBalancerConfig {

  /** Round-robin over the healthy endpoints. */
  public static final String ROUND_ROBIN = "round-robin";
  /** Smooth weighted round-robin that respects {@code Endpoint.weight()}. */
  public static final String WEIGHTED = "weighted";
  /** Least-request power-of-two-choices with peak-EWMA latency (the default). */
  public static final String LEAST_REQUEST = "least-request";
  /** Consistent hashing on a request header (ketama-style ring). */
  public static final String RING_HASH = "ring-hash";

  /** The default policy. */
  public static final String DEFAULT_POLICY = LEAST_REQUEST;
  /** Default number of ring entries for ring-hash. */
  public static final int DEFAULT_RING_SIZE = 1024;
  /** Largest allowed ring size. */
  public static final int MAX_RING_SIZE = 8_388_608;
  /** Default: spill over out of the local zone when under 70 % of its endpoints are healthy. */
  public static final int DEFAULT_ZONE_MIN_HEALTHY_PERCENT = 70;

  /**
   * Default slow-start window: a new or returning endpoint ramps from 10 % to a full share over 10 s
   * (least-request).
   */
  public static final Duration DEFAULT_SLOW_START_WINDOW = Duration.ofSeconds(10);

  private static final LoadBalancerConfig DEFAULTS = builder().build();

  private final String policy;
  private final String hashHeader;
  private final int ringSize;
  private final String localZone;
  private final int zoneMinHealthyPercent;
  private final String subsetLabel;
  private final String subsetHeader;
  private final Map<String, Integer> subsetWeights;
  private final Duration slowStartWindow;

  private LoadBalancerConfig(Builder b) {
    this.policy = b.policy;
    this.hashHeader = b.hashHeader;
    this.ringSize = b.ringSize;
    this.localZone = b.localZone;
    this.zoneMinHealthyPercent = b.zoneMinHealthyPercent;
    this.subsetLabel = b.subsetLabel;
    this.subsetHeader = b.subsetHeader;
    this.subsetWeights = Map.copyOf(b.subsetWeights);
    this.slowStartWindow = b.slowStartWindow;
  }

  /** Least-request P2C, no zone or subset routing. */
  public static LoadBalancerConfig ofDefaults() {
    return DEFAULTS;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from {@code base}. */
  public static Builder from(LoadBalancerConfig base) {
    return new Builder(base);
  }

  /** The base policy name, e.g. {@value #LEAST_REQUEST}. */
  public String policy() {
    return policy;
  }

  /** The request header whose value is the hash key for ring-hash ("" if none). */
  public String hashHeader() {
    return hashHeader;
  }

  /** Ring entries for ring-hash. */
  public int ringSize() {
    return ringSize;
  }

  /** The caller's zone for zone-aware balancing; "" = zone-aware off. */
  public String localZone() {
    return localZone;
  }

  /** Spill over to other zones when under this share (0-100) of local endpoints is healthy. */
  public int zoneMinHealthyPercent() {
    return zoneMinHealthyPercent;
  }

  /** Endpoint label that defines subsets (e.g. {@code version}); "" = subset routing off. */
  public String subsetLabel() {
    return subsetLabel;
  }

  /** Request header whose value selects a subset (e.g. {@code x-version}); "" = none. */
  public String subsetHeader() {
    return subsetHeader;
  }

  /** Traffic split between subsets by label value (e.g. v1=90, v2=10) for calls the header does not pin. */
  public Map<String, Integer> subsetWeights() {
    return subsetWeights;
  }

  /**
   * How long a new or returning (restored after ejection) endpoint takes to ramp from 10 % to a full share, in
   * every balancer; zero = slow start off.
   */
  public Duration slowStartWindow() {
    return slowStartWindow;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LoadBalancerConfig c
        && policy.equals(c.policy)
        && hashHeader.equals(c.hashHeader)
        && ringSize == c.ringSize
        && localZone.equals(c.localZone)
        && zoneMinHealthyPercent == c.zoneMinHealthyPercent
        && subsetLabel.equals(c.subsetLabel)
        && subsetHeader.equals(c.subsetHeader)
        && subsetWeights.equals(c.subsetWeights)
        && slowStartWindow.equals(c.slowStartWindow);
  }

  @Override
  public int hashCode() {
    return Objects.hash(policy, hashHeader, ringSize, localZone, zoneMinHealthyPercent, subsetLabel,
        subsetHeader, subsetWeights, slowStartWindow);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(policy);
    if (!hashHeader.isEmpty()) {
      sb.append(" hash-header=").append(hashHeader);
    }
    if (!localZone.isEmpty()) {
      sb.append(" zone=").append(localZone).append(" min-healthy=").append(zoneMinHealthyPercent).append('%');
    }
    if (!subsetLabel.isEmpty()) {
      sb.append(" subset=").append(subsetLabel);
      if (!subsetHeader.isEmpty()) {
        sb.append(" header=").append(subsetHeader);
      }
      if (!subsetWeights.isEmpty()) {
        sb.append(" weights=").append(subsetWeights);
      }
    }
    if (!slowStartWindow.equals(DEFAULT_SLOW_START_WINDOW)) {
      sb.append(" slow-start=").append(slowStartWindow);
    }
    return sb.toString();
  }

  /** Builds a {@link LoadBalancerConfig}; setters validate at once. */
  public static final class Builder {
    private String policy = DEFAULT_POLICY;
    private String hashHeader = "";
    private int ringSize = DEFAULT_RING_SIZE;
    private String localZone = "";
    private int zoneMinHealthyPercent = DEFAULT_ZONE_MIN_HEALTHY_PERCENT;
    private String subsetLabel = "";
    private String subsetHeader = "";
    private Map<String, Integer> subsetWeights = new LinkedHashMap<>();
    private Duration slowStartWindow = DEFAULT_SLOW_START_WINDOW;

    private Builder() {}

    private Builder(LoadBalancerConfig c) {
      this.policy = c.policy;
      this.hashHeader = c.hashHeader;
      this.ringSize = c.ringSize;
      this.localZone = c.localZone;
      this.zoneMinHealthyPercent = c.zoneMinHealthyPercent;
      this.subsetLabel = c.subsetLabel;
      this.subsetHeader = c.subsetHeader;
      this.subsetWeights = new LinkedHashMap<>(c.subsetWeights);
      this.slowStartWindow = c.slowStartWindow;
    }

    /**
     * The base policy: a built-in ({@value #ROUND_ROBIN}, {@value #WEIGHTED}, {@value #LEAST_REQUEST},
     * {@value #RING_HASH}) or the name of a {@link LoadBalancerProvider} found with {@code ServiceLoader}.
     */
    public Builder policy(String policy) {
      requireNonNull(policy, "policy");
      String p = policy.trim().toLowerCase(Locale.ROOT).replace('_', '-');
      if (!LoadBalancers.isKnown(p)) {
        throw new ConfigException("lb.policy", policy, "one of " + LoadBalancers.knownNames());
      }
      this.policy = p;
      return this;
    }

    /** Ring-hash on the value of request header {@code header}. */
    public Builder ringHash(String header) {
      policy(RING_HASH);
      return hashHeader(header);
    }

    /** The request header used as hash key by ring-hash. */
    public Builder hashHeader(String header) {
      requireNonNull(header, "header");
      if (!MeshHeaders.isToken(header)) {
        throw new ConfigException("lb.hash-header", header, "an HTTP header name");
      }
      this.hashHeader = header;
      return this;
    }

    /** Ring entries for ring-hash, 1 to {@value #MAX_RING_SIZE}. */
    public Builder ringSize(int size) {
      this.ringSize = ConfigValues.requireRange("lb.ring-size", size, 1, MAX_RING_SIZE);
      return this;
    }

    /** Turns zone-aware balancing on for a caller in {@code zone}. */
    public Builder localZone(String zone) {
      requireNonNull(zone, "zone");
      this.localZone = zone.trim();
      return this;
    }

    /** The healthy share (0-100 %) under which calls spill out of the local zone. */
    public Builder zoneMinHealthyPercent(int percent) {
      this.zoneMinHealthyPercent = ConfigValues.requireRange("lb.zone-min-healthy-percent", percent, 0, 100);
      return this;
    }

    /** Turns subset routing on: subsets are the values of endpoint label {@code label}. */
    public Builder subsetLabel(String label) {
      requireNonNull(label, "label");
      if (label.isBlank()) {
        throw new ConfigException("lb.subset-label", label, "a non-blank endpoint label key");
      }
      this.subsetLabel = label.trim();
      return this;
    }

    /** A request header whose value pins the call to the subset with that label value. */
    public Builder subsetHeader(String header) {
      requireNonNull(header, "header");
      if (!MeshHeaders.isToken(header)) {
        throw new ConfigException("lb.subset-header", header, "an HTTP header name");
      }
      this.subsetHeader = header;
      return this;
    }

    /** Weight (0-100000) of the subset with label value {@code value}. */
    public Builder subsetWeight(String value, int weight) {
      requireNonNull(value, "value");
      ConfigValues.requireRange("lb.subset-weights." + value, weight, 0, 100_000);
      this.subsetWeights.put(value, weight);
      return this;
    }

    /** Replaces all subset weights. */
    public Builder subsetWeights(Map<String, Integer> weights) {
      requireNonNull(weights, "weights");
      this.subsetWeights = new LinkedHashMap<>();
      weights.forEach(this::subsetWeight);
      return this;
    }

    /** Slow-start window (zero = off); see {@link LoadBalancerConfig#slowStartWindow()}. */
    public Builder slowStartWindow(Duration window) {
      this.slowStartWindow = ConfigValues.requireNonNegative("lb.slow-start-window", window);
      return this;
    }

    /**
     * Sets one property by its key relative to {@code lb.} (e.g. {@code policy}); used by
     * {@link io.meshsdk.core.config.MeshConfig#fromProperties}.
     *
     * @return false if the key is not a load balancer key
     */
    public boolean set(String key, String value) {
      switch (key) {
        case "policy" -> policy(value);
        case "hash-header" -> hashHeader(value);
        case "ring-size" -> ringSize(ConfigValues.parseInt("lb.ring-size", value));
        case "local-zone" -> localZone(value);
        case "zone-min-healthy-percent" ->
            zoneMinHealthyPercent(ConfigValues.parseInt("lb.zone-min-healthy-percent", value));
        case "subset-label" -> subsetLabel(value);
        case "subset-header" -> subsetHeader(value);
        case "subset-weights" -> subsetWeights(parseWeights(value));
        case "slow-start-window" ->
            slowStartWindow(ConfigValues.parseDuration("lb.slow-start-window", value));
        default -> {
          return false;
        }
      }
      return true;
    }

    /** Builds and cross-checks the config. */
    public LoadBalancerConfig build() {
      if (policy.equals(RING_HASH) && hashHeader.isEmpty()) {
        throw new ConfigException("lb.hash-header", "", "a header name when lb.policy is ring-hash");
      }
      if (!subsetLabel.isEmpty() && subsetHeader.isEmpty() && subsetWeights.isEmpty()) {
        throw new ConfigException(
            "lb.subset-label", subsetLabel, "lb.subset-header or lb.subset-weights to go with it");
      }
      if (subsetLabel.isEmpty() && (!subsetHeader.isEmpty() || !subsetWeights.isEmpty())) {
        throw new ConfigException("lb.subset-label", "", "a label key when subset header or weights are set");
      }
      if (!subsetWeights.isEmpty() && subsetWeights.values().stream().mapToInt(Integer::intValue).sum() == 0) {
        throw new ConfigException("lb.subset-weights", subsetWeights, "at least one weight > 0");
      }
      return new LoadBalancerConfig(this);
    }

    private static Map<String, Integer> parseWeights(String text) {
      Map<String, Integer> out = new LinkedHashMap<>();
      for (String part : text.split(",")) {
        String p = part.trim();
        int eq = p.indexOf('=');
        if (p.isEmpty() || eq <= 0 || eq == p.length() - 1) {
          throw new ConfigException("lb.subset-weights", text, "label-value=weight pairs such as v1=90,v2=10");
        }
        out.put(p.substring(0, eq).trim(), ConfigValues.parseInt("lb.subset-weights", p.substring(eq + 1)));
      }
      return out;
    }
  }
}
