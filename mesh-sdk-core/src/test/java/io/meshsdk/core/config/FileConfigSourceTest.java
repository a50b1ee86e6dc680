package io.meshsdk.core.config;

import io.meshsdk.core.common.ConfigException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.meshsdk.core.sidecar.RouteMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileConfigSourceTest {

  @TempDir Path dir;

  private Path write(String content) throws IOException {
    return Files.writeString(dir.resolve("mesh.properties"), content);
  }

  @Test
  void notifiesOnEveryValidChangeAndKeepsTheLastValidConfigOnABadOne() throws IOException {
    Path file = write("mesh.services.inventory.route.mode=direct\n");
    try (FileConfigSource source = FileConfigSource.of(file)) {
      List<MeshConfig> seen = new CopyOnWriteArrayList<>();
      ConfigSource.Subscription sub = source.subscribe(seen::add);
      assertThat(source.current().forService("inventory").route().mode()).isEqualTo(RouteMode.DIRECT);
      assertThat(source.checkNow()).isFalse(); // unchanged

      write("mesh.services.inventory.route.mode=split:10\n");
      assertThat(source.checkNow()).isTrue();
      assertThat(seen).hasSize(1);
      assertThat(seen.get(0).forService("inventory").route().mode()).isEqualTo(RouteMode.split(10));

      write("mesh.services.inventory.route.mode=split:120\n"); // invalid: ignored, last valid stays
      assertThat(source.checkNow()).isFalse();
      assertThat(source.current().forService("inventory").route().mode()).isEqualTo(RouteMode.split(10));

      write("# a comment only changes bytes\nmesh.services.inventory.route.mode=split:10\n");
      assertThat(source.checkNow()).isFalse(); // same config: no notification
      assertThat(source.properties()).containsEntry("mesh.services.inventory.route.mode", "split:10");

      sub.close();
      write("mesh.services.inventory.route.mode=sidecar\n");
      assertThat(source.checkNow()).isTrue();
      assertThat(seen).hasSize(1);
    }
  }

  @Test
  void thePollerPicksUpAChangeByItself() throws IOException {
    Path file = write("mesh.services.inventory.route.mode=direct\n");
    try (FileConfigSource source = FileConfigSource.watch(file, Duration.ofMillis(20))) {
      List<MeshConfig> seen = new CopyOnWriteArrayList<>();
      source.subscribe(seen::add);
      write("mesh.services.inventory.route.mode=split:50\n");
      await().atMost(Duration.ofSeconds(10)).until(() -> !seen.isEmpty());
      assertThat(seen.get(0).forService("inventory").route().mode()).isEqualTo(RouteMode.split(50));
    }
  }

  @Test
  void aFileCaughtMidWriteIsNeverAppliedByThePoller() throws IOException {
    Path file = write("mesh.services.inventory.route.mode=direct\n");
    try (FileConfigSource source = FileConfigSource.of(file)) {
      List<MeshConfig> seen = new CopyOnWriteArrayList<>();
      source.subscribe(seen::add);
      // an in-place rewrite, seen by three polls: emptied, then cut mid-value (which still parses), then complete
      write("");
      assertThat(source.poll()).isFalse();
      write("mesh.services.inventory.route.mode=split:5");
      assertThat(source.poll()).isFalse();
      write("mesh.services.inventory.route.mode=split:50\n");
      assertThat(source.poll()).as("first poll of the complete file: not settled yet").isFalse();
      assertThat(seen).isEmpty();
      assertThat(source.poll()).as("the same content twice: applied").isTrue();
      assertThat(seen).extracting(c -> c.forService("inventory").route().mode()).containsExactly(RouteMode.split(50));
      assertThat(source.current().forService("inventory").route().mode()).isEqualTo(RouteMode.split(50));
      assertThat(source.poll()).as("nothing new").isFalse();
    }
  }

  @Test
  void checkNowAppliesAtOnce() throws IOException {
    Path file = write("mesh.services.inventory.route.mode=direct\n");
    try (FileConfigSource source = FileConfigSource.of(file)) {
      write("mesh.services.inventory.route.mode=sidecar\n");
      assertThat(source.checkNow()).isTrue();
      assertThat(source.current().forService("inventory").route().mode()).isEqualTo(RouteMode.SIDECAR);
    }
  }

  @Test
  void anInvalidFirstReadFailsNamingTheKey() throws IOException {
    Path file = write("mesh.services.inventory.route.mode=sometimes\n");
    assertThatThrownBy(() -> FileConfigSource.of(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("mesh.services.inventory.route.mode: \"sometimes\"");
    assertThatThrownBy(() -> FileConfigSource.of(dir.resolve("missing.properties")))
        .isInstanceOf(java.io.UncheckedIOException.class);
  }
}
