package io.meshsdk.core.sidecar;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.common.ConfigValues;
import io.meshsdk.core.common.MeshHeaders;
import java.time.Duration;
import java.util.Locale;

/**
 * The route of one service's calls: its {@link RouteMode} and the request header that keys a stable split.
 * Property keys (relative to the service, under {@code route.}): {@code route.mode},
 * {@code route.key-header}, {@code route.sidecar-health-path}, {@code route.sidecar-retries},
 * {@code route.shadow-max-concurrency}, {@code route.shadow-timeout}, {@code route.shadow-max-cpu} and
 * {@code route.plan}.
 *
 * <p>The split key of a call is, in order: the value of {@link #keyHeader()} when configured and present (so a
 * user's session stays on one path), else the trace id of a W3C {@code traceparent} header (so a request and
 * its retries stay on one path), else a random number per call. The same key picks the calls a
 * {@code shadow:N} mode copies.
 *
 * @param mode the route mode
 * @param keyHeader a request header whose value keys the split (e.g. {@code x-user-id}), or "" for none
 * @param sidecarHealthPath a path probed through the sidecar for this service (e.g. {@code /health}), or "" for
 *     none: sidecar-level readiness only
 * @param sidecarRetries who retries calls handed to the sidecar (default {@link SidecarRetries#SIDECAR})
 * @param shadowMaxConcurrency in {@code shadow:N}, the most shadow copies of this service in flight at once
 *     (1-1024); a copy that finds them all taken is dropped and counted, never queued
 * @param shadowTimeout in {@code shadow:N}, how long one shadow copy may take, answer body included (1 ms to
 *     1 h); a copy that runs out of time is counted as failed and frees its place
 * @param shadowMaxCpu in {@code shadow:N}, the host CPU use in % (as the JVM sees it: the container's share when
 *     it has a limit) above which no copy is sent (1-100; 100: copies are never shed for CPU); a call whose copy
 *     is shed is counted, so that copies never take CPU the primary calls need
 * @param plan the migration plan ({@code mesh.plans.<name>.*}) that steps this service's mode, or "" for none
 */
