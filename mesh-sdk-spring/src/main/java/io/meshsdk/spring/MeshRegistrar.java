package io.meshsdk.spring;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.registration.ServiceRegistration;
import io.meshsdk.core.registration.ServiceRegistry;
import io.meshsdk.core.sidecar.InboundRegistration;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers this instance in the configured registry once the application is ready: service
 * {@code mesh.registration.service} (default the local service name), host {@code mesh.registration.host}, else
 * {@code server.address}, else the first non-loopback IPv4 address; port {@code mesh.registration.port}, else the
 * running web server's; labels {@code mesh.registration.labels.*}. With {@code mesh.registration.inbound=sidecar} the
 * sidecar's inbound port ({@code mesh.sidecar.inbound-port}) is registered instead, and {@link #inbound()} flips the
 * registration between the two at run time (so does the {@code meshinbound} actuator endpoint), make-before-break
 * ({@code mesh.registration.inbound-overlap}, {@code mesh.registration.inbound-acknowledge-timeout}). Deregistration
 * is part of {@link Mesh#drain()} ({@link MeshDrainLifecycle}).
 */
public final class MeshRegistrar {

  private static final Logger log = LoggerFactory.getLogger(MeshRegistrar.class);

  private final Mesh mesh;
  private final @Nullable ServiceRegistry registry;
  private final MeshSettings settings;
  private final @Nullable String serverAddress;
  private volatile int webServerPort;
  private volatile @Nullable InboundRegistration inbound;

  /**
   * A registrar.
   *
   * @param registry where to register, or {@code null} for nowhere (no {@code mesh.registry.uri})
   * @param serverAddress the value of {@code server.address}, or {@code null}
   */
  public MeshRegistrar(Mesh mesh, @Nullable ServiceRegistry registry, MeshSettings settings,
      @Nullable String serverAddress) {
    this.mesh = requireNonNull(mesh, "mesh");
    this.registry = registry;
    this.settings = requireNonNull(settings, "settings");
    this.serverAddress = serverAddress;
    if (registry != null && settings.registrationEnabled() && settings.registrationService() == null) {
      throw new ConfigException("mesh.local-service", "", "a service name to register under (set"
          + " mesh.local-service, mesh.registration.service or spring.application.name), or"
          + " mesh.registration.enabled=false");
    }
  }

  /** The port of the application's web server, once it listens. */
  public void webServerStarted(int port) {
    this.webServerPort = port;
  }

  /** Registers (once); called when the application is ready. */
  public synchronized void register() {
    ServiceRegistry registry = this.registry;
    if (registry == null || inbound != null || !settings.registrationEnabled()) {
      return;
    }
    String service = java.util.Objects.requireNonNull(settings.registrationService(), "service"); // checked above
    int port = settings.registrationPort() > 0 ? settings.registrationPort() : webServerPort;
    if (port <= 0) {
      log.warn("mesh: not registering {}: no web server port (set mesh.registration.port)", service);
      return;
    }
    String host = settings.registrationHost();
    if (host == null) {
      host = serverAddress != null && !serverAddress.isBlank() ? serverAddress : firstNonLoopbackAddress();
    }
    ServiceRegistration r = new ServiceRegistration(service, host, port, settings.registrationLabels());
    InboundRegistration made = mesh.inboundRegistration(registry, r)
        .mode(settings.registrationInbound())
        .overlap(settings.registrationInboundOverlap())
        .acknowledgeTimeout(settings.registrationInboundAcknowledgeTimeout())
        .register();
    inbound = made;
    log.info("mesh: registering {} in {}", made.advertised(), registry);
  }

  /** The registry entry in force, once registered (a flip replaces it: ask again). */
  public ServiceRegistry.@Nullable Registration registration() {
    InboundRegistration i = inbound;
    return i == null ? null : i.current();
  }

  /**
   * The flippable registration ({@link InboundRegistration#viaSidecar}, {@link InboundRegistration#direct}), once
   * registered.
   */
  public @Nullable InboundRegistration inbound() {
    return inbound;
  }

  private static String firstNonLoopbackAddress() {
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nic.isUp() || nic.isLoopback() || nic.isVirtual()) {
          continue;
        }
        for (InetAddress a : Collections.list(nic.getInetAddresses())) {
          if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
            return a.getHostAddress();
          }
        }
      }
    } catch (SocketException e) {
      log.warn("mesh: cannot list network interfaces ({}); registering 127.0.0.1", e.toString());
    }
    return "127.0.0.1";
  }

  @Override
  public String toString() {
    return "MeshRegistrar{registry=" + registry + "}";
  }
}
