package io.meshsdk.core.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshsdk.core.common.Ticker;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.observe.MeshObserver;
import io.meshsdk.core.sidecar.ReadinessProbe;
import io.meshsdk.core.sidecar.SidecarConfig;
import io.meshsdk.testing.LoopbackBackend;
import java.time.Duration;
import java.util.List;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/** The "configured for the sidecar but running direct" WARN: once per interval, not once per probe. */
class SidecarNotReadyWarningTest {

  private static MeshEngine engine(Duration warnInterval) {
    MeshEngine engine = new MeshEngine(StaticServiceDiscovery.of(Endpoint.of("inventory", "127.0.0.1", 1)),
        MeshObserver.composite(List.of()), Ticker.SYSTEM, Duration.ofSeconds(1),
        SidecarConfig.builder().address("127.0.0.1", LoopbackBackend.closedPort())
            .readiness(ReadinessProbe.TCP).probeInterval(Duration.ofMillis(5)).probeFailures(1)
            .notReadyWarnInterval(warnInterval).build(),
        null, new OkHttpClient(), null);
    engine.start(MeshConfig.builder().service("inventory", s -> s.set("route.mode", "sidecar")).build());
    return engine;
  }

  @Test
  void oneWarnPerIntervalNotPerProbe() {
    try (MeshEngine engine = engine(Duration.ofHours(1))) {
      await().atMost(Duration.ofSeconds(30)).until(() -> engine.bridge().probeRounds() >= 50);
      assertThat(engine.migrationStats("inventory").notReadyWarnings.get()).isEqualTo(1);
    }
  }

  @Test
  void theWarnRepeatsEveryInterval() {
    try (MeshEngine engine = engine(Duration.ofMillis(1))) {
      await().atMost(Duration.ofSeconds(30)).until(() -> engine.migrationStats("inventory").notReadyWarnings.get() >= 3);
      assertThat(engine.migrationStats("inventory").notReadyWarnings.get())
          .isLessThanOrEqualTo(engine.bridge().probeRounds());
    }
  }

  @Test
  void aDirectServiceNeverWarns() {
    try (MeshEngine engine = engine(Duration.ofMillis(1))) {
      engine.route("inventory", io.meshsdk.core.sidecar.RouteMode.DIRECT, "api", "");
      long before = engine.migrationStats("inventory").notReadyWarnings.get();
      long rounds = engine.bridge().probeRounds();
      await().atMost(Duration.ofSeconds(30)).until(() -> engine.bridge().probeRounds() >= rounds + 20);
      assertThat(engine.migrationStats("inventory").notReadyWarnings.get()).isLessThanOrEqualTo(before + 1);
    }
  }
}
