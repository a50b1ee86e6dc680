package io.meshsdk.discovery.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.discovery.ServiceDiscoveries;
import io.meshsdk.core.registration.ServiceRegistries;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The URI and the keys (no etcd needed: nothing connects before a call). */
class EtcdConfigTest {

  private static EtcdConfig discovery(String uri, Map<String, String> keys) {
    return EtcdConfig.parse("mesh.discovery.uri", URI.create(uri), "mesh.discovery.etcd.", keys);
  }

  @Test
  void endpointsComeFromTheAuthorityAndThePrefixFromThePath() {
    EtcdConfig c = discovery("etcd://127.0.0.1:2379,127.0.0.1:22379,etcd.local/mesh/services/", Map.of());
    assertThat(c.endpoints()).containsExactly(URI.create("http://127.0.0.1:2379"),
        URI.create("http://127.0.0.1:22379"), URI.create("http://etcd.local:2379"));
    assertThat(discovery("etcd://[::1]:2380", Map.of()).endpoints()).containsExactly(URI.create("http://[::1]:2380"));
    assertThat(c.prefix()).isEqualTo("/mesh/services");
    assertThat(c.serviceDirectory("inventory")).isEqualTo("/mesh/services/inventory/");
    assertThat(discovery("etcd://h:1", Map.of()).prefix()).isEqualTo(EtcdConfig.DEFAULT_PREFIX);
    assertThat(discovery("etcd://h:1/", Map.of()).prefix()).isEmpty();
    assertThat(c.connectTimeout()).isEqualTo(EtcdConfig.DEFAULT_CONNECT_TIMEOUT);
    assertThat(c.leaseTtl()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.keepAliveInterval()).isEqualTo(Duration.ofSeconds(10).dividedBy(3));
  }

  @Test
  void keysAreParsed() {
    EtcdConfig c = EtcdConfig.parse("mesh.registry.uri", URI.create("etcd://h:1/p"), "mesh.registry.etcd.",
        Map.of("lease-ttl", "30s", "keep-alive-interval", "5s", "connect-timeout", "250ms", "request-timeout", "1s",
            "user", "root", "password", "secret"));
    assertThat(c.leaseTtl()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.keepAliveInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.connectTimeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(c.user()).isEqualTo("root");
    assertThat(c.toString()).doesNotContain("secret");
  }

  @Test
  void invalidValuesNameKeyValueAndWhatIsAllowed() {
    record Case(String uri, Map<String, String> keys, String key, String value) {}
    for (Case k : List.of(
        new Case("zookeeper://h:1", Map.of(), "mesh.registry.uri", "zookeeper://h:1"),
        new Case("etcd://h:0", Map.of(), "mesh.registry.uri", "etcd://h:0"),
        new Case("etcd://h:99999", Map.of(), "mesh.registry.uri", "etcd://h:99999"),
        new Case("etcd://u:p@h:1", Map.of(), "mesh.registry.uri", "etcd://u:p@h:1"),
        new Case("etcd://h:1?x=1", Map.of(), "mesh.registry.uri", "etcd://h:1?x=1"),
        new Case("etcd://h:1,,h:2", Map.of(), "mesh.registry.uri", "etcd://h:1,,h:2"),
        new Case("etcd://h:1", Map.of("lease-ttl", "1s"), "mesh.registry.etcd.lease-ttl", "1s"),
        new Case("etcd://h:1", Map.of("lease-ttl", "1500ms"), "mesh.registry.etcd.lease-ttl", "1500ms"),
        new Case("etcd://h:1", Map.of("lease-ttl", "soon"), "mesh.registry.etcd.lease-ttl", "soon"),
        new Case("etcd://h:1", Map.of("keep-alive-interval", "10s"), "mesh.registry.etcd.keep-alive-interval", "10s"),
        new Case("etcd://h:1", Map.of("connect-timeout", "0"), "mesh.registry.etcd.connect-timeout", "PT0S"),
        new Case("etcd://h:1", Map.of("request-timeout", "-1s"), "mesh.registry.etcd.request-timeout", "PT-1S"),
        new Case("etcd://h:1", Map.of("user", "root"), "mesh.registry.etcd.password", "<unset>"))) {
      assertThatThrownBy(() -> EtcdConfig.parse("mesh.registry.uri", URI.create(k.uri()), "mesh.registry.etcd.",
          k.keys()))
          .as(k.toString())
          .isInstanceOfSatisfying(ConfigException.class, e -> {
            assertThat(e.key()).isEqualTo(k.key());
            assertThat(e.value()).isEqualTo(k.value());
            assertThat(e.expected()).isNotBlank();
          });
    }
  }

  @Test
  void providersAreFoundByScheme() {
    assertThat(ServiceDiscoveries.schemes()).contains("etcd");
    assertThat(ServiceRegistries.schemes()).contains("etcd");
    assertThatThrownBy(() -> ServiceDiscoveries.create("etcd://127.0.0.1:1/x",
        Map.of("mesh.discovery.etcd.lease-ttl", "5s")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("mesh.discovery.etcd.lease-ttl");
    assertThatThrownBy(() -> ServiceRegistries.create("etcd://127.0.0.1:1/x",
        Map.of("mesh.registry.etcd.lease-ttl", "0")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("mesh.registry.etcd.lease-ttl");
    try (var d = ServiceDiscoveries.create("etcd://127.0.0.1:1/x", Map.of())) {
      assertThat(d.name()).isEqualTo("etcd");
    }
    try (var r = ServiceRegistries.create("etcd://127.0.0.1:1/x", Map.of())) {
      assertThat(r.name()).isEqualTo("etcd");
    }
  }

  @Test
  void aMissingEtcdBinaryFailsWithTheWayToInstallIt() {
    assertThatThrownBy(() -> EtcdServer.binary("/nonexistent/etcd"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("scripts/test-all.sh");
  }
}