public record RouteConfig(RouteMode mode, String keyHeader, String sidecarHealthPath, SidecarRetries sidecarRetries,
    int shadowMaxConcurrency, Duration shadowTimeout, int shadowMaxCpu, String plan) {

  /** The default {@link #shadowMaxConcurrency()}. */
  public static final int DEFAULT_SHADOW_MAX_CONCURRENCY = 16;
  /** The default {@link #shadowTimeout()}. */
  public static final Duration DEFAULT_SHADOW_TIMEOUT = Duration.ofSeconds(2);
  /** The default {@link #shadowMaxCpu()}: 75 %. */
  public static final int DEFAULT_SHADOW_MAX_CPU = 75;

  /** Direct, no key header. */
  public static final RouteConfig DEFAULT = new RouteConfig(RouteMode.DIRECT, "", "");

  /** Validates. */
  public RouteConfig {
    requireNonNull(mode, "mode");
    requireNonNull(keyHeader, "keyHeader");
    requireNonNull(sidecarHealthPath, "sidecarHealthPath");
    requireNonNull(sidecarRetries, "sidecarRetries");
    requireNonNull(shadowTimeout, "shadowTimeout");
    requireNonNull(plan, "plan");
    plan = plan.trim();
    if (!plan.isEmpty() && !plan.matches("[a-z0-9]([a-z0-9_-]{0,61}[a-z0-9])?")) {
      throw new ConfigException("plan", plan, "the name of a plan under mesh.plans.<name>.* (lower-case letters,"
          + " digits, '-' and '_'), or \"\" for none");
    }
    if (!keyHeader.isEmpty() && !MeshHeaders.isToken(keyHeader)) {
      throw new ConfigException("key-header", keyHeader, "an HTTP header name, or \"\" for none");
    }
    keyHeader = keyHeader.toLowerCase(Locale.ROOT);
    if (!sidecarHealthPath.isEmpty() && (!sidecarHealthPath.startsWith("/") || sidecarHealthPath.startsWith("//")
        || !sidecarHealthPath.matches("[A-Za-z0-9._~!$&'()*+,;=:@%/?-]+"))) {
      throw new ConfigException("sidecar-health-path", sidecarHealthPath,
          "an absolute path such as /health (no spaces, no fragment), or \"\" for sidecar-level readiness only");
    }
    ConfigValues.requireRange("shadow-max-concurrency", shadowMaxConcurrency, 1, 1024);
    if (shadowTimeout.compareTo(Duration.ofMillis(1)) < 0 || shadowTimeout.compareTo(Duration.ofHours(1)) > 0) {
      throw new ConfigException("shadow-timeout", shadowTimeout, "1ms to 1h");
    }
    ConfigValues.requireRange("shadow-max-cpu", shadowMaxCpu, 1, 100);
  }

  /** A route without a migration plan, with the default shadow bounds. */
  public RouteConfig(RouteMode mode, String keyHeader, String sidecarHealthPath, SidecarRetries sidecarRetries) {
    this(mode, keyHeader, sidecarHealthPath, sidecarRetries, DEFAULT_SHADOW_MAX_CONCURRENCY, DEFAULT_SHADOW_TIMEOUT,
        DEFAULT_SHADOW_MAX_CPU, "");
  }

  /** A route with {@code mode}, {@code keyHeader} and a health path; the sidecar retries; default shadow bounds. */
  public RouteConfig(RouteMode mode, String keyHeader, String sidecarHealthPath) {
    this(mode, keyHeader, sidecarHealthPath, SidecarRetries.SIDECAR);
  }

  /** A route with {@code mode} and {@code keyHeader}, without a per-service health path. */
  public RouteConfig(RouteMode mode, String keyHeader) {
    this(mode, keyHeader, "");
  }

  /** The defaults: {@code direct}, no key header. */
  public static RouteConfig ofDefaults() {
    return DEFAULT;
  }

  /** A route with {@code mode} and no key header. */
  public static RouteConfig of(RouteMode mode) {
    return new RouteConfig(mode, "");
  }

  /** A copy with another mode. */
  public RouteConfig withMode(RouteMode newMode) {
    return new RouteConfig(newMode, keyHeader, sidecarHealthPath, sidecarRetries, shadowMaxConcurrency,
        shadowTimeout, shadowMaxCpu, plan);
  }

  /**
   * A copy with one property applied; {@code key} is relative to {@code route.} ({@code mode},
   * {@code key-header}, {@code sidecar-health-path}, {@code sidecar-retries}, {@code shadow-max-concurrency},
   * {@code shadow-timeout}, {@code shadow-max-cpu}, {@code plan}).
   *
   * @throws ConfigException naming {@code route.<key>} for an unknown key or a bad value
   */
  public RouteConfig with(String key, String value) {
    requireNonNull(key, "key");
    requireNonNull(value, "value");
    try {
      return switch (key) {
        case "mode" -> withMode(RouteMode.parse(value));
        case "key-header" -> new RouteConfig(mode, value.trim(), sidecarHealthPath, sidecarRetries,
            shadowMaxConcurrency, shadowTimeout, shadowMaxCpu, plan);
        case "sidecar-health-path" -> new RouteConfig(mode, keyHeader, value.trim(), sidecarRetries,
            shadowMaxConcurrency, shadowTimeout, shadowMaxCpu, plan);
        case "sidecar-retries" -> new RouteConfig(mode, keyHeader, sidecarHealthPath, SidecarRetries.parse(value),
            shadowMaxConcurrency, shadowTimeout, shadowMaxCpu, plan);
        case "shadow-max-concurrency" -> {
          int n = ConfigValues.parseInt(key, value);
          if (n < 1 || n > 1024) {
            throw new ConfigException(key, value, "1-1024"); // the text as written, quoted
          }
          yield new RouteConfig(mode, keyHeader, sidecarHealthPath, sidecarRetries, n, shadowTimeout, shadowMaxCpu,
              plan);
        }
        case "shadow-timeout" -> new RouteConfig(mode, keyHeader, sidecarHealthPath, sidecarRetries,
            shadowMaxConcurrency, ConfigValues.parseDuration(key, value), shadowMaxCpu, plan);
        case "shadow-max-cpu" -> {
          String v = value.trim();
          int n;
          try {
            n = Integer.parseInt(v.endsWith("%") ? v.substring(0, v.length() - 1).trim() : v);
          } catch (NumberFormatException e) {
            n = -1; // named below with the text as written
          }
          if (n < 1 || n > 100) {
            throw new ConfigException(key, value, "1-100 (percent of the host's CPU; 100: never shed for CPU)");
          }
          yield new RouteConfig(mode, keyHeader, sidecarHealthPath, sidecarRetries, shadowMaxConcurrency,
              shadowTimeout, n, plan);
        }
        case "plan" -> new RouteConfig(mode, keyHeader, sidecarHealthPath, sidecarRetries, shadowMaxConcurrency,
            shadowTimeout, shadowMaxCpu, value);
        default -> throw new ConfigException(key, value, "route.mode, route.key-header, route.sidecar-health-path,"
            + " route.sidecar-retries, route.shadow-max-concurrency, route.shadow-timeout, route.shadow-max-cpu or"
            + " route.plan");
      };
    } catch (ConfigException e) {
      throw e.withKeyPrefix("route.");
    }
  }

  @Override
  public String toString() {
    boolean shadowBounds = shadowMaxConcurrency != DEFAULT_SHADOW_MAX_CONCURRENCY
        || !shadowTimeout.equals(DEFAULT_SHADOW_TIMEOUT) || shadowMaxCpu != DEFAULT_SHADOW_MAX_CPU;
    return mode + (keyHeader.isEmpty() ? "" : " key=" + keyHeader)
        + (sidecarHealthPath.isEmpty() ? "" : " health=" + sidecarHealthPath)
        + (sidecarRetries == SidecarRetries.SIDECAR ? "" : " retries=" + sidecarRetries)
        + (shadowBounds ? " shadow-max=" + shadowMaxConcurrency + " shadow-timeout=" + shadowTimeout.toMillis() + "ms"
            + " shadow-max-cpu=" + shadowMaxCpu + "%" : "")
        + (plan.isEmpty() ? "" : " plan=" + plan);
  }
}
