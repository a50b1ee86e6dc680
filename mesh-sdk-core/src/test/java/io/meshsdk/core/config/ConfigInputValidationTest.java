package io.meshsdk.core.config;

import io.meshsdk.core.common.ConfigException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.meshsdk.core.sidecar.SidecarConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Regression tests for reported defects in config input validation: values that can never work are accepted
 * silently (or fail with a bare IllegalArgumentException instead of a {@link ConfigException} naming the key).
 *
 * <ul>
 *   <li>{@link #declaredServiceNameMustBeAsciiWithoutControlCharacters}: defect 5, {@code service("café")} and
 *       {@code service("tab\tbed")} are accepted although no URL host can match them.
 *   <li>{@link #meshDomainMustBeAscii}: defect 5, {@code meshDomain(".mésh")} is accepted.
 *   <li>{@link #markerHeaderMustNotBeAFramingOrHopByHopHeader}: defect 6, {@code sidecar.marker-header} accepts
 *       Host, Content-Length, Transfer-Encoding and Connection.
 *   <li>{@link #sidecarAddressWithUnusableHostFailsAsConfigException}: defect 6, {@code mesh.sidecar.address=a@b:15001}
 *       fails with a bare IllegalArgumentException, not a ConfigException for the key.
 *   <li>{@link #propertyKeyWithWrongCasePrefixIsRejected}: defect 6, {@code Mesh.}/{@code MESH.} keys are silently
 *       ignored by {@link MeshConfig#fromProperties}.
 * </ul>
 */
class ConfigInputValidationTest {

  @ParameterizedTest
  @ValueSource(strings = {"caf\u00e9", "tab\tbed"})
  void declaredServiceNameMustBeAsciiWithoutControlCharacters(String name) {
    Throwable thrown = catchThrowable(() -> MeshConfig.builder().service(name));

    assertThat(thrown).as("MeshConfig.builder().service(\"%s\")", name).isInstanceOf(ConfigException.class);
    assertThat(((ConfigException) thrown).value()).isEqualTo(name);
  }

  @Test
  void meshDomainMustBeAscii() {
    Throwable thrown = catchThrowable(() -> MeshConfig.builder().meshDomain(".m\u00e9sh"));

    assertThat(thrown).as("MeshConfig.builder().meshDomain(\".m\u00e9sh\")").isInstanceOf(ConfigException.class);
    assertThat(((ConfigException) thrown).value()).isEqualTo(".m\u00e9sh");
  }

  @ParameterizedTest
  @ValueSource(strings = {"Host", "Content-Length", "Transfer-Encoding", "Connection"})
  void markerHeaderMustNotBeAFramingOrHopByHopHeader(String header) {
    Throwable thrown = catchThrowable(() -> SidecarConfig.builder().markerHeader(header));

    assertThat(thrown).as("SidecarConfig.builder().markerHeader(\"%s\")", header)
        .isInstanceOf(ConfigException.class);
    assertThat(((ConfigException) thrown).key()).isEqualTo("sidecar.marker-header");
  }

  @Test
  void sidecarAddressWithUnusableHostFailsAsConfigException() {
    Throwable thrown =
        catchThrowable(() -> SidecarConfig.fromProperties(Map.of("mesh.sidecar.address", "a@b:15001")));

    assertThat(thrown).as("mesh.sidecar.address=a@b:15001").isInstanceOf(ConfigException.class);
    assertThat(((ConfigException) thrown).key()).isEqualTo("mesh.sidecar.address");
  }

  @ParameterizedTest
  @ValueSource(strings = {"Mesh.services.inventory.lb.policy", "MESH.defaults.lb.policy"})
  void propertyKeyWithWrongCasePrefixIsRejected(String key) {
    assertThatThrownBy(() -> MeshConfig.fromProperties(Map.of(key, "round-robin")))
        .as("MeshConfig.fromProperties with key %s", key)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(key);
  }
}
