package io.meshsdk.core.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.client.NoEndpointAvailableException;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.metrics.MetricNames;
import io.meshsdk.core.snapshot.ServiceSnapshot;
import io.meshsdk.testing.LoopbackBackend;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mesh that starts while its registry is down serves the endpoints its failsafe directory kept from the last run,
 * says so (snapshot with the file's age, the stale gauge) and switches to the registry's endpoints when it answers.
 */
class FailsafeColdStartIT {

  @TempDir Path dir;
  private LoopbackBackend a;
  private LoopbackBackend b;

  @BeforeEach
  void start() {
    a = LoopbackBackend.start("inventory-a");
    b = LoopbackBackend.start("inventory-b");
  }

  @AfterEach
  void stop() {
    a.close();
    b.close();
  }

  /** A registry the test takes down and brings back. */
  static final class Registry extends AbstractServiceDiscovery {
    Registry() {
      super(false);
    }

    @Override
    public String name() {
      return "test-registry";
    }

    void down(String why) {
      reportError(new IOException(why));
    }

    void up(String service, List<Endpoint> endpoints) {
      reportRecovered();
      setEndpoints(service, endpoints);
    }
  }

  private static String get(OkHttpClient client, String url) throws IOException {
    try (Response r = client.newCall(new Request.Builder().url(url).build()).execute()) {
      assertThat(r.code()).isEqualTo(200);
      return r.header("x-backend");
    }
  }

  private void warmRun() throws IOException {
    Registry up = new Registry();
    try (Mesh mesh = Mesh.builder().discovery(up).failsafeDirectory(dir).build()) {
      up.up("inventory", List.of(Endpoint.of("inventory", a.host(), a.port()), Endpoint.of("inventory", b.host(),
          b.port())));
      await().until(() -> mesh.isMeshHost("inventory")); // the registry listed it: routed from now on
      get(mesh.newOkHttpClient(), "http://inventory/warm");
    }
    assertThat(dir.resolve("inventory.endpoints")).exists();
  }

  @Test
  void aColdStartWithTheRegistryDownServesTheFileThenTheRegistry() throws IOException {
    warmRun();
    Registry down = new Registry();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    down.down("connection refused");
    try (Mesh mesh = Mesh.builder().discovery(down).failsafeDirectory(dir).meterRegistry(meters)
        .discoveryWait(Duration.ofSeconds(5)).build()) {
      OkHttpClient client = mesh.newOkHttpClient();
      for (int i = 0; i < 20; i++) {
        assertThat(get(client, "http://inventory/cold/" + i)).startsWith("inventory-");
      }
      ServiceSnapshot s = mesh.snapshot().service("inventory");
      assertThat(s).isNotNull();
      assertThat(s.failsafeWrittenAt()).isNotNull();
      assertThat(s.lastKnownGoodSince()).isNotNull();
      assertThat(s.discoveryError()).contains("connection refused");
      assertThat(mesh.snapshot().render()).contains("from the failsafe file written");
      assertThat(stale(meters)).isEqualTo(1.0);

      down.up("inventory", List.of(Endpoint.of("inventory", b.host(), b.port())));
      await().until(() -> mesh.snapshot().service("inventory").endpoints().size() == 1);
      ServiceSnapshot fresh = mesh.snapshot().service("inventory");
      assertThat(fresh.failsafeWrittenAt()).isNull();
      assertThat(fresh.lastKnownGoodSince()).isNull();
      assertThat(stale(meters)).isEqualTo(0.0);
      assertThat(get(client, "http://inventory/fresh")).isEqualTo("inventory-b");
    }
  }

  @Test
  void aSilentRegistryAtColdStartFallsBackToTheFileAfterTheDiscoveryWait() throws IOException {
    warmRun();
    try (Mesh mesh = Mesh.builder().discovery(new Registry()).failsafeDirectory(dir)
        .discoveryWait(Duration.ofMillis(200)).build()) {
      assertThat(get(mesh.newOkHttpClient(), "http://inventory/silent")).startsWith("inventory-");
      assertThat(mesh.snapshot().service("inventory").failsafeWrittenAt()).isNotNull();
    }
  }

  @Test
  void aCorruptFileIsIgnoredAndCallsFailWithTheRegistrysError() throws IOException {
    warmRun();
    Path file = dir.resolve("inventory.endpoints");
    String content = Files.readString(file);
    Files.writeString(file, content.substring(0, content.length() / 2)); // cut short, as by a crash mid-copy
    Registry down = new Registry();
    down.down("connection refused");
    try (Mesh mesh = Mesh.builder().discovery(down).failsafeDirectory(dir).build()) {
      assertThatThrownBy(() -> get(mesh.newOkHttpClient(), "http://inventory/x"))
          .isInstanceOf(NoEndpointAvailableException.class)
          .hasMessageContaining("connection refused");
    }
  }

  @Test
  void aServiceWhoseFileIsGoneIsNotAMeshHostAtAColdStart() throws IOException {
    warmRun();
    Files.delete(dir.resolve("inventory.endpoints"));
    Files.writeString(dir.resolve("Bad Name.endpoints"), "x"); // not a service name: skipped
    Registry down = new Registry();
    down.down("connection refused");
    try (Mesh mesh = Mesh.builder().discovery(down).failsafeDirectory(dir).build()) {
      assertThat(mesh.isMeshHost("inventory")).isFalse();
      assertThat(mesh.snapshot().services()).isEmpty();
    }
  }

  @Test
  void anUnwritableFailsafeDirectoryFailsTheBuildNamingIt() throws IOException {
    Path notADir = Files.writeString(dir.resolve("file"), "x");
    assertThatThrownBy(() -> Mesh.builder().failsafeDirectory(notADir.resolve("sub")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(notADir.toString());
  }

  private static double stale(SimpleMeterRegistry meters) {
    Gauge g = meters.find(MetricNames.DISCOVERY_STALE).tag(MetricNames.TAG_SERVICE, "inventory").gauge();
    return g == null ? Double.NaN : g.value();
  }
}
