package io.meshsdk.core.sidecar;

import io.meshsdk.core.common.ConfigException;
import java.util.Locale;

/** How the sidecar's readiness is probed ({@code mesh.sidecar.readiness}). */
public enum ReadinessProbe {
  /**
   * The ready URL answers 2xx and the outbound listener accepts a TCP connection (the default): for sidecars with
   * an admin or status endpoint (Envoy {@code /ready}, HAProxy {@code monitor-uri}, an nginx location).
   */
  HTTP("http"),
  /**
   * The outbound listener accepts a TCP connection: for sidecars without a ready URL. A listener that accepts
   * before its routes are loaded counts as ready; per-service readiness
   * ({@code route.sidecar-health-path}) covers that case.
   */
  TCP("tcp");

  private final String key;

  ReadinessProbe(String key) {
    this.key = key;
  }

  /** The configuration value: {@code http} or {@code tcp}. */
  public String key() {
    return key;
  }

  /**
   * Parses {@code http} or {@code tcp}.
   *
   * @throws ConfigException with {@code configKey} for anything else
   */
  public static ReadinessProbe parse(String configKey, String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    for (ReadinessProbe p : values()) {
      if (p.key.equals(t)) {
        return p;
      }
    }
    throw new ConfigException(configKey, text, "http (ready URL answers 2xx and the listener accepts) or tcp"
        + " (the listener accepts)");
  }

  @Override
  public String toString() {
    return key;
  }
}
