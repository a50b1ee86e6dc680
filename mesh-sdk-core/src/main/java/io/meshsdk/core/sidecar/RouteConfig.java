package io.meshsdk.core.sidecar;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.common.MeshHeaders;
import java.util.Locale;

/**
 * The route of one service's calls: its {@link RouteMode} and the request header that keys a stable split.
 * Property keys (relative to the service, under {@code route.}): {@code route.mode} and
 * {@code route.key-header}.
 *
 * <p>The split key of a call is, in order: the value of {@link #keyHeader()} when configured and present (so a
 * user's session stays on one path), else the trace id of a W3C {@code traceparent} header (so a request and
 * its retries stay on one path), else a random number per call.
 *
 * @param mode the route mode
 * @param keyHeader a request header whose value keys the split (e.g. {@code x-user-id}), or "" for none
 */
public record RouteConfig(RouteMode mode, String keyHeader) {

  /** Direct, no key header. */
  public static final RouteConfig DEFAULT = new RouteConfig(RouteMode.DIRECT, "");

  /** Validates. */
  public RouteConfig {
    requireNonNull(mode, "mode");
    requireNonNull(keyHeader, "keyHeader");
    if (!keyHeader.isEmpty() && !MeshHeaders.isToken(keyHeader)) {
      throw new ConfigException("key-header", keyHeader, "an HTTP header name, or \"\" for none");
    }
    keyHeader = keyHeader.toLowerCase(Locale.ROOT);
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
    return new RouteConfig(newMode, keyHeader);
  }

  /**
   * A copy with one property applied; {@code key} is relative to {@code route.} ({@code mode},
   * {@code key-header}).
   *
   * @throws ConfigException naming {@code route.<key>} for an unknown key or a bad value
   */
  public RouteConfig with(String key, String value) {
    requireNonNull(key, "key");
    requireNonNull(value, "value");
    try {
      return switch (key) {
        case "mode" -> withMode(RouteMode.parse(value));
        case "key-header" -> new RouteConfig(mode, value.trim());
        default -> throw new ConfigException(key, value, "route.mode or route.key-header");
      };
    } catch (ConfigException e) {
      throw e.withKeyPrefix("route.");
    }
  }

  @Override
  public String toString() {
    return keyHeader.isEmpty() ? mode.toString() : mode + " key=" + keyHeader;
  }
}
