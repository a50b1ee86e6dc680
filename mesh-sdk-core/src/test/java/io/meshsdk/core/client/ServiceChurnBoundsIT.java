package io.meshsdk.core.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.FileServiceDiscovery;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.testing.LoopbackBackend;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression tests for "nothing grows without bound":
 *
 * <ul>
 *   <li>{@link #servicesThatComeAndGoLeaveNoPipelinesOrMetersBehind}: 3,000 services created, called once via
 *       the mesh domain and deleted from discovery leave every directory entry and their meters behind.
 *   <li>{@link #madeUpHostsWhileDiscoveryFailsLeaveNoPipelinesBehind}: made-up {@code *.mesh} hosts called while
 *       the discovery backend is failing each get a permanent watch and pipeline.
 * </ul>
 */
class ServiceChurnBoundsIT {

  private static final int SERVICES = 3_000;
  private static final int MADE_UP_HOSTS = 2_000;
  /** Well above what a handful of live services need, far below one entry per service ever seen. */
  private static final int MAX_WATCHED_SERVICES = 50;
  private static final int MAX_METERS = 300;

  @TempDir Path dir;
  private LoopbackBackend backend;

  @BeforeEach
  void start() {
    backend = LoopbackBackend.start("churn");
  }

  @AfterEach
  void stop() {
    backend.close();
  }

  @Test
  void servicesThatComeAndGoLeaveNoPipelinesOrMetersBehind() throws IOException {
    StaticServiceDiscovery discovery = StaticServiceDiscovery.create();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (Mesh mesh = Mesh.builder()
        .discovery(discovery)
        .config(MeshConfig.builder().meshDomain(".mesh").build())
        .meterRegistry(registry)
        .discoveryWait(Duration.ofMillis(500))
        .build()) {
      OkHttpClient http = mesh.newOkHttpClient();
      for (int i = 0; i < SERVICES; i++) {
        String service = "svc" + i;
        discovery.set(service, List.of(Endpoint.of(service, backend.host(), backend.port())));
        try (Response r = http.newCall(new Request.Builder().url("http://" + service + ".mesh/").build()).execute()) {
          assertThat(r.code()).as("call %d to %s", i, service).isEqualTo(200);
        }
        discovery.delete(service);
      }
      assertThat(backend.requests()).isEqualTo(SERVICES);

      SoftAssertions soft = new SoftAssertions();
      soft.assertThat(mesh.endpoints().size())
          .as("services still watched after %d services came, were called once and were deleted", SERVICES)
          .isLessThan(MAX_WATCHED_SERVICES);
      soft.assertThat(registry.getMeters().size())
          .as("meters left in the registry after %d deleted services", SERVICES)
          .isLessThan(MAX_METERS);
      soft.assertAll();
    }
  }

  @Test
  void madeUpHostsWhileDiscoveryFailsLeaveNoPipelinesBehind() throws IOException {
    Path file = dir.resolve("endpoints.txt");
    Files.writeString(file, "known " + backend.host() + ":" + backend.port() + "\n");
    FileServiceDiscovery discovery = FileServiceDiscovery.manual(file);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (Mesh mesh = Mesh.builder()
        .discovery(discovery)
        .config(MeshConfig.builder().meshDomain(".mesh").build())
        .meterRegistry(registry)
        .discoveryWait(Duration.ofMillis(200))
        .build()) {
      OkHttpClient http = mesh.newOkHttpClient();
      Files.delete(file);
      discovery.refresh(); // the backend now fails: "discovery file ... does not exist"

      for (int i = 0; i < MADE_UP_HOSTS; i++) {
        String url = "http://x" + i + ".mesh/";
        assertThatThrownBy(() -> http.newCall(new Request.Builder().url(url).build()).execute().close())
            .as("call to a made-up host %s", url)
            .isInstanceOf(IOException.class);
      }
      assertThat(backend.requests()).isZero();

      SoftAssertions soft = new SoftAssertions();
      soft.assertThat(mesh.endpoints().size())
          .as("services watched after calls to %d made-up hosts while discovery was failing", MADE_UP_HOSTS)
          .isLessThan(MAX_WATCHED_SERVICES);
      soft.assertThat(registry.getMeters().size())
          .as("meters after calls to %d made-up hosts while discovery was failing", MADE_UP_HOSTS)
          .isLessThan(MAX_METERS);
      soft.assertAll();
    }
  }
}
