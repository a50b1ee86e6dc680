package io.meshsdk.core.sidecar;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.common.MeshHeaders;
import java.util.Locale;

/**
 * The route of one service's calls: its {@link RouteMode} and the request header that keys a stable split.
 * Property keys (relative to the service, under {@code route.}): {@code route.mode},
 * {@code route.key-header}, {@code route.sidecar-health-path}, {@code route.sidecar-retries} and
 * {@code route.plan}.
 *
 * <p>The split key of a call is, in order: the value of {@link #keyHeader()} when configured and present (so a
 * user's session stays on one path), else the trace id of a W3C {@code traceparent} header (so a request and
 * its retries stay on one path), else a random number per call.
 *
 * @param mode the route mode
 * @param keyHeader a request header whose value keys the split (e.g. {@code x-user-id}), or "" for none
 * @param sidecarHealthPath a path probed through the sidecar for this service (e.g. {@code /health}), or "" for
 *     none: sidecar-level readiness only
 * @param sidecarRetries who retries calls handed to the sidecar (default {@link SidecarRetries#SIDECAR})
 * @param plan the migration plan ({@code mesh.plans.<name>.*}) that steps this service's mode, or "" for none
 */
public record RouteConfig(RouteMode mode, String keyHeader, String sidecarHealthPath, SidecarRetries sidecarRetries,
    String plan) {

  /** Direct, no key header. */
  public static final RouteConfig DEFAULT = new RouteConfig(RouteMode.DIRECT, "", "", SidecarRetries.SIDECAR, "");

  /** Validates. */
  public RouteConfig {
    requireNonNull(mode, "mode");
    requireNonNull(keyHeader, "keyHeader");
    requireNonNull(sidecarHealthPath, "sidecarHealthPath");
    requireNonNull(sidecarRetries, "sidecarRetries");
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
  }

  /** A route without a migration plan. */
  public RouteConfig(RouteMode mode, String keyHeader, String sidecarHealthPath, SidecarRetries sidecarRetries) {
    this(mode, keyHeader, sidecarHealthPath, sidecarRetries, "");
  }

  /** A route with {@code mode}, {@code keyHeader} and {@code sidecarHealthPath}; the sidecar retries. */
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
    return new RouteConfig(newMode, keyHeader, sidecarHealthPath, sidecarRetries, plan);
  }

  /**
   * A copy with one property applied; {@code key} is relative to {@code route.} ({@code mode},
   * {@code key-header}, {@code sidecar-health-path}, {@code sidecar-retries}, {@code plan}).
   *
   * @throws ConfigException naming {@code route.<key>} for an unknown key or a bad value
   */
  public RouteConfig with(String key, String value) {
    requireNonNull(key, "key");
    requireNonNull(value, "value");
    try {
      return switch (key) {
        case "mode" -> withMode(RouteMode.parse(value));
        case "key-header" -> new RouteConfig(mode, value.trim(), sidecarHealthPath, sidecarRetries, plan);
        case "sidecar-health-path" -> new RouteConfig(mode, keyHeader, value.trim(), sidecarRetries, plan);
        case "sidecar-retries" -> new RouteConfig(mode, keyHeader, sidecarHealthPath, SidecarRetries.parse(value),
            plan);
        case "plan" -> new RouteConfig(mode, keyHeader, sidecarHealthPath, sidecarRetries, value);
        default -> throw new ConfigException(key, value,
            "route.mode, route.key-header, route.sidecar-health-path, route.sidecar-retries or route.plan");
      };
    } catch (ConfigException e) {
      throw e.withKeyPrefix("route.");
    }
  }

  @Override
  public String toString() {
    return mode + (keyHeader.isEmpty() ? "" : " key=" + keyHeader)
        + (sidecarHealthPath.isEmpty() ? "" : " health=" + sidecarHealthPath)
        + (sidecarRetries == SidecarRetries.SIDECAR ? "" : " retries=" + sidecarRetries)
        + (plan.isEmpty() ? "" : " plan=" + plan);
  }
}
