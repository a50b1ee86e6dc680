package io.meshsdk.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshsdk.core.common.ConfigException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Config input that used to be dropped or misreported without a word. */
class HostileConfigTest {

  @TempDir Path dir;

  @Test
  void aFileWithAByteOrderMarkKeepsItsFirstKey() throws Exception {
    Path f = dir.resolve("mesh.properties");
    Files.write(f, "\uFEFFmesh.services.inventory.lb.policy=round-robin\n".getBytes(StandardCharsets.UTF_8));
    try (FileConfigSource s = FileConfigSource.of(f)) {
      assertThat(s.current().services()).containsKey("inventory");
      assertThat(s.current().forService("inventory").loadBalancer().policy()).isEqualTo("round-robin");
    }
  }

  @Test
  void oneSettingOfOneServiceUnderTwoSpellingsWithDifferentValuesIsRefused() {
    assertThatThrownBy(() -> MeshConfig.fromProperties(Map.of(
        "mesh.services.Inventory.lb.policy", "round-robin",
        "mesh.services.inventory.lb.policy", "weighted")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("mesh.services.Inventory.lb.policy")
        .hasMessageContaining("mesh.services.inventory.lb.policy");
    // the same value twice is no conflict
    MeshConfig same = MeshConfig.fromProperties(Map.of(
        "mesh.services.Inventory.lb.policy", "round-robin",
        "mesh.services.inventory.lb.policy", "round-robin"));
    assertThat(same.forService("inventory").loadBalancer().policy()).isEqualTo("round-robin");
  }

  @Test
  void anInvalidServiceNameInAKeyIsReportedUnderTheFullKey() {
    assertThatThrownBy(() -> MeshConfig.fromProperties(Map.of("mesh.services.café.lb.policy", "round-robin")))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo("mesh.services.café.lb.policy"));
  }
}
