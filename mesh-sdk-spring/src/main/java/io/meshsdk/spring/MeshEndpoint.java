package io.meshsdk.spring;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.Mesh;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * {@code /actuator/mesh}: what the mesh is doing and why, from {@link Mesh#snapshot()} — every service with its
 * load balancer, route mode, breaker state and last-known-good/failsafe state, every endpoint with its state and,
 * when it takes no calls, the reason with since/until; the discovery backend's health and the sidecar's readiness;
 * and under {@code migration}, {@link Mesh#migrationReport()}: per service set to use the sidecar (now or before),
 * its mode, readiness through the sidecar, each path's calls, errors and latency, fallbacks and the last route
 * transitions with their reasons.
 */
@Endpoint(id = "mesh")
public class MeshEndpoint {

  private final Mesh mesh;

  /** An endpoint over {@code mesh}. */
  public MeshEndpoint(Mesh mesh) {
    this.mesh = requireNonNull(mesh, "mesh");
  }

  /** The snapshot as JSON-ready maps. */
  @ReadOperation
  public Map<String, Object> mesh() {
    Map<String, Object> out = SnapshotJson.render(mesh.snapshot());
    out.put("migration", MigrationJson.render(mesh.migrationReport()));
    return out;
  }
}
