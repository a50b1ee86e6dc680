package io.meshsdk.discovery.kubernetes;

import static io.meshsdk.discovery.kubernetes.Slices.slice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.discovery.ServiceDiscoveries;
import io.meshsdk.core.discovery.ServiceDiscovery;
import io.meshsdk.testing.contract.RecordingListener;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Selection by URI through {@link ServiceDiscoveries} (the ServiceLoader registration), the keys and their
 * validation, and the close of a backend that owns its client (on the run's mock API server, through a relay of
 * its own).
 */
class KubernetesServiceDiscoveryProviderTest {

  private static KubernetesClient admin;
  private static TcpProxy proxy;

  @BeforeAll
  static void start() {
    MockApi api = MockApi.get();
    admin = api.admin();
    proxy = api.relay();
  }

  /**
   * Closes a backend that owns its client after cutting its connections (clients' side only, see {@link TcpProxy}):
   * the mock server's watch handler can block its event loop for a minute when a watch closes while the server is
   * sending on it (a bug of the mock; a real API server does not care).
   */
  private static void close(ServiceDiscovery d) throws java.io.IOException {
    proxy.cut();
    try {
      d.close();
    } finally {
      proxy.restore();
    }
  }

  private static String uri() {
    return "kubernetes://127.0.0.1:" + proxy.port();
  }

  @Test
  void bothSchemesSelectTheBackendAndItReadsTheNamespaceGiven() throws java.io.IOException {
    admin.resource(slice("inv-a", "inventory").port("http", 8080).ready("inv-1", "10.20.0.1").build())
        .inNamespace("shop").createOr(NonDeletingOperation::update);
    assertThat(ServiceDiscoveries.schemes()).contains("kubernetes", "k8s");
    for (Map<String, String> props : List.of(
        Map.of(ServiceDiscoveries.URI_KEY, uri(), "mesh.discovery.kubernetes.namespace", "shop",
            "mesh.discovery.kubernetes.tls", "false", "mesh.discovery.kubernetes.resync-period", "0"),
        Map.of(ServiceDiscoveries.URI_KEY, uri().replace("kubernetes:", "k8s:"), "mesh.discovery.k8s.namespace",
            "shop", "mesh.discovery.k8s.tls", "false", "mesh.discovery.k8s.port-name", "http"))) {
      ServiceDiscovery d = ServiceDiscoveries.fromProperties(props);
      try {
        assertThat(d).isInstanceOf(KubernetesServiceDiscovery.class);
        assertThat(d.name()).isEqualTo("kubernetes");
        assertThat(((KubernetesServiceDiscovery) d).options().namespace()).isEqualTo("shop");
        RecordingListener l = new RecordingListener();
        d.watch("inventory", l);
        await().atMost(Duration.ofSeconds(10)).until(() -> l.lastIds().contains("inv-1"));
      } finally {
        close(d);
      }
    }
  }

  @Test
  void closingABackendThatOwnsItsClientStopsItsThreads() throws java.io.IOException {
    ServiceDiscovery d = ServiceDiscoveries.create(uri(), Map.of("mesh.discovery.kubernetes.namespace", "owned",
        "mesh.discovery.kubernetes.tls", "false"));
    await().atMost(Duration.ofSeconds(10)).until(() -> !threads("mesh-k8s-discovery-owned").isEmpty());
    close(d);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(threads("mesh-k8s-discovery-owned")).isEmpty();
      assertThat(threads("mesh-k8s-client-")).isEmpty();
    });
  }

  private static List<String> threads(String prefix) {
    List<String> out = new ArrayList<>();
    Thread.getAllStackTraces().keySet().forEach(t -> {
      if (t.getName().startsWith(prefix) && t.isAlive()) {
        out.add(t.getName());
      }
    });
    return out;
  }

  @Test
  void invalidValuesFailFastNamingKeyValueAndWhatIsAllowed() {
    String p = "mesh.discovery.kubernetes.";
    assertRejected(Map.of(p + "namespace", "Bad_NS"), p + "namespace", "Bad_NS", "DNS label");
    assertRejected(Map.of(p + "namespace", "x".repeat(64)), p + "namespace", "xxxx", "DNS label");
    assertRejected(Map.of(p + "port-name", "HTTP!"), p + "port-name", "HTTP!", "DNS label");
    assertRejected(Map.of(p + "resync-period", "soon"), p + "resync-period", "soon", "");
    assertRejected(Map.of(p + "resync-period", "-5s"), p + "resync-period", "-5s", "");
    assertRejected(Map.of(p + "include-terminating", "maybe"), p + "include-terminating", "maybe", "true or false");
    assertRejected(Map.of(p + "tls", "yes"), p + "tls", "yes", "true or false");
    assertRejected(Map.of(p + "label-selector", "a=b; rm -rf"), p + "label-selector", "a=b; rm -rf",
        "label selector");
    assertRejected(Map.of(p + "nope", "1"), p + "nope", "1", "namespace");
    assertThatThrownBy(() -> ServiceDiscoveries.create("kubernetes://10.0.0.1:6443/api", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining(ServiceDiscoveries.URI_KEY)
        .hasMessageContaining("kubernetes://10.0.0.1:6443/api").hasMessageContaining("kubernetes:");
    assertThatThrownBy(() -> ServiceDiscoveries.create("k8s:somewhere", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("k8s:somewhere");
    assertThatThrownBy(() -> ServiceDiscoveries.create("k8s://127.0.0.1:1",
        Map.of("mesh.discovery.k8s.namespace", "NO")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("mesh.discovery.k8s.namespace");
  }

  private static void assertRejected(Map<String, String> props, String key, String value, String allowed) {
    Map<String, String> all = new HashMap<>(props);
    assertThatThrownBy(() -> ServiceDiscoveries.create(uri(), all))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(key)
        .hasMessageContaining(value)
        .hasMessageContaining(allowed);
  }

  @Test
  void theNamespaceDefaultsToTheClientsThenToDefault() throws java.io.IOException {
    assertThat(KubernetesServiceDiscoveryProvider.options("p.", Map.of(), "team-a").namespace()).isEqualTo("team-a");
    assertThat(KubernetesServiceDiscoveryProvider.options("p.", Map.of(), null).namespace()).isEqualTo("default");
    KubernetesDiscoveryOptions o = KubernetesServiceDiscoveryProvider.options("p.", Map.of(), null);
    assertThat(o.portName()).isNull();
    assertThat(o.includeTerminating()).isTrue();
    assertThat(o.resyncPeriod()).isEqualTo(KubernetesDiscoveryOptions.DEFAULT_RESYNC);
    ServiceDiscovery v6 = new KubernetesServiceDiscoveryProvider().create(URI.create("kubernetes://[::1]:1"),
        Map.of("namespace", "v6", "tls", "false"));
    assertThat(((KubernetesServiceDiscovery) v6).options().namespace()).isEqualTo("v6");
    v6.close(); // nothing listens there: nothing to stall
  }
}
