package io.meshsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The {@code mesh} actuator endpoint and health indicator. */
class MeshActuatorTest {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(MeshAutoConfiguration.class, MeshActuatorAutoConfiguration.class))
      .withUserConfiguration(MeshAutoConfigurationTest.App.class)
      .withPropertyValues("mesh.drain-delay=0", "management.endpoints.web.exposure.include=mesh");

  @Test
  @SuppressWarnings("unchecked")
  void theEndpointRendersEveryServiceAndEndpoint() {
    runner.withPropertyValues("mesh.discovery.uri=static:inventory=127.0.0.1:9,127.0.0.2:9",
        "mesh.services.inventory.route.mode=split:10").run(ctx -> {
          Map<String, Object> json = ctx.getBean(MeshEndpoint.class).mesh();
          assertThat(json).containsKeys("takenAt", "discovery", "sidecar", "services");
          assertThat((Map<String, Object>) json.get("discovery")).containsEntry("connected", true);
          List<Map<String, Object>> services = (List<Map<String, Object>>) json.get("services");
          assertThat(services).singleElement().satisfies(s -> {
            assertThat(s).containsEntry("service", "inventory").containsKeys("breaker", "loadBalancer", "routeMode");
            assertThat(s.get("routeMode").toString()).contains("10");
            assertThat((List<Map<String, Object>>) s.get("endpoints")).hasSize(2)
                .allSatisfy(e -> assertThat(e).containsKeys("id", "host", "port", "status"));
          });
        });
  }

  @Test
  @SuppressWarnings("unchecked")
  void theEndpointRendersTheMigrationReport() {
    int closed = io.meshsdk.testing.LoopbackBackend.closedPort();
    runner.withPropertyValues("mesh.discovery.uri=static:inventory=127.0.0.1:9",
        "mesh.services.inventory.route.mode=split:10", "mesh.sidecar.address=127.0.0.1:" + closed,
        "mesh.sidecar.readiness=tcp").run(ctx -> {
          ctx.getBean(io.meshsdk.core.Mesh.class).route("inventory", "split:25");
          Map<String, Object> migration = (Map<String, Object>) ctx.getBean(MeshEndpoint.class).mesh()
              .get("migration");
          assertThat(migration).containsEntry("sidecar", "127.0.0.1:" + closed + " host-header")
              .containsEntry("sidecarReady", false);
          List<Map<String, Object>> services = (List<Map<String, Object>>) migration.get("services");
          assertThat(services).singleElement().satisfies(s -> {
            assertThat(s).containsEntry("service", "inventory").containsEntry("mode", "split:25")
                .containsEntry("runningDirectAgainstConfig", true).containsKeys("direct", "viaSidecar", "readiness");
            assertThat((List<Map<String, Object>>) s.get("transitions")).last().satisfies(t -> assertThat(t)
                .containsEntry("from", "split:10").containsEntry("to", "split:25").containsEntry("by", "api"));
          });
        });
  }

  @Test
  void sidecarHealthIsDownWhileAServiceSetToUseTheSidecarRunsDirect() {
    int closed = io.meshsdk.testing.LoopbackBackend.closedPort();
    runner.withPropertyValues("mesh.discovery.uri=static:inventory=127.0.0.1:9,orders=127.0.0.1:9",
        "mesh.services.inventory.route.mode=sidecar", "mesh.sidecar.address=127.0.0.1:" + closed,
        "mesh.sidecar.readiness=tcp").run(ctx -> {
          Health h = ctx.getBean(MeshSidecarHealthIndicator.class).health();
          assertThat(h.getStatus()).isEqualTo(Status.DOWN);
          assertThat(h.getDetails()).containsEntry("sidecarReady", false)
              .containsEntry("servicesSetToUseTheSidecar", 1);
          assertThat(h.getDetails().get("runningDirectAgainstConfig").toString()).contains("inventory")
              .doesNotContain("orders");
          ctx.getBean(io.meshsdk.core.Mesh.class).route("inventory", "direct"); // rolled back: nothing to alert on
          assertThat(ctx.getBean(MeshSidecarHealthIndicator.class).health().getStatus()).isEqualTo(Status.UP);
          assertThat(ctx.getBean(MeshHealthIndicator.class).health().getStatus())
              .as("the application's own health does not depend on the sidecar").isEqualTo(Status.UP);
        });
  }

  @Test
  void sidecarHealthIsUpWithoutASidecar() {
    runner.withPropertyValues("mesh.discovery.uri=static:inventory=127.0.0.1:9").run(ctx -> {
      Health h = ctx.getBean(MeshSidecarHealthIndicator.class).health();
      assertThat(h.getStatus()).isEqualTo(Status.UP);
      assertThat(h.getDetails()).containsEntry("sidecar", "(none configured)");
    });
  }

  @Test
  void healthIsUpWhileDiscoveryIsConnected() {
    runner.withPropertyValues("mesh.discovery.uri=static:inventory=127.0.0.1:9").run(ctx -> {
      Health h = ctx.getBean(MeshHealthIndicator.class).health();
      assertThat(h.getStatus()).isEqualTo(Status.UP);
      assertThat(h.getDetails()).containsEntry("discovery", "connected");
    });
  }

  @Test
  void healthIsDownWhenDiscoveryFailsAndAServiceHasNoEndpoint(@TempDir Path dir) {
    Path missing = dir.resolve("endpoints.txt");
    runner.withPropertyValues("mesh.discovery.uri=file:" + missing, "mesh.services.inventory.retry.enabled=true")
        .run(ctx -> {
          org.awaitility.Awaitility.await().untilAsserted(() -> {
            Health h = ctx.getBean(MeshHealthIndicator.class).health();
            assertThat(h.getStatus()).isEqualTo(Status.DOWN);
            assertThat(h.getDetails()).containsKey("discoveryError");
            assertThat(h.getDetails().get("discovery").toString()).contains("inventory");
          });
        });
  }

  @Test
  void healthIsUpOnLastKnownGoodWhenDiscoveryFailsLater(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("endpoints.txt");
    Files.writeString(file, "inventory 127.0.0.1:9\n");
    runner.withPropertyValues("mesh.discovery.uri=file:" + file, "mesh.discovery.file.poll-interval=10ms")
        .run(ctx -> {
          io.meshsdk.core.Mesh mesh = ctx.getBean(io.meshsdk.core.Mesh.class);
          org.awaitility.Awaitility.await().until(() -> mesh.endpoints("inventory").size() == 1);
          Files.delete(file);
          org.awaitility.Awaitility.await().untilAsserted(() -> {
            Health h = ctx.getBean(MeshHealthIndicator.class).health();
            assertThat(h.getStatus()).isEqualTo(Status.UP);
            assertThat(h.getDetails()).containsEntry("discovery", "serving last-known-good")
                .containsKey("discoveryError");
          });
        });
  }
}
