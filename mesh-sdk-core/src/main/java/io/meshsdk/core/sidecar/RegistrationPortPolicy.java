package io.meshsdk.core.sidecar;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.registration.ServiceRegistration;
import org.jspecify.annotations.Nullable;

/**
 * Which port this instance advertises: the application's own, or, once its inbound side is migrated, the local
 * sidecar's inbound port, so that callers still on the SDK reach it through its sidecar (which then applies
 * the inbound policy: mTLS, authorization, inbound telemetry). A migrated registration also carries
 * {@value #INBOUND_LABEL}{@code =sidecar} and {@value #APP_PORT_LABEL}{@code =<application port>}, so an
 * operator (or a rollback) can tell and undo what was swapped.
 *
 * <pre>{@code
 * RegistrationPortPolicy policy = RegistrationPortPolicy.of(sidecarConfig, inboundViaSidecar);
 * registry.register(policy.apply(ServiceRegistration.of("inventory", podIp, 8080)));
 * }</pre>
 */
public final class RegistrationPortPolicy {

  /** Label set on registrations that advertise the sidecar's inbound port. */
  public static final String INBOUND_LABEL = "mesh.inbound";
  /** Label carrying the application's own port when the sidecar's is advertised. */
  public static final String APP_PORT_LABEL = "mesh.app-port";

  private static final RegistrationPortPolicy APPLICATION = new RegistrationPortPolicy(0);

  private final int sidecarInboundPort;

  private RegistrationPortPolicy(int sidecarInboundPort) {
    this.sidecarInboundPort = sidecarInboundPort;
  }

  /** Advertise the application's port unchanged. */
  public static RegistrationPortPolicy applicationPort() {
    return APPLICATION;
  }

  /** Advertise {@code inboundPort} (the sidecar's inbound listener) instead of the application's port. */
  public static RegistrationPortPolicy sidecarInbound(int inboundPort) {
    if (inboundPort < 1 || inboundPort > 65535) {
      throw new ConfigException("sidecar.inbound-port", inboundPort, "1-65535");
    }
    return new RegistrationPortPolicy(inboundPort);
  }

  /**
   * The policy for a process whose sidecar is {@code sidecar} (or none): the sidecar's inbound port when
   * {@code inboundViaSidecar}, else the application's.
   *
   * @throws ConfigException when {@code inboundViaSidecar} but no sidecar inbound port is configured
   */
  public static RegistrationPortPolicy of(@Nullable SidecarConfig sidecar, boolean inboundViaSidecar) {
    if (!inboundViaSidecar) {
      return APPLICATION;
    }
    if (sidecar == null || sidecar.inboundPort() == 0) {
      throw new ConfigException("sidecar.inbound-port", sidecar == null ? "(no sidecar)" : 0,
          "the sidecar's inbound port (1-65535) when registration goes via the sidecar");
    }
    return sidecarInbound(sidecar.inboundPort());
  }

  /** Whether this policy swaps in the sidecar's port. */
  public boolean viaSidecar() {
    return sidecarInboundPort != 0;
  }

  /** The registration to advertise for {@code registration} (the application's own). */
  public ServiceRegistration apply(ServiceRegistration registration) {
    requireNonNull(registration, "registration");
    if (sidecarInboundPort == 0) {
      return registration;
    }
    return registration.withPort(sidecarInboundPort)
        .withLabel(INBOUND_LABEL, "sidecar")
        .withLabel(APP_PORT_LABEL, Integer.toString(registration.port()));
  }

  @Override
  public String toString() {
    return sidecarInboundPort == 0 ? "application port" : "sidecar inbound port " + sidecarInboundPort;
  }
}
