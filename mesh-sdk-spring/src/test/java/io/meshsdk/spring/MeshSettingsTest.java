package io.meshsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.config.MeshConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/** Flattening Spring's environment into the core's properties, and every validation message. */
class MeshSettingsTest {

  private static MeshSettings settings(Map<String, Object> props) {
    StandardEnvironment env = new StandardEnvironment();
    env.getPropertySources().addFirst(new MapPropertySource("test", props));
    return MeshSettings.from(env);
  }

  @Test
  void flatPropertiesReachTheCore() {
    MeshSettings s = settings(Map.of(
        "mesh.services.inventory.lb.policy", "round-robin",
        "mesh.services.inventory.retry.max-attempts", "2",
        "mesh.defaults.timeout.call", "2s",
        "mesh.domain", ".mesh",
        "spring.application.name", "checkout"));
    MeshConfig c = s.config();
    assertThat(c.meshDomain()).isEqualTo(".mesh");
    assertThat(c.forService("inventory").loadBalancer().policy()).isEqualTo("round-robin");
    assertThat(c.forService("inventory").resilience().retry().maxAttempts()).isEqualTo(2);
    assertThat(s.localService()).isEqualTo("checkout");
    assertThat(s.drainDelay()).isEqualTo(Duration.ofSeconds(3));
    assertThat(s.drainTimeout()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void migrationPlansReachTheCoreFromYamlListsAndCamelCase() {
    MeshSettings s = settings(Map.of(
        "mesh.plans.canary.steps[0]", "10",
        "mesh.plans.canary.steps[1]", "50",
        "mesh.plans.canary.steps[2]", "100",
        "mesh.plans.canary.guard.errorRate.maxIncrease", "2",
        "mesh.services.orders.route.plan", "canary"));
    MeshConfig c = s.config();
    assertThat(c.planFor("orders")).isNotNull();
    assertThat(c.planFor("orders").steps()).containsExactly(10, 50, 100);
    assertThat(c.planFor("orders").errorRate().maxIncreasePoints()).isEqualTo(2.0);
    assertThatThrownBy(() -> settings(Map.of("mesh.plans.canary.steps", "50,10")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("mesh.plans.canary.steps");
  }

  @Test
  void relaxedNamesCamelCaseEnvironmentVariablesAndLists() {
    StandardEnvironment env = new StandardEnvironment();
    env.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
        new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, Map.of(
        "MESH_SERVICES_INVENTORY_RETRY_MAXATTEMPTS", "4",
        "MESH_DRAINDELAY", "250ms")));
    env.getPropertySources().addLast(new MapPropertySource("yaml", Map.of(
        "mesh.services.inventory.breaker.minimumCalls", "7",
        "mesh.services.inventory.retry.statuses[0]", "500",
        "mesh.services.inventory.retry.statuses[1]", "503",
        "mesh.local-service", "Checkout")));
    MeshSettings s = MeshSettings.from(env);
    assertThat(s.config().forService("inventory").resilience().retry().maxAttempts()).isEqualTo(4);
    assertThat(s.config().forService("inventory").resilience().breaker().minimumCalls()).isEqualTo(7);
    assertThat(s.properties()).containsEntry("mesh.services.inventory.retry.statuses", "500,503");
    assertThat(s.drainDelay()).isEqualTo(Duration.ofMillis(250));
    assertThat(s.localService()).isEqualTo("checkout");
  }

  @Test
  void starterKeys() {
    MeshSettings s = settings(Map.of(
        "mesh.registration.host", "10.0.0.7",
        "mesh.registration.port", "8081",
        "mesh.registration.labels.version", "v2",
        "mesh.registration.labels.zone", "eu-1",
        "mesh.local-service", "inventory",
        "mesh.failsafe-directory", "/var/lib/mesh",
        "mesh.drain-timeout", "5s"));
    assertThat(s.registrationHost()).isEqualTo("10.0.0.7");
    assertThat(s.registrationPort()).isEqualTo(8081);
    assertThat(s.registrationLabels()).containsEntry("version", "v2").containsEntry("zone", "eu-1");
    assertThat(s.registrationService()).isEqualTo("inventory");
    assertThat(s.failsafeDirectory()).hasToString("/var/lib/mesh");
    assertThat(s.drainTimeout()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void invalidValuesNameTheKeyTheValueAndWhatIsAllowed() {
    assertThatThrownBy(() -> settings(Map.of("mesh.services.inventory.lb.policy", "fastest")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("mesh.services.inventory.lb.policy").hasMessageContaining("fastest")
        .hasMessageContaining("round-robin");
    assertThatThrownBy(() -> settings(Map.of("mesh.services.inventory.breaker.failure-rate-threshold", "120")))
        .hasMessage("mesh.services.inventory.breaker.failure-rate-threshold: \"120\" (expected: 1-100)");
    assertThatThrownBy(() -> settings(Map.of("mesh.drain-delay", "soon")))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("mesh.drain-delay: \"soon\"");
    assertThatThrownBy(() -> settings(Map.of("mesh.inbound.per-caller-period", "500us")))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("mesh.inbound.per-caller-period: \"500us\"");
    assertThatThrownBy(() -> settings(Map.of("mesh.sidecar.address", "a@b:15001")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("mesh.sidecar.address");
    assertThatThrownBy(() -> settings(Map.of("mesh.local-service", "café")))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("mesh.local-service: \"café\"");
    assertThatThrownBy(() -> settings(Map.of("spring.application.name", "my app")))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("spring.application.name: \"my app\"");
    assertThatThrownBy(() -> settings(Map.of("mesh.tracing.server-spans", "sometimes")))
        .hasMessage("mesh.tracing.server-spans: \"sometimes\" (expected: one of auto, always, never)");
    assertThatThrownBy(() -> settings(Map.of("mesh.registration.port", "70000")))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("mesh.registration.port: 70000");
  }

  @Test
  void aMisspelledKeyIsReportedWithTheClosestKnownKey() {
    assertThatThrownBy(() -> settings(Map.of("mesh.services.inventory.lb.polcy", "round-robin")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("mesh.services.inventory.lb.polcy: \"round-robin\"")
        .hasMessageContaining("did you mean \"mesh.services.inventory.lb.policy\"");
    assertThatThrownBy(() -> settings(Map.of("mesh.drain-dely", "1s")))
        .hasMessageContaining("mesh.drain-dely").hasMessageContaining("did you mean \"mesh.drain-delay\"");
    assertThatThrownBy(() -> settings(Map.of("mesh.defaults.retry.max-atempts", "2")))
        .hasMessageContaining("did you mean \"mesh.defaults.retry.max-attempts\"");
    assertThatThrownBy(() -> settings(Map.of("mesh.registraton.host", "h")))
        .hasMessageContaining("did you mean \"mesh.registration.host\"");
  }

  @Test
  void nothingSetIsTheDefaults() {
    MeshSettings s = settings(Map.of());
    assertThat(s.config()).isEqualTo(MeshConfig.ofDefaults());
    assertThat(s.enabled()).isTrue();
    assertThat(s.localService()).isNull();
    assertThat(s.registryUri()).isNull();
  }
}
