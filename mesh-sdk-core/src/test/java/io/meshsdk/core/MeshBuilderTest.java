package io.meshsdk.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshsdk.core.common.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MeshBuilderTest {

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "check out", "a/b", "a:b", "caf\u00e9", "tab\tbed", "\uFEFFcheckout", "-a"})
  void localServiceIsValidatedLikeAServiceName(String name) {
    assertThatThrownBy(() -> Mesh.builder().localService(name))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("local-service: \"" + name + "\" (expected: a service name of ASCII letters");
    // one rule for every service name: the config refuses the same names
    assertThatThrownBy(() -> io.meshsdk.core.config.MeshConfig.builder().service(name))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("services: \"" + name + "\" (expected: a service name of ASCII letters");
  }

  @ParameterizedTest
  @ValueSource(strings = {"checkout", "order-service", "svc_2", "Checkout", "checkout.shop"})
  void validLocalServiceNamesAreAccepted(String name) {
    assertThatCode(() -> Mesh.builder().localService(name)).doesNotThrowAnyException();
  }

  @Test
  void aDiscoveryWaitOfForeverIsAllowedAndDoesNotOverflow() {
    try (Mesh mesh = Mesh.builder().discoveryWait(java.time.temporal.ChronoUnit.FOREVER.getDuration()).build()) {
      assertThat(mesh.isMeshHost("anything")).isFalse();
    }
  }
}
