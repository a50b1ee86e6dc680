package io.meshsdk.testing.provider;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.common.MeshHeaders;
import io.meshsdk.core.inbound.InboundGuard;
import io.meshsdk.core.inbound.InboundGuardConfig;
import io.meshsdk.core.inbound.InboundRequest;
import io.meshsdk.core.registration.ServiceRegistration;
import io.meshsdk.core.registration.ServiceRegistry;
import io.meshsdk.testing.LoopbackBackend;
import java.time.Duration;
import java.util.Map;

/**
 * One instance of a service as an application runs it with the mesh: a {@link LoopbackBackend} behind an
 * {@link InboundGuard} (adapted as a servlet filter would be), its own {@link Mesh} that registers it in a registry,
 * and a shutdown that follows the mesh's drain sequence: deregister, keep serving for the drain delay, refuse new
 * requests with 503 {@value MeshHeaders#DRAINING}, let admitted ones finish, then stop the server.
 */
public final class MeshProvider implements AutoCloseable {

  private final LoopbackBackend backend;
  private final Mesh mesh;
  private final ServiceRegistry.Registration registration;

  private MeshProvider(LoopbackBackend backend, Mesh mesh, ServiceRegistry.Registration registration) {
    this.backend = backend;
    this.mesh = mesh;
    this.registration = registration;
  }

  /**
   * Starts an instance of {@code service} on {@code port} (0: an ephemeral one) and registers it in
   * {@code registry}.
   *
   * @param drainDelay how long the drain keeps serving after deregistering (the registry's propagation time)
   */
  public static MeshProvider start(String service, String name, int port, ServiceRegistry registry,
      Duration drainDelay) {
    requireNonNull(service, "service");
    requireNonNull(registry, "registry");
    LoopbackBackend backend = port == 0 ? LoopbackBackend.start(name) : LoopbackBackend.startOnPort(name, 1, port);
    Mesh mesh = Mesh.builder().drainDelay(drainDelay).drainTimeout(Duration.ofSeconds(20)).build();
    InboundGuard guard = mesh.inboundGuard(InboundGuardConfig.ofDefaults());
    backend.gate((method, header) -> {
      InboundGuard.Admission a = guard.admit(InboundRequest.builder().method(method).path("/")
          .remoteAddress("127.0.0.1").callerHeader(header.apply(guard.callerHeader()))
          .deadlineHeader(header.apply(MeshHeaders.DEADLINE)).build());
      if (a.admitted()) {
        return LoopbackBackend.Decision.serve(a::close);
      }
      a.close();
      String retryAfter = a.retryAfterSeconds();
      Map<String, String> headers = a.draining()
          ? Map.of(MeshHeaders.DRAINING, "true", "Connection", "close", "Retry-After", retryAfter == null ? "0"
              : retryAfter)
          : retryAfter == null ? Map.of() : Map.of("Retry-After", retryAfter);
      return LoopbackBackend.Decision.refuse(a.status(), headers);
    });
    ServiceRegistry.Registration r = mesh.register(registry,
        ServiceRegistration.of(service, backend.host(), backend.port()).withLabel("instance", name));
    return new MeshProvider(backend, mesh, r);
  }

  /** The server. */
  public LoopbackBackend backend() {
    return backend;
  }

  /** The instance's mesh. */
  public Mesh mesh() {
    return mesh;
  }

  /** The registration, as registered (with the mesh's start-time label). */
  public ServiceRegistry.Registration registration() {
    return registration;
  }

  /** Drains (deregister, wait, refuse new requests, finish admitted ones), then stops the server. */
  @Override
  public void close() {
    mesh.close();
    backend.close();
  }
}
