package io.meshsdk.core.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.testing.LoopbackBackend;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Regression tests: services that discovery learns after {@code Mesh.build()} never become mesh hosts (no mesh domain
 * configured, so only declared and discovered services are mesh hosts).
 *
 * <ul>
 *   <li>{@link #aServiceDiscoveredAfterBuildBecomesRoutable}: a service first reported by discovery after build
 *       is routable once its first snapshot arrived (before the fix: {@code UnknownHostException: pricing}).
 *   <li>{@link #aLateServiceThatDiscoveryDeletesStopsBeingAMeshHost}: after {@code delete} it is no mesh host
 *       any more: calls no longer reach the backend through the mesh and {@code mesh.endpoints()} no longer
 *       lists it (before the fix it fails earlier: the service never became routable).
 * </ul>
 */
class LateServicesIT {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private LoopbackBackend backend;
  private StaticServiceDiscovery discovery;
  private Mesh mesh;
  private OkHttpClient http;

  @BeforeEach
  void setUp() {
    backend = LoopbackBackend.start("pricing-1");
    discovery = StaticServiceDiscovery.create();
    mesh = Mesh.builder().discovery(discovery).discoveryWait(Duration.ofMillis(200)).build();
    http = mesh.newOkHttpClient();
  }

  @AfterEach
  void tearDown() {
    mesh.close();
    backend.close();
  }

  /** "200 from <x-backend>" or the failure's toString: what one call to {@code url} did. */
  private String outcome(String url) {
    try (Response r = http.newCall(new Request.Builder().url(url).build()).execute()) {
      return r.code() + " from " + r.header("x-backend");
    } catch (IOException | RuntimeException e) {
      return e.toString();
    }
  }

  private void awaitRoutable() {
    await("http://pricing/x routed by the mesh after discovery reported 'pricing'").atMost(WAIT)
        .untilAsserted(() -> assertThat(outcome("http://pricing/x")).isEqualTo("200 from pricing-1"));
  }

  @Test
  void aServiceDiscoveredAfterBuildBecomesRoutable() {
    discovery.set("pricing", List.of(Endpoint.of("pricing", "127.0.0.1", backend.port())));
    awaitRoutable();
    assertThat(backend.requests()).isGreaterThanOrEqualTo(1);
    assertThat(mesh.endpoints()).containsKey("pricing");
    assertThat(mesh.endpoints("pricing").size()).isEqualTo(1);
  }

  @Test
  void aLateServiceThatDiscoveryDeletesStopsBeingAMeshHost() {
    discovery.set("pricing", List.of(Endpoint.of("pricing", "127.0.0.1", backend.port())));
    awaitRoutable();

    discovery.delete("pricing");
    await("'pricing' dropped from mesh.endpoints() after discovery deleted it").atMost(WAIT)
        .untilAsserted(() -> assertThat(mesh.endpoints()).doesNotContainKey("pricing"));
    long before = backend.requests();
    String after = outcome("http://pricing/x");
    assertThat(after).as("a call to a deleted service").doesNotStartWith("200");
    assertThat(backend.requests()).as("requests reaching the backend after the deletion").isEqualTo(before);
  }
}
