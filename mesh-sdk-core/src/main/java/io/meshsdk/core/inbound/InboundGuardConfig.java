package io.meshsdk.core.inbound;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.AddressRange;
import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.common.ConfigValues;
import io.meshsdk.core.common.MeshHeaders;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Limits of an {@link InboundGuard}. Every limit is off (0) by default.
 *
 * @param callerHeader the request header that names the caller (default {@value #DEFAULT_CALLER_HEADER});
 *     requests without it count as caller {@value InboundGuard#ANONYMOUS}
 * @param perCallerPermits requests per {@code perCallerPeriod} allowed to one caller (0 = no rate limit); over
 *     it: 429
 * @param perCallerPeriod the refresh period of the per-caller permits
 * @param perCallerMaxConcurrent requests of one caller served at once (0 = no limit); over it: 429
 * @param maxConcurrent requests served at once over all callers (0 = no limit); over it: 503 (overload)
 * @param overloadRetryAfter the {@code Retry-After} sent with a 503
 * @param maxTrackedCallers callers with a limiter of their own; callers beyond it share one {@code other} limiter
 *     (none is evicted to make room)
 * @param trustedHops peers (CIDR blocks, such as the local sidecar on {@code 127.0.0.1/32}) whose caller header is
 *     believed: they vouch for the caller they forward. Empty by default: no peer is
 * @param trustPlaintextCaller believe the caller header of any peer without a verified client certificate (off by
 *     default: anyone can send any header, so this is for trusted plaintext networks only)
 */
public record InboundGuardConfig(
    String callerHeader,
    int perCallerPermits,
    Duration perCallerPeriod,
    int perCallerMaxConcurrent,
    int maxConcurrent,
    Duration overloadRetryAfter,
    int maxTrackedCallers,
    List<AddressRange> trustedHops,
    boolean trustPlaintextCaller) {

  /** {@code x-mesh-caller}. */
  public static final String DEFAULT_CALLER_HEADER = MeshHeaders.CALLER;

  /** Validates every component. */
  public InboundGuardConfig {
    requireNonNull(callerHeader, "callerHeader");
    requireNonNull(perCallerPeriod, "perCallerPeriod");
    requireNonNull(overloadRetryAfter, "overloadRetryAfter");
    trustedHops = List.copyOf(requireNonNull(trustedHops, "trustedHops"));
    if (callerHeader.isBlank() || callerHeader.contains(" ") || callerHeader.contains(":")) {
      throw new ConfigException("inbound.caller-header", callerHeader, "a header name");
    }
    if (perCallerPermits < 0) {
      throw new ConfigException("inbound.per-caller-permits", perCallerPermits, ">= 0 (0 = off)");
    }
    if (perCallerPeriod.isNegative() || perCallerPeriod.toMillis() < 1) {
      throw new ConfigException("inbound.per-caller-period", perCallerPeriod, "a duration of at least 1ms");
    }
    if (perCallerMaxConcurrent < 0) {
      throw new ConfigException("inbound.per-caller-max-concurrent", perCallerMaxConcurrent, ">= 0 (0 = off)");
    }
    if (maxConcurrent < 0) {
      throw new ConfigException("inbound.max-concurrent", maxConcurrent, ">= 0 (0 = off)");
    }
    if (overloadRetryAfter.isNegative() || overloadRetryAfter.toSeconds() < 1) {
      throw new ConfigException("inbound.overload-retry-after", overloadRetryAfter, "a duration of at least 1s");
    }
    if (maxTrackedCallers < 1) {
      throw new ConfigException("inbound.max-tracked-callers", maxTrackedCallers, "> 0");
    }
  }

  /** The property prefix read by {@link #fromProperties}. */
  public static final String PREFIX = "mesh.inbound.";

  /**
   * Reads {@code mesh.inbound.*} on top of {@link #ofDefaults()}: {@code caller-header},
   * {@code per-caller-permits}, {@code per-caller-period}, {@code per-caller-max-concurrent},
   * {@code max-concurrent}, {@code overload-retry-after}, {@code max-tracked-callers}, {@code trusted-hops} (a
   * comma-separated list of CIDR blocks), {@code trust-plaintext-caller} ({@code true}/{@code false}). Keys of
   * other prefixes are ignored.
   *
   * @throws ConfigException naming the full key ({@code mesh.inbound.<key>}) of an unknown key or invalid value
   */
  public static InboundGuardConfig fromProperties(Map<String, String> properties) {
    requireNonNull(properties, "properties");
    InboundGuardConfig d = ofDefaults();
    String callerHeader = d.callerHeader();
    int permits = d.perCallerPermits();
    Duration period = d.perCallerPeriod();
    int perCallerMax = d.perCallerMaxConcurrent();
    int max = d.maxConcurrent();
    Duration retryAfter = d.overloadRetryAfter();
    int tracked = d.maxTrackedCallers();
    List<AddressRange> hops = d.trustedHops();
    boolean plaintextCaller = d.trustPlaintextCaller();
    for (Map.Entry<String, String> e : new TreeMap<>(properties).entrySet()) {
      String key = e.getKey();
      if (!key.startsWith(PREFIX)) {
        continue;
      }
      String v = requireNonNull(e.getValue(), key).trim();
      switch (key.substring(PREFIX.length())) {
        case "caller-header" -> callerHeader = v;
        case "per-caller-permits" -> permits = ConfigValues.parseInt(key, v);
        case "per-caller-period" -> period = ConfigValues.parseDuration(key, v);
        case "per-caller-max-concurrent" -> perCallerMax = ConfigValues.parseInt(key, v);
        case "max-concurrent" -> max = ConfigValues.parseInt(key, v);
        case "overload-retry-after" -> retryAfter = ConfigValues.parseDuration(key, v);
        case "max-tracked-callers" -> tracked = ConfigValues.parseInt(key, v);
        case "trusted-hops" -> {
          try {
            hops = AddressRange.parseList(v);
          } catch (IllegalArgumentException ex) {
            throw new ConfigException(key, e.getValue(), "a comma-separated list of CIDR blocks such as"
                + " 127.0.0.1/32,::1/128 (" + ex.getMessage() + ")");
          }
        }
        case "trust-plaintext-caller" -> plaintextCaller = ConfigValues.parseBoolean(key, v);
        default -> throw new ConfigException(key, e.getValue(), "one of " + PREFIX + "{caller-header, "
            + "per-caller-permits, per-caller-period, per-caller-max-concurrent, max-concurrent, "
            + "overload-retry-after, max-tracked-callers, trusted-hops, trust-plaintext-caller}");
      }
    }
    try {
      return new InboundGuardConfig(callerHeader, permits, period, perCallerMax, max, retryAfter, tracked, hops,
          plaintextCaller);
    } catch (ConfigException ex) { // "inbound.<key>" becomes the property's full name, with the text as given
      String full = "mesh." + ex.key();
      String given = properties.get(full);
      throw given == null ? ex.withKeyPrefix("mesh.") : new ConfigException(full, given, ex.expected());
    }
  }

  /** No limits; caller header {@value #DEFAULT_CALLER_HEADER}, believed from no peer. */
  public static InboundGuardConfig ofDefaults() {
    return new InboundGuardConfig(DEFAULT_CALLER_HEADER, 0, Duration.ofSeconds(1), 0, 0, Duration.ofSeconds(1),
        10_000, List.of(), false);
  }

  /** A copy with a per-caller rate limit. */
  public InboundGuardConfig withPerCallerRateLimit(int permits, Duration period) {
    return new InboundGuardConfig(callerHeader, permits, period, perCallerMaxConcurrent, maxConcurrent,
        overloadRetryAfter, maxTrackedCallers, trustedHops, trustPlaintextCaller);
  }

  /** A copy with a per-caller concurrency limit. */
  public InboundGuardConfig withPerCallerMaxConcurrent(int max) {
    return new InboundGuardConfig(callerHeader, perCallerPermits, perCallerPeriod, max, maxConcurrent,
        overloadRetryAfter, maxTrackedCallers, trustedHops, trustPlaintextCaller);
  }

  /** A copy with an overall concurrency limit. */
  public InboundGuardConfig withMaxConcurrent(int max) {
    return new InboundGuardConfig(callerHeader, perCallerPermits, perCallerPeriod, perCallerMaxConcurrent, max,
        overloadRetryAfter, maxTrackedCallers, trustedHops, trustPlaintextCaller);
  }

  /** A copy with another caller header. */
  public InboundGuardConfig withCallerHeader(String header) {
    return new InboundGuardConfig(header, perCallerPermits, perCallerPeriod, perCallerMaxConcurrent,
        maxConcurrent, overloadRetryAfter, maxTrackedCallers, trustedHops, trustPlaintextCaller);
  }

  /** A copy that believes the caller header of peers in {@code hops} (CIDR blocks). */
  public InboundGuardConfig withTrustedHops(List<AddressRange> hops) {
    return new InboundGuardConfig(callerHeader, perCallerPermits, perCallerPeriod, perCallerMaxConcurrent,
        maxConcurrent, overloadRetryAfter, maxTrackedCallers, hops, trustPlaintextCaller);
  }

  /**
   * A copy that believes (or not) the caller header of any peer without a verified certificate: for trusted
   * plaintext networks only, since anyone can send any header.
   */
  public InboundGuardConfig withTrustPlaintextCaller(boolean trust) {
    return new InboundGuardConfig(callerHeader, perCallerPermits, perCallerPeriod, perCallerMaxConcurrent,
        maxConcurrent, overloadRetryAfter, maxTrackedCallers, trustedHops, trust);
  }
}
