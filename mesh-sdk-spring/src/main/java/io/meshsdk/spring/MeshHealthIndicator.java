package io.meshsdk.spring;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.snapshot.MeshSnapshot;
import io.meshsdk.core.snapshot.ServiceSnapshot;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The mesh's health ({@code mesh} in {@code /actuator/health}): UP while discovery is connected; UP with
 * {@code discovery: serving last-known-good} and the error when discovery fails but every service the mesh routes
 * still has endpoints it learnt before (calls keep working); DOWN with the error when discovery fails and some
 * service has no endpoint at all (calls to it fail). Sidecar readiness is a detail, not a state: calls fall back to
 * direct when the sidecar is not ready.
 */
public class MeshHealthIndicator implements HealthIndicator {

  private final Mesh mesh;

  /** An indicator over {@code mesh}. */
  public MeshHealthIndicator(Mesh mesh) {
    this.mesh = requireNonNull(mesh, "mesh");
  }

  @Override
  public Health health() {
    MeshSnapshot s = mesh.snapshot();
    List<String> empty = new ArrayList<>();
    for (ServiceSnapshot svc : s.services()) {
      if (svc.endpoints().isEmpty()) {
        empty.add(svc.service());
      }
    }
    Health.Builder b;
    if (s.discoveryHealth().connected()) {
      b = Health.up().withDetail("discovery", "connected");
    } else if (empty.isEmpty()) {
      b = Health.up().withDetail("discovery", "serving last-known-good");
    } else {
      b = Health.down().withDetail("discovery", "failing, and no endpoint is known for " + empty);
    }
    String error = s.discoveryHealth().lastError();
    if (error != null) {
      b.withDetail("discoveryError", error);
    }
    b.withDetail("backend", s.discovery());
    b.withDetail("services", s.services().size());
    if (!s.sidecar().isEmpty()) {
      b.withDetail("sidecarReady", s.sidecarReady());
    }
    return b.build();
  }
}
