package io.meshsdk.spring;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.sidecar.MigrationReport;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The sidecar hand-off's health ({@code meshSidecar} in {@code /actuator/health}): DOWN while some service set to
 * use the sidecar ({@code sidecar} or {@code split:N}) runs direct because the sidecar, or its route for that
 * service, is not ready, naming each such service and why; UP otherwise (no sidecar configured, no service set to
 * use it, or every such service's sidecar path ready). Calls keep working meanwhile (they go direct, governed by
 * the mesh): the state is DOWN so that the migration is loud, not the application. It is a separate indicator from
 * {@code mesh} so that it can be left out of a health group (Kubernetes probes use Boot's {@code liveness} and
 * {@code readiness} groups, which do not include it).
 */
public class MeshSidecarHealthIndicator implements HealthIndicator {

  private final Mesh mesh;

  /** An indicator over {@code mesh}. */
  public MeshSidecarHealthIndicator(Mesh mesh) {
    this.mesh = requireNonNull(mesh, "mesh");
  }

  @Override
  public Health health() {
    MigrationReport report = mesh.migrationReport();
    Map<String, String> direct = new LinkedHashMap<>();
    int routed = 0;
    for (MigrationReport.Service s : report.services()) {
      if (!s.mode().isDirect()) {
        routed++;
      }
      if (s.runningDirectAgainstConfig()) {
        direct.put(s.service(), s.readiness());
      }
    }
    Health.Builder b = direct.isEmpty() ? Health.up() : Health.down();
    b.withDetail("sidecar", report.sidecar().isEmpty() ? "(none configured)" : report.sidecar());
    b.withDetail("sidecarReady", report.sidecarReady());
    b.withDetail("servicesSetToUseTheSidecar", routed);
    if (!direct.isEmpty()) {
      b.withDetail("runningDirectAgainstConfig", direct);
    }
    return b.build();
  }
}
