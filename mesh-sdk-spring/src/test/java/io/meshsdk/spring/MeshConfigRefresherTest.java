package io.meshsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.config.FileConfigSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/** Run-time changes of {@code mesh.services.*}: from the environment on refresh(), or from a watched file. */
class MeshConfigRefresherTest {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(MeshAutoConfiguration.class))
      .withUserConfiguration(MeshAutoConfigurationTest.App.class)
      .withPropertyValues("mesh.drain-delay=0", "mesh.discovery.uri=static:inventory=127.0.0.1:9",
          "mesh.services.inventory.retry.max-attempts=2");

  @Test
  void refreshAppliesAChangedEnvironment() {
    runner.run(ctx -> {
      Mesh mesh = ctx.getBean(Mesh.class);
      assertThat(mesh.config().forService("inventory").resilience().retry().maxAttempts()).isEqualTo(2);
      Map<String, Object> changes = new HashMap<>();
      ConfigurableEnvironment env = ctx.getEnvironment();
      env.getPropertySources().addFirst(new MapPropertySource("changes", changes));
      changes.put("mesh.services.inventory.retry.max-attempts", "4");
      ctx.getBean(MeshConfigRefresher.class).refresh();
      assertThat(mesh.config().forService("inventory").resilience().retry().maxAttempts()).isEqualTo(4);

      changes.put("mesh.services.inventory.retry.max-attempts", "40");
      assertThatThrownBy(() -> ctx.getBean(MeshConfigRefresher.class).refresh())
          .isInstanceOf(ConfigException.class).hasMessageContaining("mesh.services.inventory.retry.max-attempts");
      assertThat(mesh.config().forService("inventory").resilience().retry().maxAttempts())
          .as("the config in force stays").isEqualTo(4);
    });
  }

  @Test
  void aWatchedFileDrivesTheConfig(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("mesh.properties");
    Files.writeString(file, "mesh.services.inventory.retry.max-attempts=3\n");
    runner.withPropertyValues("mesh.config.file=" + file, "mesh.config.poll-interval=1h").run(ctx -> {
      Mesh mesh = ctx.getBean(Mesh.class);
      assertThat(mesh.config().forService("inventory").resilience().retry().maxAttempts()).isEqualTo(3);
      Files.writeString(file, "mesh.services.inventory.retry.max-attempts=5\n");
      assertThat(ctx.getBean(FileConfigSource.class).checkNow()).isTrue();
      assertThat(mesh.config().forService("inventory").resilience().retry().maxAttempts()).isEqualTo(5);
    });
  }
}
