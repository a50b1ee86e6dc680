package io.meshsdk.core;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshsdk.core.config.ConfigException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MeshBuilderTest {

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "Checkout", "check out", "a/b", "a:b", "caf\u00e9", "tab\tbed"})
  void localServiceIsValidatedLikeAServiceName(String name) {
    assertThatThrownBy(() -> Mesh.builder().localService(name))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("local-service: \"" + name + "\" (expected: a lower-case service name");
  }

  @ParameterizedTest
  @ValueSource(strings = {"checkout", "order-service", "svc_2"})
  void validLocalServiceNamesAreAccepted(String name) {
    assertThatCode(() -> Mesh.builder().localService(name)).doesNotThrowAnyException();
  }
}
