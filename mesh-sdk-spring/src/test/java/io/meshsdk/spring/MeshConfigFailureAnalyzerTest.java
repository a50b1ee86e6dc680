package io.meshsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** An invalid or misspelled mesh property stops the start with a report naming it. */
class MeshConfigFailureAnalyzerTest {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(MeshAutoConfiguration.class))
      .withUserConfiguration(MeshAutoConfigurationTest.App.class);

  private FailureAnalysis analyze(String... properties) {
    FailureAnalysis[] out = new FailureAnalysis[1];
    runner.withPropertyValues(properties).run(ctx -> {
      assertThat(ctx).hasFailed();
      out[0] = new MeshConfigFailureAnalyzer().analyze(ctx.getStartupFailure());
    });
    assertThat(out[0]).as("analysis").isNotNull();
    return out[0];
  }

  @Test
  void anInvalidValue() {
    FailureAnalysis a = analyze("mesh.services.inventory.lb.policy=fastest");
    assertThat(a.getDescription()).contains("'mesh.services.inventory.lb.policy'").contains("'fastest'");
    assertThat(a.getAction()).contains("mesh.services.inventory.lb.policy").contains("round-robin")
        .contains("least-request");
  }

  @Test
  void anInvalidDiscoveryUri() {
    FailureAnalysis a = analyze("mesh.discovery.uri=nosuch://x");
    assertThat(a.getDescription()).contains("'mesh.discovery.uri'").contains("nosuch://x");
  }

  @Test
  void aMisspelledKey() {
    FailureAnalysis a = analyze("mesh.services.inventory.retry.max-atempts=2");
    assertThat(a.getDescription()).contains("'mesh.services.inventory.retry.max-atempts'");
    assertThat(a.getAction()).contains("did you mean \"mesh.services.inventory.retry.max-attempts\"");
  }

  @org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
  static class Registry {
    @org.springframework.context.annotation.Bean
    io.meshsdk.core.registration.ServiceRegistry registry() {
      return io.meshsdk.core.discovery.StaticServiceDiscovery.of().registry();
    }
  }

  @Test
  void aRegistryWithoutAServiceNameStopsTheStart() {
    FailureAnalysis[] out = new FailureAnalysis[1];
    runner.withUserConfiguration(Registry.class).run(ctx -> {
      assertThat(ctx).hasFailed();
      out[0] = new MeshConfigFailureAnalyzer().analyze(ctx.getStartupFailure());
    });
    assertThat(out[0].getDescription()).contains("'mesh.local-service'");
    assertThat(out[0].getAction()).contains("spring.application.name").contains("mesh.registration.enabled=false");
  }

  @Test
  void metadataDescribesTheKeysWithTheirDefaults() throws Exception {
    String generated = new String(getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")
        .readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(generated).contains("\"mesh.drain-delay\"").contains("\"mesh.registration.labels\"")
        .contains("\"mesh.defaults.lb.policy\"").contains("\"mesh.sidecar.address\"")
        .contains("\"mesh.inbound.max-concurrent\"").contains("\"mesh.defaults.route.shadow-max-cpu\"")
        .contains("\"mesh.services\"").contains("\"mesh.plans\"");
  }

  @Test
  void isRegisteredInSpringFactories() throws Exception {
    String factories = new String(getClass().getResourceAsStream("/META-INF/spring.factories").readAllBytes(),
        java.nio.charset.StandardCharsets.UTF_8);
    assertThat(factories).contains("org.springframework.boot.diagnostics.FailureAnalyzer")
        .contains(MeshConfigFailureAnalyzer.class.getName());
  }
}
