package io.meshsdk.core.sidecar;

import io.meshsdk.core.common.ConfigException;
import java.util.Locale;

/**
 * Which request headers the sidecar reads for a call's budget ({@code mesh.sidecar.dialect}). The mesh's own
 * headers ({@code x-mesh-deadline-ms}, {@code x-mesh-max-retries}) are sent on every hand-off whatever the
 * dialect; a dialect adds the sidecar's native equivalents, set from the same figures, so that the sidecar's
 * timeout and retries stay within what is left of the call's.
 */
public enum SidecarDialect {
  /**
   * Only the mesh's headers (the default): for HAProxy and nginx, which have no per-request retry header; their
   * configuration can read {@code x-mesh-deadline-ms} (see the migration guide for the snippets).
   */
  MESH("mesh"),
  /**
   * Also Envoy's ({@code x-envoy-upstream-rq-timeout-ms}, {@code x-envoy-max-retries}, and with retries
   * {@code x-envoy-retry-on} and {@code x-envoy-retriable-status-codes}): for Envoy, Istio and other Envoy-based
   * sidecars, which honour them on requests from the local application.
   */
  ENVOY("envoy");

  private final String key;

  SidecarDialect(String key) {
    this.key = key;
  }

  /** The configuration value: {@code mesh} or {@code envoy}. */
  public String key() {
    return key;
  }

  /**
   * Parses {@code mesh} or {@code envoy}.
   *
   * @throws ConfigException with {@code configKey} for anything else
   */
  public static SidecarDialect parse(String configKey, String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    for (SidecarDialect d : values()) {
      if (d.key.equals(t)) {
        return d;
      }
    }
    throw new ConfigException(configKey, text, "mesh (only x-mesh-* budget headers: HAProxy, nginx) or envoy"
        + " (also x-envoy-upstream-rq-timeout-ms, x-envoy-max-retries...: Envoy, Istio)");
  }

  @Override
  public String toString() {
    return key;
  }
}
