package io.meshsdk.core.security.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshsdk.core.common.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicyConfigTest {

  @Test
  void defaultsAndValues() {
    PolicyConfig d = PolicyConfig.fromProperties(Map.of("other", "x", "mesh.inbound.max-concurrent", "5"));
    assertThat(d).isEqualTo(PolicyConfig.ofDefaults());
    assertThat(d.file()).isNull();
    assertThat(d.refreshInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(d.logInterval()).isEqualTo(Duration.ofSeconds(60));
    PolicyConfig c = PolicyConfig.fromProperties(Map.of("mesh.policy.file", " /etc/mesh/policy.conf ",
        "mesh.policy.refresh-interval", "250ms", "mesh.policy.log-interval", "5m"));
    assertThat(c.file()).isEqualTo(Path.of("/etc/mesh/policy.conf"));
    assertThat(c.refreshInterval()).isEqualTo(Duration.ofMillis(250));
    assertThat(c.logInterval()).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void unknownKeysAndBadValuesFailNamingTheKey() {
    assertThatThrownBy(() -> PolicyConfig.fromProperties(Map.of("mesh.policy.fil", "x")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("mesh.policy.fil: \"x\" (expected: one of mesh.policy.{file, refresh-interval,"
            + " log-interval})");
    assertThatThrownBy(() -> PolicyConfig.fromProperties(Map.of("mesh.policy.refresh-interval", "0s")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("mesh.policy.refresh-interval:");
    assertThatThrownBy(() -> PolicyConfig.fromProperties(Map.of("mesh.policy.log-interval", "soon")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("mesh.policy.log-interval:");
    assertThatThrownBy(() -> PolicyConfig.fromProperties(Map.of("mesh.policy.file", " ")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("mesh.policy.file:");
  }
}
