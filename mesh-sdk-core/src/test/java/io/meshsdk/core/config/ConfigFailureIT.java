package io.meshsdk.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.discovery.FileServiceDiscovery;
import io.meshsdk.core.sidecar.RouteMode;
import io.meshsdk.core.sidecar.SidecarConfig;
import io.meshsdk.testing.LoopbackBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression tests for "a value that passes validation can still crash" (threads; the config-time part is in
 * {@link ConfigBoundsTest}):
 *
 * <ul>
 *   <li>{@link #aListenerFailingWithAnErrorDoesNotStopTheWatcher}: one config whose application fails with an
 *       {@link Error} silently kills the {@code FileConfigSource} poller; later valid changes are never applied.
 *   <li>{@link #aBuildFailingWithAnErrorLeavesNoThreadsBehind}: a {@code Mesh} build that fails with an
 *       {@link Error} leaks the {@code mesh-sidecar-probe} and {@code mesh-file-discovery} threads.
 * </ul>
 */
class ConfigFailureIT {

  private static final Set<String> MESH_THREADS = Set.of("mesh-sidecar-probe", "mesh-file-discovery");

  @TempDir Path dir;

  /** Replaces {@code file} atomically, so the poller never reads a half-written file. */
  private Path replace(Path file, String content) throws IOException {
    Path tmp = Files.writeString(dir.resolve(file.getFileName() + ".tmp"), content);
    return Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static RouteMode inventoryMode(MeshConfig c) {
    return c.forService("inventory").route().mode();
  }

  @Test
  void aListenerFailingWithAnErrorDoesNotStopTheWatcher() throws Exception {
    Path file = Files.writeString(dir.resolve("mesh.properties"), "mesh.services.inventory.route.mode=direct\n");
    try (FileConfigSource source = FileConfigSource.watch(file, Duration.ofMillis(20));
        Mesh mesh = Mesh.builder().config(source.current()).build()) {
      CountDownLatch failedOnce = new CountDownLatch(1);
      List<MeshConfig> applied = new CopyOnWriteArrayList<>();
      source.subscribe(config -> {
        if (inventoryMode(config).equals(RouteMode.split(10))) {
          failedOnce.countDown();
          throw new AssertionError("test: applying this config failed with an Error");
        }
        mesh.reconfigure(config);
        applied.add(config);
      });

      replace(file, "mesh.services.inventory.route.mode=split:10\n");
      assertThat(failedOnce.await(10, TimeUnit.SECONDS)).as("the poller handed the listener split:10").isTrue();

      replace(file, "mesh.services.inventory.route.mode=split:50\n");
      await("the next valid change (split:50) delivered to the listener after a listener Error")
          .atMost(Duration.ofSeconds(10))
          .until(() -> applied.stream().anyMatch(c -> inventoryMode(c).equals(RouteMode.split(50))));
      assertThat(inventoryMode(mesh.config())).isEqualTo(RouteMode.split(50));
      assertThat(inventoryMode(source.current())).isEqualTo(RouteMode.split(50));
    }
  }

  @Test
  void aBuildFailingWithAnErrorLeavesNoThreadsBehind() throws IOException {
    LoopbackBackend backend = LoopbackBackend.start("inventory");
    try {
      Path endpoints = Files.writeString(dir.resolve("endpoints.txt"),
          "inventory " + backend.host() + ":" + backend.port() + "\n");
      Set<Thread> before = meshThreads();
      MeshConfig config = MeshConfig.fromProperties(java.util.Map.of(
          "mesh.services.inventory.lb.policy", ErrorThrowingLoadBalancerProvider.NAME));

      FileServiceDiscovery discovery = FileServiceDiscovery.watching(endpoints, Duration.ofMillis(50));
      Throwable thrown = catchThrowable(() -> Mesh.builder()
          .discovery(discovery)
          .sidecar(SidecarConfig.of("127.0.0.1", LoopbackBackend.closedPort()))
          .config(config)
          .build());

      assertThat(thrown).as("the build fails: the balancer plugin throws an Error").isNotNull();
      await("threads " + MESH_THREADS + " started by the failed build to end")
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(names(newThreads(before)))
              .as("mesh threads still alive after Mesh.build() failed with %s", thrown)
              .isEmpty());
    } finally {
      backend.close();
    }
  }

  private static Set<Thread> meshThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && MESH_THREADS.contains(t.getName()))
        .collect(Collectors.toSet());
  }

  private static Set<Thread> newThreads(Set<Thread> before) {
    Set<Thread> now = meshThreads();
    now.removeAll(before);
    return now;
  }

  private static List<String> names(Set<Thread> threads) {
    return threads.stream().map(Thread::getName).sorted().toList();
  }
}
