package io.meshsdk.core.sidecar;

import io.meshsdk.core.common.ConfigException;
import java.util.Locale;

/**
 * Which listener of this instance its registration advertises ({@code mesh.registration.inbound}): the
 * application's own port, or the local sidecar's inbound port ({@code sidecar.inbound-port}) so that callers reach
 * the instance through its sidecar. Flipped at run time with {@link InboundRegistration}.
 */
public enum InboundMode {
  /** The application's own port: callers connect to the application directly (the default). */
  APPLICATION("application"),
  /** The sidecar's inbound port: callers connect to the sidecar, which forwards to the application. */
  SIDECAR("sidecar");

  private final String key;

  InboundMode(String key) {
    this.key = key;
  }

  /** The configuration value: {@code application} or {@code sidecar}. */
  public String key() {
    return key;
  }

  /** The port policy of this mode for {@code sidecar} (or none). */
  RegistrationPortPolicy policy(@org.jspecify.annotations.Nullable SidecarConfig sidecar) {
    return RegistrationPortPolicy.of(sidecar, this == SIDECAR);
  }

  /**
   * Parses {@code application} (also {@code direct}) or {@code sidecar}, ignoring case.
   *
   * @throws ConfigException with {@code configKey} for anything else
   */
  public static InboundMode parse(String configKey, String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.equals("direct")) {
      return APPLICATION;
    }
    for (InboundMode m : values()) {
      if (m.key.equals(t)) {
        return m;
      }
    }
    throw new ConfigException(configKey, text, "application (register the application's port) or sidecar (register"
        + " the sidecar's inbound port, sidecar.inbound-port)");
  }

  @Override
  public String toString() {
    return key;
  }
}
