package io.meshsdk.spring;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.Mesh;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Drains the mesh when the application context closes, before the web server's graceful shutdown: deregisters,
 * keeps serving for {@code mesh.drain-delay} while callers' discovery sees the instance leave, then answers new
 * requests 503 {@code x-mesh-draining} and waits up to {@code mesh.drain-timeout} for admitted ones
 * ({@link Mesh#drain()}).
 *
 * <p>Lifecycles stop in decreasing phase order; Boot's {@code WebServerGracefulShutdownLifecycle} runs at
 * {@code WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE} ({@code SmartLifecycle.DEFAULT_PHASE - 1024}) and stops the web server after it, so this one's {@link #PHASE} is
 * above it: by the time the server stops accepting, callers have moved away and admitted requests are done. The drain
 * runs synchronously on the closing thread; it takes at most the drain delay plus the drain timeout.
 */
public final class MeshDrainLifecycle implements SmartLifecycle {

  /** Above Boot's graceful-shutdown phase ({@code DEFAULT_PHASE - 1024}), so this stops first. */
  public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 512;

  private static final Logger log = LoggerFactory.getLogger(MeshDrainLifecycle.class);

  private final Mesh mesh;
  private volatile boolean running;

  /** Drains {@code mesh} on stop. */
  public MeshDrainLifecycle(Mesh mesh) {
    this.mesh = requireNonNull(mesh, "mesh");
  }

  @Override
  public void start() {
    running = true;
  }

  @Override
  public void stop() {
    if (!running) {
      return;
    }
    running = false;
    log.info("mesh: draining before the web server shuts down");
    mesh.drain();
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }
}
