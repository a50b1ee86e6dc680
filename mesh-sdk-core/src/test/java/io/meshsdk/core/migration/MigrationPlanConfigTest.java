package io.meshsdk.core.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.config.MeshConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code mesh.plans.<name>.*}: defaults, the keys, assignment to services, and bad values failing by name. */
class MigrationPlanConfigTest {

  private static Map<String, String> keys(String... kv) {
    Map<String, String> m = new HashMap<>();
    m.put("mesh.plans.canary.steps", "1,10,50,100");
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  @Test
  void defaultsAndEveryKey() {
    MigrationPlan d = MeshConfig.fromProperties(keys()).plans().get("canary");
    assertThat(d).isNotNull();
    assertThat(d.steps()).containsExactly(1, 10, 50, 100);
    assertThat(d.dwell()).containsOnly(Duration.ofMinutes(5)).hasSize(4);
    assertThat(d.window()).isEqualTo(Duration.ofSeconds(30));
    assertThat(d.errorRate()).isEqualTo(new MigrationPlan.ErrorRateGuard(1.0, 100));
    assertThat(d.p99()).isEqualTo(new MigrationPlan.LatencyGuard(1.5, Duration.ofMillis(5), 100));
    assertThat(d.coolDown()).isEqualTo(Duration.ofMinutes(5));
    assertThat(d.maxRetries()).isEqualTo(2);
    assertThat(d.evaluationInterval()).isEqualTo(Duration.ofSeconds(1));

    MigrationPlan p = MeshConfig.fromProperties(keys(
        "mesh.plans.canary.dwell", "1m,2m,3m,4m",
        "mesh.plans.canary.window", "10s",
        "mesh.plans.canary.guard.error-rate.max-increase", "0.5",
        "mesh.plans.canary.guard.error-rate.min-calls", "50",
        "mesh.plans.canary.guard.p99.max-ratio", "off",
        "mesh.plans.canary.cool-down", "0",
        "mesh.plans.canary.max-retries", "0",
        "mesh.plans.canary.evaluation-interval", "500ms",
        "mesh.plans.canary.services", "Orders, payments")).plans().get("canary");
    assertThat(p.dwell(3)).isEqualTo(Duration.ofMinutes(4));
    assertThat(p.errorRate()).isEqualTo(new MigrationPlan.ErrorRateGuard(0.5, 50));
    assertThat(p.p99()).isNull();
    assertThat(p.services()).containsExactly("orders", "payments");
  }

  @Test
  void aPlanAppliesToItsListedServicesAndToRoutePlan() {
    MeshConfig c = MeshConfig.fromProperties(keys(
        "mesh.plans.canary.services", "orders",
        "mesh.plans.slow.steps", "5,100",
        "mesh.defaults.route.plan", "slow",
        "mesh.services.payments.route.plan", "canary"));
    assertThat(c.planFor("orders").name()).isEqualTo("canary");
    assertThat(c.planFor("payments").name()).isEqualTo("canary");
    assertThat(c.planFor("anything")).as("from the defaults").extracting(MigrationPlan::name).isEqualTo("slow");
    assertThat(MeshConfig.fromProperties(keys()).planFor("orders")).isNull();
  }

  @Test
  void badValuesFailNamingTheKeyTheValueAndWhatIsAllowed() {
    bad("mesh.plans.canary.steps", "10,5", "increasing");
    bad("mesh.plans.canary.steps", "0,50", "1-100");
    bad("mesh.plans.canary.steps", "ten", "e.g. 1,10,50,100");
    bad("mesh.plans.canary.dwell", "1m,2m", "one per step (4 steps");
    bad("mesh.plans.canary.dwell", "soon", "a duration");
    bad("mesh.plans.canary.window", "90s", "1s to 60s");
    bad("mesh.plans.canary.window", "1500ms", "whole number of seconds");
    bad("mesh.plans.canary.guard.error-rate.max-increase", "-1", "0-100");
    bad("mesh.plans.canary.guard.error-rate.min-calls", "0", "> 0");
    bad("mesh.plans.canary.guard.p99.max-ratio", "1", "above 1");
    bad("mesh.plans.canary.guard.p99.min-increase", "-5ms", "a duration");
    bad("mesh.plans.canary.max-retries", "-1", ">= 0");
    bad("mesh.plans.canary.evaluation-interval", "10ms", "100ms");
    bad("mesh.plans.canary.services", "bad name", "a service name");
    bad("mesh.plans.canary.stepz", "1", "steps, dwell, window");
    bad("mesh.plans.Canary.steps", "1", "a plan name");
    bad("mesh.plans.canary", "1", "mesh.plans.<name>.<key>");
    bad("mesh.services.orders.route.plan", "nope", "a plan defined under mesh.plans.<name>.*: [canary]");
    assertThatThrownBy(() -> MeshConfig.fromProperties(Map.of("mesh.plans.canary.dwell", "1m")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("mesh.plans.canary.steps")
        .hasMessageContaining("required");
    assertThatThrownBy(() -> MeshConfig.fromProperties(keys("mesh.plans.canary.services", "orders",
        "mesh.plans.other.steps", "50", "mesh.plans.other.services", "orders")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("services").hasMessageContaining("orders")
        .hasMessageContaining("also listed by plan");
    assertThatThrownBy(() -> MeshConfig.fromProperties(keys("mesh.plans.canary.services", "orders",
        "mesh.plans.other.steps", "50", "mesh.services.orders.route.plan", "other")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("mesh.plans.canary.services")
        .hasMessageContaining("route.plan=other");
  }

  private static void bad(String key, String value, String expected) {
    assertThatThrownBy(() -> MeshConfig.fromProperties(keys(key, value)))
        .as(key + "=" + value)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(key)
        .hasMessageContaining(value)
        .hasMessageContaining(expected);
  }
}
