package io.meshsdk.core.config;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.common.ConfigException;
import org.junit.jupiter.api.Test;

/**
 * One service-name rule everywhere: {@code MeshConfig.builder().service} and {@code Mesh.builder().localService}
 * used to disagree ({@code "café"} and {@code "tab\tbed"} were accepted by the first, rejected by the second).
 */
class ServiceNameAgreementTest {

  @Test
  void meshConfigRejectsANonAsciiServiceName() {
    assertThatThrownBy(() -> MeshConfig.builder().service("café").build())
        .as("MeshConfig.builder().service(\"café\")")
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("café");
  }

  @Test
  void meshConfigRejectsAServiceNameWithATab() {
    assertThatThrownBy(() -> MeshConfig.builder().service("tab\tbed").build())
        .as("MeshConfig.builder().service(\"tab\\tbed\")")
        .isInstanceOf(ConfigException.class);
  }

  @Test
  void localServiceRejectsTheSameNames() {
    assertThatThrownBy(() -> Mesh.builder().localService("café")).isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> Mesh.builder().localService("tab\tbed")).isInstanceOf(ConfigException.class);
  }
}
