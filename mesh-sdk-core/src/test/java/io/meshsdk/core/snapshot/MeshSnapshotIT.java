package io.meshsdk.core.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.FileServiceDiscovery;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.endpoint.EndpointExclusion;
import io.meshsdk.core.resilience.BreakerState;
import io.meshsdk.testing.LoopbackBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Mesh.snapshot()} explains every exclusion with a reason and a time: ejected (reason, since, until), slow
 * start (factor), panic (since), last-known-good (since), breaker open (since, next trial); and a fresh service,
 * whose endpoints all started together, is simply serving.
 */
class MeshSnapshotIT {

  @TempDir Path dir;
  private LoopbackBackend good;
  private LoopbackBackend bad;

  @BeforeEach
  void start() {
    good = LoopbackBackend.start("good", 1);
    bad = LoopbackBackend.start("bad", 2).mode(LoopbackBackend.failing(503));
  }

  @AfterEach
  void stop() {
    bad.close();
    good.close();
  }

  private static void call(OkHttpClient http, String url) {
    try (Response r = http.newCall(new Request.Builder().url(url).build()).execute()) {
      r.body().bytes();
    } catch (IOException | RuntimeException e) {
      // the snapshot is what is looked at; rejections and 503s are expected here
    }
  }

  private static EndpointSnapshot endpoint(ServiceSnapshot s, LoopbackBackend b) {
    return s.endpoints().stream().filter(e -> e.endpoint().port() == b.port()).findFirst().orElseThrow();
  }

  @Test
  void aFreshServiceIsServingAndAnEjectionHasReasonSinceAndUntil() {
    Instant before = Instant.now();
    StaticServiceDiscovery discovery = StaticServiceDiscovery.of(
        Endpoint.of("inventory", good.host(), good.port()), Endpoint.of("inventory", bad.host(), bad.port()));
    MeshConfig config = MeshConfig.builder().service("inventory", s -> s
        .set("lb.policy", "round-robin") // every other call meets the failing endpoint
        .set("outlier.consecutive-failures", "2")
        .set("outlier.base-ejection-time", "30s")
        .set("retry.enabled", "false")).build();
    try (Mesh mesh = Mesh.builder().discovery(discovery).config(config).build()) {
      ServiceSnapshot fresh = Objects.requireNonNull(mesh.snapshot().service("inventory"));
      assertThat(fresh.endpoints()).extracting(EndpointSnapshot::status)
          .as("endpoints that started together are not 'in slow start' against each other")
          .containsOnly(EndpointSnapshot.Status.SERVING);

      OkHttpClient http = mesh.newOkHttpClient();
      await().pollInterval(Duration.ofMillis(5)).atMost(Duration.ofSeconds(10)).until(() -> {
        call(http, "http://inventory/x");
        return mesh.resilience("inventory").ejections() > 0;
      });

      ServiceSnapshot s = Objects.requireNonNull(mesh.snapshot().service("inventory"));
      EndpointSnapshot ejected = endpoint(s, bad);
      assertThat(ejected.status()).isEqualTo(EndpointSnapshot.Status.EJECTED);
      assertThat(ejected.reason()).isEqualTo(EndpointExclusion.Reason.CONSECUTIVE_FAILURES);
      assertThat(ejected.detail()).contains("2 consecutive failures");
      assertThat(ejected.since()).isNotNull().isAfterOrEqualTo(before.minusSeconds(1));
      assertThat(ejected.until()).isNotNull().isAfter(Objects.requireNonNull(ejected.since()).plusSeconds(25));
      assertThat(endpoint(s, good).status()).isEqualTo(EndpointSnapshot.Status.SERVING);
      assertThat(s.panicSince()).isNull();
      assertThat(mesh.snapshot().render()).contains("EJECTED").contains("consecutive");
    }
  }

