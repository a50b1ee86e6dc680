package io.meshsdk.core.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.endpoint.Endpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceDiscoveriesTest {

  @TempDir Path dir;

  private static List<String> ids(ServiceDiscovery d, String service) {
    List<String> out = new ArrayList<>();
    try (ServiceDiscovery.Subscription ignored = d.watch(service, new DiscoveryListener() {
      @Override
      public void onEndpoints(List<Endpoint> endpoints) {
        out.clear();
        endpoints.forEach(e -> out.add(e.id()));
      }

      @Override
      public void onServiceDeleted() {}

      @Override
      public void onError(Throwable error) {}
    })) {
      return out;
    }
  }

  @Test
  void withoutAUriTheBackendIsAnEmptyStaticOne() {
    ServiceDiscovery d = ServiceDiscoveries.fromProperties(Map.of("mesh.services.inventory.lb.policy", "round-robin"));
    assertThat(d).isInstanceOf(StaticServiceDiscovery.class);
  }

  @Test
  void backendKeysWithoutAUriAreRefusedNamingTheKey() {
    ConfigException e = catchThrowableOfType(ConfigException.class,
        () -> ServiceDiscoveries.fromProperties(Map.of("mesh.discovery.file.poll-interval", "1s")));
    assertThat(e.key()).isEqualTo("mesh.discovery.file.poll-interval");
    assertThat(e).hasMessageContaining("mesh.discovery.uri");
  }

  @Test
  void staticUriListsServicesAndEndpoints() {
    ServiceDiscovery d = ServiceDiscoveries.fromProperties(Map.of("mesh.discovery.uri",
        "static:inventory=10.0.0.1:8080,10.0.0.2:8080;Pricing=[::1]:9090"));
    assertThat(ids(d, "inventory")).containsExactly("10.0.0.1:8080", "10.0.0.2:8080");
    assertThat(ids(d, "pricing")).as("service names follow the one rule: upper case folds").hasSize(1);
  }

  @Test
  void fileUriReadsTheFileWithItsOwnPollInterval() throws IOException {
    Path file = Files.writeString(dir.resolve("endpoints.txt"), "inventory 127.0.0.1:8001\nend\n");
    try (ServiceDiscovery d = ServiceDiscoveries.fromProperties(Map.of(
        "mesh.discovery.uri", "file:" + file,
        "mesh.discovery.file.poll-interval", "50ms"))) {
      assertThat(d).isInstanceOf(FileServiceDiscovery.class);
      assertThat(ids(d, "inventory")).containsExactly("127.0.0.1:8001");
    }
  }

  @Test
  void anInvalidBackendValueNamesItsFullKey() {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ServiceDiscoveries.fromProperties(Map.of(
        "mesh.discovery.uri", "file:" + dir.resolve("x.txt"),
        "mesh.discovery.file.poll-interval", "soon")));
    assertThat(e.key()).isEqualTo("mesh.discovery.file.poll-interval");
  }

  @Test
  void aProviderOnTheClassPathIsSelectedByItsSchemeAndGetsOnlyItsOwnKeys() {
    ServiceDiscoveries.fromProperties(Map.of(
        "mesh.discovery.uri", "REC://zk1:2181,zk2:2181/services",
        "mesh.discovery.rec.session-timeout", "30s",
        "mesh.discovery.recorded.root", "/other-scheme-not-mine",
        "mesh.services.inventory.lb.policy", "round-robin"));
    assertThat(RecordingDiscoveryProviders.lastProvider).isEqualTo("Recorded");
    assertThat(RecordingDiscoveryProviders.lastUri.toString()).isEqualTo("REC://zk1:2181,zk2:2181/services");
    assertThat(RecordingDiscoveryProviders.lastProperties).containsExactly(Map.entry("session-timeout", "30s"));
  }

  @Test
  void anUnknownKeyOfTheBackendIsRefusedNamingItAndTheKnownOnes() {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ServiceDiscoveries.fromProperties(Map.of(
        "mesh.discovery.uri", "recorded://zk:2181",
        "mesh.discovery.recorded.sesion-timeout", "30s")));
    assertThat(e.key()).isEqualTo("mesh.discovery.recorded.sesion-timeout");
    assertThat(e).hasMessageContaining("[root, session-timeout]");
  }

  @Test
  void theHighestPriorityProviderOfASchemeWins() {
    ServiceDiscoveries.create("dup://x", Map.of());
    assertThat(RecordingDiscoveryProviders.lastProvider).isEqualTo("DupHigh");
  }

  @Test
  void anUnknownOrUnavailableSchemeIsRefusedListingTheSchemesThereAre() {
    for (String uri : List.of("etcd://127.0.0.1:2379", "absent://x")) {
      ConfigException e = catchThrowableOfType(ConfigException.class, () -> ServiceDiscoveries.create(uri, Map.of()));
      assertThat(e.key()).isEqualTo("mesh.discovery.uri");
      assertThat(e).hasMessageContaining(uri).hasMessageContaining("file").hasMessageContaining("static");
    }
    assertThat(ServiceDiscoveries.schemes()).contains("static", "file", "recorded", "dup").doesNotContain("absent");
  }

  @Test
  void aMalformedUriIsRefusedNamingTheKey() {
    assertThatThrownBy(() -> ServiceDiscoveries.create("file:// bad uri", Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("mesh.discovery.uri: \"file:// bad uri\"");
    assertThatThrownBy(() -> ServiceDiscoveries.create("static:inventory=a@b:80", Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("mesh.discovery.uri");
  }
}
