package io.meshsdk.spring;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.MeshConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.Environment;

/**
 * Applies {@code mesh.domain}, {@code mesh.defaults.*} and {@code mesh.services.*} changes at run time without a
 * restart: {@link #refresh()} re-reads the {@link Environment} (after you changed a property source, or after
 * Spring Cloud's {@code /actuator/refresh} updated it), validates it exactly as at startup and hands the new
 * config to {@link Mesh#reconfigure}; changed services get new pipelines, calls in flight finish on the one they
 * started on. Process-wide settings (discovery, registry, sidecar, inbound, drain) are read once at start.
 *
 * <p>With {@code mesh.config.file} the watched file is the source of the engine's config instead (the starter wires
 * the core's {@code FileConfigSource}); {@link #refresh()} then does nothing but log.
 */
public class MeshConfigRefresher {

  private static final Logger log = LoggerFactory.getLogger(MeshConfigRefresher.class);

  private final Mesh mesh;
  private final Environment environment;
  private final boolean fileDriven;

  /**
   * A refresher of {@code mesh} from {@code environment}.
   *
   * @param fileDriven whether {@code mesh.config.file} drives the config instead
   */
  public MeshConfigRefresher(Mesh mesh, Environment environment, boolean fileDriven) {
    this.mesh = requireNonNull(mesh, "mesh");
    this.environment = requireNonNull(environment, "environment");
    this.fileDriven = fileDriven;
  }

  /**
   * Re-reads the environment and applies the result.
   *
   * @return the config in force afterwards
   * @throws io.meshsdk.core.common.ConfigException when the environment now holds an invalid value (nothing is
   *     applied)
   */
  public MeshConfig refresh() {
    if (fileDriven) {
      log.info("mesh: config comes from mesh.config.file; refresh() of the environment ignored");
      return mesh.config();
    }
    MeshConfig next = MeshSettings.from(environment).config();
    if (!next.equals(mesh.config())) {
      mesh.reconfigure(next);
      log.info("mesh: config refreshed from the environment");
    }
    return mesh.config();
  }
}