  @Test
  void aNewEndpointAmongOldOnesIsInSlowStartWithItsFactor() throws Exception {
    StaticServiceDiscovery discovery = StaticServiceDiscovery.of(Endpoint.of("inventory", good.host(), good.port()));
    MeshConfig config = MeshConfig.builder()
        .service("inventory", s -> s.set("lb.slow-start-window", "1500ms")).build();
    long built = System.nanoTime();
    try (Mesh mesh = Mesh.builder().discovery(discovery).config(config).build()) {
      // the first endpoint finishes its ramp: factors are relative to the longest-serving endpoint's, so a new
      // endpoint ramps only against one that is further along
      await().pollDelay(Duration.ofMillis(100)).atMost(Duration.ofSeconds(10))
          .until(() -> System.nanoTime() - built > 1_600_000_000L);
      LoopbackBackend fresh = LoopbackBackend.start("fresh", 3);
      try {
        discovery.set("inventory", List.of(Endpoint.of("inventory", good.host(), good.port()),
            Endpoint.of("inventory", fresh.host(), fresh.port())));

        ServiceSnapshot s = Objects.requireNonNull(mesh.snapshot().service("inventory"));
        EndpointSnapshot ramping = endpoint(s, fresh);
        assertThat(ramping.status()).isEqualTo(EndpointSnapshot.Status.SLOW_START);
        assertThat(ramping.slowStartFactor()).isBetween(0.0, 0.99);
        assertThat(ramping.detail()).startsWith("slow start ");
        assertThat(endpoint(s, good).status()).isEqualTo(EndpointSnapshot.Status.SERVING);
      } finally {
        fresh.close();
      }
    }
  }

  @Test
  void panicHasASince() {
    LoopbackBackend bad2 = LoopbackBackend.start("bad-2", 4).mode(LoopbackBackend.failing(503));
    try {
      StaticServiceDiscovery discovery = StaticServiceDiscovery.of(
          Endpoint.of("inventory", bad.host(), bad.port()), Endpoint.of("inventory", bad2.host(), bad2.port()));
      MeshConfig config = MeshConfig.builder().service("inventory", s -> s
          .set("outlier.consecutive-failures", "1")
          .set("outlier.max-ejected-percent", "100")
          .set("breaker.enabled", "false")
          .set("retry.enabled", "false")).build();
      try (Mesh mesh = Mesh.builder().discovery(discovery).config(config).build()) {
        OkHttpClient http = mesh.newOkHttpClient();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
          call(http, "http://inventory/x");
          return Objects.requireNonNull(mesh.snapshot().service("inventory")).panicSince() != null;
        });
        ServiceSnapshot s = Objects.requireNonNull(mesh.snapshot().service("inventory"));
        assertThat(s.endpoints()).extracting(EndpointSnapshot::status)
            .containsOnly(EndpointSnapshot.Status.SERVING_IN_PANIC);
        assertThat(s.serving()).isEqualTo(2);
      }
    } finally {
      bad2.close();
    }
  }

  @Test
  void anOpenBreakerHasASinceAndANextTrial() {
    StaticServiceDiscovery discovery = StaticServiceDiscovery.of(Endpoint.of("payments", bad.host(), bad.port()));
    MeshConfig config = MeshConfig.builder().service("payments", s -> s
        .set("breaker.window-size", "2")
        .set("breaker.minimum-calls", "2")
        .set("breaker.open-wait", "1m")
        .set("outlier.enabled", "false")
        .set("retry.enabled", "false")).build();
    try (Mesh mesh = Mesh.builder().discovery(discovery).config(config).build()) {
      OkHttpClient http = mesh.newOkHttpClient();
      call(http, "http://payments/x");
      call(http, "http://payments/x");

      BreakerSnapshot breaker = Objects.requireNonNull(mesh.snapshot().service("payments")).breaker();
      assertThat(breaker.state()).isEqualTo(BreakerState.OPEN);
      assertThat(breaker.since()).isNotNull();
      assertThat(breaker.nextTrial()).isNotNull()
          .isAfter(Objects.requireNonNull(breaker.since()).plusSeconds(50));
    }
  }

  @Test
  void lastKnownGoodHasASinceAndTheDiscoveryError() throws IOException {
    Path file = Files.writeString(dir.resolve("endpoints.txt"),
        "inventory " + good.host() + ":" + good.port() + "\nend\n");
    try (FileServiceDiscovery discovery = FileServiceDiscovery.manual(file);
        Mesh mesh = Mesh.builder().discovery(discovery).build()) {
      assertThat(Objects.requireNonNull(mesh.snapshot().service("inventory")).lastKnownGoodSince()).isNull();

      Files.delete(file);
      discovery.refresh();

      ServiceSnapshot s = Objects.requireNonNull(mesh.snapshot().service("inventory"));
      assertThat(s.lastKnownGoodSince()).isNotNull();
      assertThat(s.discoveryError()).contains("does not exist");
      assertThat(s.endpoints()).hasSize(1);
      assertThat(mesh.snapshot().render()).contains("last-known-good");
    }
  }
}
