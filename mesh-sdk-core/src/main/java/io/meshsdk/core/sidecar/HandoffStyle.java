package io.meshsdk.core.sidecar;

import io.meshsdk.core.common.ConfigException;
import java.util.Locale;

/** How a call is handed to the sidecar. */
public enum HandoffStyle {
  /**
   * Connect to the sidecar's outbound listener and name the service in {@code Host} (plus an optional
   * suffix): Envoy, MOSN, HAProxy and nginx route on it.
   */
  HOST_HEADER("host-header"),
  /**
   * Send an absolute-form request ({@code GET http://inventory/items}) through the sidecar as a forward
   * proxy. Needs a client from {@code Mesh.newOkHttpClient(...)}, which installs the proxy selector.
   */
  HTTP_PROXY("http-proxy");

  private final String key;

  HandoffStyle(String key) {
    this.key = key;
  }

  /** The configuration value: {@code host-header} or {@code http-proxy}. */
  public String key() {
    return key;
  }

  /** Parses {@code host-header} or {@code http-proxy}. */
  public static HandoffStyle parse(String configKey, String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    for (HandoffStyle s : values()) {
      if (s.key.equals(t)) {
        return s;
      }
    }
    throw new ConfigException(configKey, text, "host-header or http-proxy");
  }

  @Override
  public String toString() {
    return key;
  }
}
