package io.meshsdk.core.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.config.MeshConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouteConfigTest {

  @Test
  void parsesEveryModeAndPrintsItBack() {
    assertThat(RouteMode.parse("direct")).isEqualTo(RouteMode.DIRECT);
    assertThat(RouteMode.parse(" Sidecar ")).isEqualTo(RouteMode.SIDECAR);
    assertThat(RouteMode.parse("split:10").sidecarPercent()).isEqualTo(10);
    assertThat(RouteMode.parse("split:0")).isEqualTo(RouteMode.DIRECT);
    assertThat(RouteMode.parse("split:100")).isEqualTo(RouteMode.SIDECAR);
    for (String s : new String[] {"direct", "sidecar", "split:1", "split:50", "split:99"}) {
      assertThat(RouteMode.parse(s).toString()).isEqualTo(s);
    }
  }

  @Test
  void anInvalidModeNamesTheFullPropertyKey() {
    assertThatThrownBy(() -> MeshConfig.fromProperties(Map.of("mesh.services.inventory.route.mode", "split:120")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("mesh.services.inventory.route.mode: \"split:120\" (expected: direct, sidecar, split:N with N"
            + " 0-100 or shadow:N with N 1-100)");
    for (String bad : new String[] {"split:-1", "split:", "split:x", "half", ""}) {
      assertThatThrownBy(() -> MeshConfig.fromProperties(Map.of("mesh.defaults.route.mode", bad)))
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("mesh.defaults.route.mode: ");
    }
    assertThatThrownBy(() -> MeshConfig.fromProperties(Map.of("mesh.services.inventory.route.flavour", "x")))
        .hasMessageStartingWith("mesh.services.inventory.route.flavour: \"x\"");
    assertThatThrownBy(() -> MeshConfig.fromProperties(Map.of("mesh.services.inventory.route.key-header", "a b")))
        .hasMessageStartingWith("mesh.services.inventory.route.key-header: \"a b\"");
  }

  @Test
  void shadowModesParsePrintAndValidate() {
    RouteMode m = RouteMode.parse(" Shadow:10 ");
    assertThat(m).isEqualTo(RouteMode.shadow(10));
    assertThat(m.shadowPercent()).isEqualTo(10);
    assertThat(m.sidecarPercent()).isZero(); // the primary is direct: shadow does not combine with a split
    assertThat(m.isShadow()).isTrue();
    assertThat(m.isDirect()).isFalse(); // the sidecar is used (by the copies)
    assertThat(m.toString()).isEqualTo("shadow:10");
    assertThat(RouteMode.parse("shadow:100")).isEqualTo(RouteMode.shadow(100)).isNotEqualTo(RouteMode.SIDECAR);
    assertThat(RouteMode.split(10).isShadow()).isFalse();
    for (String bad : new String[] {"shadow:0", "shadow:101", "shadow:-5", "shadow:", "shadow:x", "shadow"}) {
      assertThatThrownBy(() -> MeshConfig.fromProperties(Map.of("mesh.services.inventory.route.mode", bad)))
          .isInstanceOf(ConfigException.class)
          .hasMessage("mesh.services.inventory.route.mode: \"" + bad + "\" (expected: direct, sidecar, split:N"
              + " with N 0-100 or shadow:N with N 1-100)");
    }
    assertThatThrownBy(() -> new RouteMode(10, 10)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("does not combine with a split");
    assertThatThrownBy(() -> RouteMode.shadow(0)).isInstanceOf(ConfigException.class);
  }

  @Test
  void shadowBoundsBindAndValidate() {
    MeshConfig c = MeshConfig.fromProperties(Map.of(
        "mesh.services.inventory.route.mode", "shadow:5",
        "mesh.services.inventory.route.shadow-max-concurrency", "4",
        "mesh.services.inventory.route.shadow-timeout", "750ms"));
    RouteConfig r = c.forService("inventory").route();
    assertThat(r.mode()).isEqualTo(RouteMode.shadow(5));
    assertThat(r.shadowMaxConcurrency()).isEqualTo(4);
    assertThat(r.shadowTimeout()).isEqualTo(java.time.Duration.ofMillis(750));
    assertThat(r.withMode(RouteMode.DIRECT).shadowMaxConcurrency()).isEqualTo(4);
    assertThat(RouteConfig.DEFAULT.shadowMaxConcurrency()).isEqualTo(16);
    assertThat(RouteConfig.DEFAULT.shadowTimeout()).isEqualTo(java.time.Duration.ofSeconds(2));
    Map<String, String> bad = Map.of("0", "1-1024", "1025", "1-1024", "many", "an integer");
    bad.forEach((value, expected) -> assertThatThrownBy(() -> MeshConfig.fromProperties(Map.of(
        "mesh.services.inventory.route.shadow-max-concurrency", value)))
        .isInstanceOf(ConfigException.class)
        .hasMessage("mesh.services.inventory.route.shadow-max-concurrency: \"" + value + "\" (expected: " + expected
            + ")"));
    for (String t : new String[] {"0", "2h", "soon"}) {
      assertThatThrownBy(() -> MeshConfig.fromProperties(Map.of("mesh.services.inventory.route.shadow-timeout", t)))
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("mesh.services.inventory.route.shadow-timeout: ");
    }
  }

  @Test
  void theShadowCpuCeilingBindsWithOrWithoutAPercentSignAndRejectsWhatIsNotAShare() {
    assertThat(RouteConfig.DEFAULT.shadowMaxCpu()).isEqualTo(75);
    assertThat(MeshConfig.fromProperties(Map.of("mesh.services.inventory.route.shadow-max-cpu", "60"))
        .forService("inventory").route().shadowMaxCpu()).isEqualTo(60);
    RouteConfig r = MeshConfig.fromProperties(Map.of("mesh.defaults.route.shadow-max-cpu", " 90% "))
        .forService("inventory").route();
    assertThat(r.shadowMaxCpu()).isEqualTo(90);
    assertThat(r.withMode(RouteMode.shadow(10)).shadowMaxCpu()).as("kept across a mode change").isEqualTo(90);
    assertThat(r.toString()).contains("shadow-max-cpu=90%");
    Map<String, String> bad = Map.of("0", "1-100 (percent of the host's CPU; 100: never shed for CPU)",
        "101", "1-100 (percent of the host's CPU; 100: never shed for CPU)",
        "busy", "1-100 (percent of the host's CPU; 100: never shed for CPU)",
        "%", "1-100 (percent of the host's CPU; 100: never shed for CPU)");
    bad.forEach((value, expected) -> assertThatThrownBy(() -> MeshConfig.fromProperties(Map.of(
        "mesh.services.inventory.route.shadow-max-cpu", value)))
        .isInstanceOf(ConfigException.class)
        .hasMessage("mesh.services.inventory.route.shadow-max-cpu: \"" + value + "\" (expected: " + expected + ")"));
  }

  @Test
  void routeKeysBindFromPropertiesAndDefaultsApplyToEveryService() {
    MeshConfig c = MeshConfig.fromProperties(Map.of(
        "mesh.defaults.route.mode", "split:10",
        "mesh.services.inventory.route.mode", "sidecar",
        "mesh.services.inventory.route.key-header", "X-User-Id",
        "mesh.services.ledger.lb.policy", "round-robin",
        "mesh.sidecar.address", "127.0.0.1:15001"));
    assertThat(c.forService("inventory").route()).isEqualTo(new RouteConfig(RouteMode.SIDECAR, "x-user-id"));
    assertThat(c.forService("ledger").route().mode()).isEqualTo(RouteMode.split(10));
    assertThat(c.forService("other").route().mode()).isEqualTo(RouteMode.split(10));
    assertThat(MeshConfig.ofDefaults().defaults().route()).isEqualTo(RouteConfig.DEFAULT);
  }

  @Test
  void aRouteChangeChangesTheServiceConfigSoTheEngineRecompilesIt() {
    MeshConfig a = MeshConfig.fromProperties(Map.of("mesh.services.inventory.route.mode", "split:10"));
    MeshConfig b = MeshConfig.fromProperties(Map.of("mesh.services.inventory.route.mode", "split:50"));
    MeshConfig a2 = MeshConfig.fromProperties(Map.of("mesh.services.inventory.route.mode", "split:10"));
    assertThat(a.forService("inventory")).isNotEqualTo(b.forService("inventory"));
    assertThat(a).isEqualTo(a2);
    assertThat(a.forService("inventory").toString()).contains("route=split:10");
  }

  @Test
  void sidecarHealthPathBindsAndValidates() {
    MeshConfig c = MeshConfig.fromProperties(Map.of(
        "mesh.services.inventory.route.mode", "sidecar",
        "mesh.services.inventory.route.sidecar-health-path", "/health"));
    assertThat(c.forService("inventory").route())
        .isEqualTo(new RouteConfig(RouteMode.SIDECAR, "", "/health"));
    assertThat(c.forService("inventory").route().withMode(RouteMode.DIRECT).sidecarHealthPath()).isEqualTo("/health");
    assertThat(new RouteConfig(RouteMode.SIDECAR, "x").sidecarHealthPath()).isEmpty();
    for (String bad : new String[] {"health", "/a b", "//x", "/x#y"}) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> MeshConfig.fromProperties(Map.of(
          "mesh.services.inventory.route.sidecar-health-path", bad)))
          .isInstanceOf(io.meshsdk.core.common.ConfigException.class)
          .hasMessageStartingWith("mesh.services.inventory.route.sidecar-health-path: ");
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> MeshConfig.fromProperties(Map.of(
        "mesh.services.inventory.route.health", "/x")))
        .hasMessageContaining("route.sidecar-health-path");
  }
}
