package io.meshsdk.core.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.resilience.RateLimitedException;
import io.meshsdk.testing.LoopbackBackend;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Regression tests: the one direct attempt made after the sidecar refused the connection bypasses the service's
 * governance (here its rate limiter). The sidecar's ready URL is a separate loopback server answering 200; its
 * outbound listener is a loopback server that is up for the start-up probe (which also checks that the listener
 * accepts connections) and closed before the calls, so its port refuses them (as in {@code SidecarReadinessIT}).
 *
 * <ul>
 *   <li>{@link #theDirectAttemptAfterARefusedSidecarIsRateLimited}: with {@code rate-limit} 1 call per hour,
 *       3 calls reach the backend exactly once, the other two are rate limited (before the fix: 2 reach it).
 * </ul>
 */
class SidecarFallbackGovernanceIT {

  private LoopbackBackend backend;
  private LoopbackBackend readyServer;
  private LoopbackBackend listener;
  private Mesh mesh;
  private OkHttpClient http;

  @BeforeEach
  void setUp() {
    backend = LoopbackBackend.start("inventory-1");
    readyServer = LoopbackBackend.start("sidecar-admin"); // the sidecar's ready URL: answers 200
    listener = LoopbackBackend.start("sidecar-listener"); // the sidecar's outbound listener, until the test
    mesh = Mesh.builder()
        .discovery(StaticServiceDiscovery.of(Endpoint.of("inventory", backend.host(), backend.port())))
        .config(MeshConfig.builder().service("inventory", s -> s
            .set("route.mode", "sidecar")
            .set("rate-limit.enabled", "true")
            .set("rate-limit.permits", "1")
            .set("rate-limit.period", "1h")).build())
        .sidecar(SidecarConfig.builder()
            .address("127.0.0.1", listener.port())
            .readyUrl(readyServer.baseUrl() + "/ready")
            .probeInterval(Duration.ofHours(1)) // only the start-up probe: nothing restores readiness meanwhile
            .build())
        .build();
    http = mesh.newOkHttpClient();
  }

  @AfterEach
  void tearDown() {
    mesh.close();
    backend.close();
    readyServer.close();
    listener.close();
  }

  @Test
  void theDirectAttemptAfterARefusedSidecarIsRateLimited() {
    assertThat(mesh.sidecarBridge().isReady()).as("sidecar ready after the start-up probe").isTrue();
    listener.close(); // the outbound listener goes away between two probes: its port now refuses connections
    List<String> outcomes = new ArrayList<>();
    int rateLimited = 0;
    for (int i = 0; i < 3; i++) {
      try (Response r = http.newCall(new Request.Builder().url("http://inventory/x").build()).execute()) {
        outcomes.add(r.code() + " from " + r.header("x-backend"));
      } catch (RateLimitedException e) {
        rateLimited++;
        outcomes.add(e.getClass().getSimpleName());
      } catch (IOException e) {
        outcomes.add(e.toString());
      }
    }
    assertThat(backend.requests())
        .as("calls that reached the backend (rate limit: 1 per hour); outcomes: %s", outcomes)
        .isEqualTo(1);
    assertThat(rateLimited).as("rate-limited calls; outcomes: %s", outcomes).isEqualTo(2);
  }

  @Test
  void theRefusedSidecarAttemptCountsAsTheFirstOfMaxAttempts() throws IOException {
    backend.mode(LoopbackBackend.failing(503));
    try (Mesh m = Mesh.builder()
        .discovery(StaticServiceDiscovery.of(Endpoint.of("inventory", backend.host(), backend.port())))
        .config(MeshConfig.builder().service("inventory", s -> s
            .set("route.mode", "sidecar")
            .set("retry.max-attempts", "3")
            .set("outlier.enabled", "false")).build())
        .sidecar(SidecarConfig.builder()
            .address("127.0.0.1", listener.port())
            .readyUrl(readyServer.baseUrl() + "/ready")
            .probeInterval(Duration.ofHours(1))
            .build())
        .build()) {
      assertThat(m.sidecarBridge().isReady()).isTrue();
      listener.close(); // ready, but refusing: the call tries the sidecar first
      try (Response r = m.newOkHttpClient().newCall(new Request.Builder().url("http://inventory/x").build())
          .execute()) {
        assertThat(r.code()).isEqualTo(503);
      }
      assertThat(backend.requests())
          .as("direct attempts after the refused sidecar attempt, with retry.max-attempts=3").isEqualTo(2);
    }
  }
}
