package io.meshsdk.core.config;

import io.meshsdk.core.common.ConfigException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.meshsdk.core.sidecar.RouteMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression tests for "a value that passes validation can still crash" (config-time part; the watcher thread
 * and the failed build are in {@link ConfigFailureIT}):
 *
 * <ul>
 *   <li>{@link #breakerWindowTooLargeToAllocateIsRejectedAtConfigTimeNamingTheKey}: {@code breaker.window-size=
 *       2147483647} passes validation and only fails (OutOfMemoryError) when the mesh builds the breaker.
 *   <li>{@link #currentDoesNotClaimAConfigThatFailedToApply}: after a listener failed with an {@link Error} on a
 *       new config, {@code FileConfigSource.current()} still reports that config as the one in force.
 * </ul>
 */
class ConfigBoundsTest {

  private static final String WINDOW_KEY = "mesh.services.svc.breaker.window-size";

  @TempDir Path dir;

  @Test
  void breakerWindowTooLargeToAllocateIsRejectedAtConfigTimeNamingTheKey() {
    Throwable thrown = catchThrowable(() -> MeshConfig.fromProperties(Map.of(WINDOW_KEY, "2147483647")));

    assertThat(thrown)
        .as("MeshConfig.fromProperties(%s=2147483647): a window the mesh cannot allocate must fail validation",
            WINDOW_KEY)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(WINDOW_KEY);
    assertThat(((ConfigException) thrown).key()).isEqualTo(WINDOW_KEY);
  }

  @Test
  void currentDoesNotClaimAConfigThatFailedToApply() throws IOException {
    Path file = Files.writeString(dir.resolve("mesh.properties"), "mesh.services.inventory.route.mode=direct\n");
    try (FileConfigSource source = FileConfigSource.of(file)) {
      MeshConfig before = source.current();
      List<MeshConfig> attempted = new CopyOnWriteArrayList<>();
      source.subscribe(config -> {
        attempted.add(config);
        throw new AssertionError("test: applying this config failed with an Error");
      });

      Files.writeString(file, "mesh.services.inventory.route.mode=split:10\n");
      Throwable ignored = catchThrowable(source::checkNow); // the source reports the failure and keeps the config in force

      assertThat(attempted).as("the listener was given the new config").hasSize(1);
      MeshConfig failed = attempted.get(0);
      assertThat(failed.forService("inventory").route().mode()).isEqualTo(RouteMode.split(10));
      assertThat(source.current().forService("inventory").route().mode())
          .as("route.mode of current() after the only listener failed to apply split:10 (thrown: %s)", ignored)
          .isEqualTo(RouteMode.DIRECT);
      assertThat(source.current()).isNotEqualTo(failed).isEqualTo(before);
    }
  }
}
