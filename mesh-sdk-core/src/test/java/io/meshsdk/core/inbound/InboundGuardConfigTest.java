package io.meshsdk.core.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.config.MeshConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class InboundGuardConfigTest {

  @Test
  void readsEveryMeshInboundKeyAndIgnoresOtherPrefixes() {
    InboundGuardConfig c = InboundGuardConfig.fromProperties(Map.of(
        "mesh.inbound.caller-header", "x-caller",
        "mesh.inbound.per-caller-permits", "50",
        "mesh.inbound.per-caller-period", "2s",
        "mesh.inbound.per-caller-max-concurrent", "8",
        "mesh.inbound.max-concurrent", "200",
        "mesh.inbound.overload-retry-after", "3s",
        "mesh.inbound.max-tracked-callers", "500",
        "mesh.inbound.trusted-hops", "127.0.0.1/32,::1",
        "mesh.inbound.trust-plaintext-caller", "true",
        "server.port", "8080"));
    assertThat(c).isEqualTo(new InboundGuardConfig("x-caller", 50, Duration.ofSeconds(2), 8, 200,
        Duration.ofSeconds(3), 500, io.meshsdk.core.common.AddressRange.parseList("127.0.0.1/32,::1/128"), true));
  }

  @Test
  void noKeysGiveTheDefaults() {
    assertThat(InboundGuardConfig.fromProperties(Map.of("mesh.domain", ".mesh")))
        .isEqualTo(InboundGuardConfig.ofDefaults());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "mesh.inbound.per-caller-permits | ten | mesh.inbound.per-caller-permits: \"ten\" (expected: an integer)",
      "mesh.inbound.per-caller-permits | -1 | mesh.inbound.per-caller-permits: \"-1\" (expected: >= 0 (0 = off))",
      "mesh.inbound.per-caller-period | 500us | mesh.inbound.per-caller-period: \"500us\" (expected: a duration of at least 1ms)",
      "mesh.inbound.max-concurrent | -2 | mesh.inbound.max-concurrent: \"-2\" (expected: >= 0 (0 = off))",
      "mesh.inbound.overload-retry-after | soon | mesh.inbound.overload-retry-after: \"soon\" (expected: a duration",
      "mesh.inbound.max-tracked-callers | 0 | mesh.inbound.max-tracked-callers: \"0\" (expected: > 0)",
      "mesh.inbound.caller-header | x caller | mesh.inbound.caller-header: \"x caller\" (expected: a header name)",
      "mesh.inbound.per-caller-permit | 5 | mesh.inbound.per-caller-permit: \"5\" (expected: one of mesh.inbound.{"})
  void errorsNameTheFullKeyTheValueAndWhatIsAllowed(String key, String value, String message) {
    assertThatThrownBy(() -> InboundGuardConfig.fromProperties(Map.of(key, value)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(message);
  }

  @Test
  void meshConfigSkipsMeshInboundKeysAsItSkipsMeshSidecarKeys() {
    Map<String, String> props = Map.of(
        "mesh.inbound.per-caller-permits", "50",
        "mesh.sidecar.address", "127.0.0.1:15001",
        "mesh.services.inventory.lb.policy", "round-robin");
    MeshConfig config = MeshConfig.fromProperties(props);
    assertThat(config.services()).containsOnlyKeys("inventory");
    assertThat(InboundGuardConfig.fromProperties(props).perCallerPermits()).isEqualTo(50);
  }
}
