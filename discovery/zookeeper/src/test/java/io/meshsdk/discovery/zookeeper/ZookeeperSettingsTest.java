package io.meshsdk.discovery.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.discovery.ServiceDiscoveries;
import io.meshsdk.core.discovery.ServiceDiscovery;
import io.meshsdk.core.registration.ServiceRegistries;
import io.meshsdk.core.registration.ServiceRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** URIs and keys: what is accepted, the defaults, and a {@link ConfigException} naming key, value and rule. */
class ZookeeperSettingsTest {

  private static ZookeeperSettings parse(String uri, Map<String, String> props) {
    return ZookeeperSettings.fromUri("mesh.discovery.uri", URI.create(uri), "mesh.discovery.zookeeper.", props);
  }

  @Test
  void theAuthorityIsTheConnectStringAndThePathTheBasePath() {
    ZookeeperSettings s = parse("zookeeper://127.0.0.1:2181,127.0.0.1:2182/services", Map.of());
    assertThat(s.connectString()).isEqualTo("127.0.0.1:2181,127.0.0.1:2182");
    assertThat(s.basePath()).isEqualTo("/services");
    assertThat(parse("zk://zk1:2181", Map.of()).basePath()).isEqualTo("/services");
    assertThat(parse("zk://zk1:2181/", Map.of()).basePath()).isEqualTo("/services");
    assertThat(parse("zookeeper://zk1/a/b/", Map.of()).basePath()).isEqualTo("/a/b");
  }

  @Test
  void defaultsAreSpringCloudZookeepers() {
    ZookeeperSettings s = parse("zookeeper://127.0.0.1:2181", Map.of());
    assertThat(s.sessionTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(s.connectionTimeout()).isEqualTo(Duration.ofSeconds(15));
    assertThat(s.retryBaseSleep()).isEqualTo(Duration.ofMillis(50));
    assertThat(s.retryMaxSleep()).isEqualTo(Duration.ofMillis(500));
    assertThat(s.retryMaxRetries()).isEqualTo(10);
    assertThat(s.uriSpec()).isEqualTo("{scheme}://{address}:{port}");
  }

  @Test
  void keysAreRead() {
    ZookeeperSettings s = parse("zookeeper://127.0.0.1:2181", Map.of("session-timeout", "20s",
        "connection-timeout", "3s", "retry.base-sleep", "10ms", "retry.max-sleep", "2s", "retry.max-retries", "0",
        "uri-spec", "{scheme}://{address}:{port}/api"));
    assertThat(s.sessionTimeout()).isEqualTo(Duration.ofSeconds(20));
    assertThat(s.connectionTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(s.retryBaseSleep()).isEqualTo(Duration.ofMillis(10));
    assertThat(s.retryMaxSleep()).isEqualTo(Duration.ofSeconds(2));
    assertThat(s.retryMaxRetries()).isZero();
    assertThat(s.uriSpec()).isEqualTo("{scheme}://{address}:{port}/api");
  }

  @Test
  void invalidValuesNameTheKeyTheValueAndWhatIsAllowed() {
    assertError(Map.of("session-timeout", "soon"), "mesh.discovery.zookeeper.session-timeout", "soon", "duration");
    assertError(Map.of("session-timeout", "0"), "mesh.discovery.zookeeper.session-timeout", "0", "positive");
    assertError(Map.of("connection-timeout", "-1s"), "mesh.discovery.zookeeper.connection-timeout", "-1s", "");
    assertError(Map.of("retry.max-retries", "30"), "mesh.discovery.zookeeper.retry.max-retries", "30", "0-29");
    assertError(Map.of("retry.max-retries", "x"), "mesh.discovery.zookeeper.retry.max-retries", "x", "integer");
    assertError(Map.of("retry.base-sleep", "PT600H"), "mesh.discovery.zookeeper.retry.base-sleep", "PT600H",
        "at most");
    assertError(Map.of("uri-spec", "{scheme://x"), "mesh.discovery.zookeeper.uri-spec", "{scheme://x", "URI spec");
  }

  private static void assertError(Map<String, String> props, String key, String value, String expected) {
    assertThatThrownBy(() -> parse("zookeeper://127.0.0.1:2181", props))
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          assertThat(e.key()).isEqualTo(key);
          assertThat(e.value()).isEqualTo(value);
          assertThat(e.expected()).contains(expected);
        });
  }

  @Test
  void invalidUrisAreRefused() {
    for (String bad : new String[] {"zookeeper:///services", "zookeeper://h:2181/services?x=1",
        "zookeeper://h:99999/services", "zookeeper://user@h:2181/", "zookeeper://h:2181,/services",
        "zookeeper://h:2181/a//b", "http://h:2181/services"}) {
      assertThatThrownBy(() -> parse(bad, Map.of())).as(bad)
          .isInstanceOfSatisfying(ConfigException.class, e -> {
            assertThat(e.key()).isEqualTo("mesh.discovery.uri");
            assertThat(e.value()).isEqualTo(bad);
          });
    }
  }

  @Test
  void bothSchemesSelectTheProvidersThroughServiceLoader() {
    try (ServiceDiscovery d = ServiceDiscoveries.create("zookeeper://127.0.0.1:1/services",
        Map.of("mesh.discovery.zookeeper.session-timeout", "5s"))) {
      assertThat(d).isInstanceOf(ZookeeperServiceDiscovery.class);
      assertThat(((ZookeeperServiceDiscovery) d).basePath()).isEqualTo("/services");
    }
    try (ServiceDiscovery d = ServiceDiscoveries.create("zk://127.0.0.1:1/x", Map.of())) {
      assertThat(d.name()).isEqualTo("zookeeper");
    }
    try (ServiceRegistry r = ServiceRegistries.create("zk://127.0.0.1:1/x",
        Map.of("mesh.registry.zk.uri-spec", "{scheme}://{address}:{port}"))) {
      assertThat(r).isInstanceOf(ZookeeperServiceRegistry.class);
    }
    assertThatThrownBy(() -> ServiceDiscoveries.create("zookeeper://127.0.0.1:1/x",
        Map.of("mesh.discovery.zookeeper.uri-spec", "{scheme}")))
        .isInstanceOfSatisfying(ConfigException.class,
            e -> assertThat(e.key()).isEqualTo("mesh.discovery.zookeeper.uri-spec"));
    assertThatThrownBy(() -> ServiceRegistries.create("zookeeper://127.0.0.1:1/x",
        Map.of("mesh.registry.zookeeper.session-timeout", "never")))
        .isInstanceOfSatisfying(ConfigException.class,
            e -> assertThat(e.key()).isEqualTo("mesh.registry.zookeeper.session-timeout"));
  }
}
