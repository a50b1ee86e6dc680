package io.meshsdk.core.config;

import io.meshsdk.core.common.ConfigValues;
import io.meshsdk.core.common.ConfigException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshsdk.core.loadbalancer.LoadBalancerConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MeshConfigTest {

  @Test
  void servicesGetDefaultsWithTheirOverridesWhateverTheOrder() {
    MeshConfig c = MeshConfig.builder()
        .service("inventory", s -> s.set("lb.policy", "round-robin"))
        .defaults(d -> d.set("lb.policy", "least-request").set("lb.hash-header", "x-user"))
        .service("pricing")
        .build();
    assertThat(c.forService("inventory").loadBalancer().policy()).isEqualTo("round-robin");
    assertThat(c.forService("inventory").loadBalancer().hashHeader()).isEqualTo("x-user");
    assertThat(c.forService("pricing").loadBalancer().policy()).isEqualTo("least-request");
    assertThat(c.forService("unknown")).isSameAs(c.defaults());
  }

  @Test
  void readsFlatProperties() {
    MeshConfig c = MeshConfig.fromProperties(Map.of(
        "mesh.domain", ".mesh",
        "mesh.defaults.lb.policy", "round_robin",
        "mesh.services.inventory.lb.policy", "least-request",
        "other.key", "ignored"));
    assertThat(c.meshDomain()).isEqualTo(".mesh");
    assertThat(c.defaults().loadBalancer().policy()).isEqualTo(LoadBalancerConfig.ROUND_ROBIN);
    assertThat(c.forService("inventory").loadBalancer().policy()).isEqualTo(LoadBalancerConfig.LEAST_REQUEST);
  }

  @Test
  void anExplicitEnabledFalseWinsOverALimitThatWouldTurnThePolicyOn() {
    MeshConfig c = MeshConfig.fromProperties(Map.of(
        "mesh.services.a.rate-limit.enabled", "false",
        "mesh.services.a.rate-limit.permits", "5",
        "mesh.services.a.bulkhead.enabled", "false",
        "mesh.services.a.bulkhead.max-concurrent-calls", "7",
        "mesh.services.b.rate-limit.permits", "5"));
    assertThat(c.forService("a").resilience().rateLimit().enabled()).isFalse();
    assertThat(c.forService("a").resilience().rateLimit().permits()).isEqualTo(5);
    assertThat(c.forService("a").resilience().bulkhead().enabled()).isFalse();
    assertThat(c.forService("b").resilience().rateLimit().enabled()).isTrue();
  }

  @Test
  void invalidPropertyNamesFullKeyValueAndWhatIsAllowed() {
    assertThatThrownBy(() -> MeshConfig.fromProperties(Map.of("mesh.services.inventory.lb.policy", "fastest")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("mesh.services.inventory.lb.policy: \"fastest\" (expected: one of ")
        .hasMessageContaining("round-robin");
    assertThatThrownBy(() -> MeshConfig.fromProperties(Map.of("mesh.defaults.lb.ring-size", "0")))
        .hasMessage("mesh.defaults.lb.ring-size: 0 (expected: 1-8388608)");
    assertThatThrownBy(() -> MeshConfig.fromProperties(Map.of("mesh.defaults.lb.ring-size", "many")))
        .hasMessage("mesh.defaults.lb.ring-size: \"many\" (expected: an integer)");
    assertThatThrownBy(() -> MeshConfig.fromProperties(Map.of("mesh.services.a.lb.zone-min-healthy-percent", "101")))
        .hasMessage("mesh.services.a.lb.zone-min-healthy-percent: 101 (expected: 0-100)");
    assertThatThrownBy(() -> MeshConfig.fromProperties(Map.of("mesh.services.a.lb.slow-start-window", "-1s")))
        .hasMessage("mesh.services.a.lb.slow-start-window: PT-1S (expected: a duration >= 0)");
    assertThatThrownBy(() -> MeshConfig.fromProperties(Map.of("mesh.services.a.lb.policy", "ring-hash")))
        .hasMessage("mesh.services.a.lb.hash-header: \"\" (expected: a header name when lb.policy is ring-hash)");
    assertThatThrownBy(() -> MeshConfig.fromProperties(Map.of("mesh.services.a.lb.colour", "red")))
        .hasMessage("mesh.services.a.lb.colour: \"red\" (expected: a known key; see docs/configuration.md)");
    assertThatThrownBy(() -> MeshConfig.fromProperties(Map.of("mesh.servcies.a.lb.policy", "x")))
        .hasMessageStartingWith("mesh.servcies.a.lb.policy: \"x\" (expected: a key under");
    assertThatThrownBy(() -> MeshConfig.fromProperties(Map.of("mesh.domain", "mesh")))
        .hasMessage("mesh.domain: \"mesh\" (expected: \"\" or a DNS suffix starting with '.', such as .mesh (ASCII"
            + " letters, digits, '-', '_' and '.'))");
    assertThatThrownBy(() -> MeshConfig.fromProperties(Map.of("mesh.domain", ".m\u00e9sh")))
        .hasMessageStartingWith("mesh.domain: \".m\u00e9sh\"");
    assertThatThrownBy(() -> MeshConfig.fromProperties(Map.of("Mesh.services.inventory.lb.policy", "round-robin")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("Mesh.services.inventory.lb.policy: \"round-robin\" (expected: a key starting");
    assertThatThrownBy(() -> MeshConfig.fromProperties(Map.of("MESH.defaults.lb.policy", "round-robin")))
        .hasMessageStartingWith("MESH.defaults.lb.policy");
    assertThatThrownBy(() -> MeshConfig.fromProperties(Map.of("mesh.services.a.lb.subset-weights", "v1=x")))
        .hasMessage("mesh.services.a.lb.subset-weights: \"x\" (expected: an integer)");
    assertThatThrownBy(() -> MeshConfig.fromProperties(Map.of("mesh.services.a.lb.subset-label", "version")))
        .hasMessage("mesh.services.a.lb.subset-label: \"version\" (expected: lb.subset-header or lb.subset-weights to go with it)");
  }

  @Test
  void invalidProgrammaticValueNamesTheServiceKey() {
    assertThatThrownBy(() -> MeshConfig.builder()
            .service("inventory", s -> s.loadBalancer(LoadBalancerConfig.builder().ringSize(-1).build()))
            .build())
        .hasMessage("services.inventory.lb.ring-size: -1 (expected: 1-8388608)");
    assertThatThrownBy(() -> MeshConfig.builder().service("Bad Name"))
        .hasMessageStartingWith("services: \"Bad Name\"");
  }

  @Test
  void withServiceReplacesOneService() {
    MeshConfig c = MeshConfig.ofDefaults().withService("inventory",
        s -> ServiceConfig.from(s).set("lb.policy", "round-robin").build());
    assertThat(c.forService("inventory").loadBalancer().policy()).isEqualTo("round-robin");
    assertThat(c.defaults()).isEqualTo(ServiceConfig.ofDefaults());
    assertThat(c).isNotEqualTo(MeshConfig.ofDefaults());
  }

  @Test
  void durationsParseCommonUnitsAndRejectNonsense() {
    assertThat(ConfigValues.parseDuration("k", "250ms").toMillis()).isEqualTo(250);
    assertThat(ConfigValues.parseDuration("k", "2s").toMillis()).isEqualTo(2000);
    assertThat(ConfigValues.parseDuration("k", "1m").toSeconds()).isEqualTo(60);
    assertThat(ConfigValues.parseDuration("k", "PT0.5S").toMillis()).isEqualTo(500);
    assertThatThrownBy(() -> ConfigValues.parseDuration("retry.backoff", "soon"))
        .hasMessage("retry.backoff: \"soon\" (expected: a duration such as 250ms, 2s, 1m, 1h or PT2S)");
    assertThatThrownBy(() -> ConfigValues.requirePositive("timeout", java.time.Duration.ofMillis(-5)))
        .hasMessage("timeout: PT-0.005S (expected: a positive duration)");
    assertThat(ConfigValues.parseDuration("k", "0")).isZero();
    // sub-millisecond and absurdly long values fail as config errors, never as arithmetic errors later
    assertThatThrownBy(() -> ConfigValues.requirePositive("t", ConfigValues.parseDuration("t", "500us")))
        .hasMessage("t: PT0.0005S (expected: a positive duration of at least 1ms)");
    assertThatThrownBy(() -> ConfigValues.requirePositive("t", ConfigValues.parseDuration("t", "99999999h")))
        .hasMessage("t: PT99999999H (expected: a duration of at most 36500 days)");
    assertThatThrownBy(() -> MeshConfig.fromProperties(Map.of("mesh.services.a.timeout.call", "99999999h")))
        .hasMessage("mesh.services.a.timeout.call: \"99999999h\" (expected: a duration of at most 36500 days)");
    assertThatThrownBy(() -> io.meshsdk.core.sidecar.SidecarConfig.builder().address("127.0.0.1", 15001)
            .probeTimeout(java.time.Duration.ofNanos(500_000)))
        .hasMessageContaining("(expected: a positive duration of at least 1ms)");
  }

  @Test
  void policyKeysAreLeftToPolicyConfig() {
    Map<String, String> props = Map.of("mesh.policy.file", "/etc/mesh/policy.conf",
        "mesh.policy.refresh-interval", "5s", "mesh.policy.log-interval", "60s", "mesh.policy.anything", "x",
        "mesh.defaults.lb.policy", "round_robin");
    MeshConfig c = MeshConfig.fromProperties(props);
    assertThat(c.defaults().loadBalancer().policy()).isEqualTo(LoadBalancerConfig.ROUND_ROBIN);
    // a near miss of the prefix is still refused, and the message lists mesh.policy.
    assertThatThrownBy(() -> MeshConfig.fromProperties(Map.of("mesh.policies.file", "x")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("mesh.policy.");
  }
}
