package io.meshsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.registration.ServiceRegistry;
import io.meshsdk.core.sidecar.InboundMode;
import io.meshsdk.core.sidecar.InboundRegistration;
import io.meshsdk.core.sidecar.RegistrationPortPolicy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@code mesh.registration.inbound}: the registrar registers the sidecar's inbound port when told to, and the
 * {@code meshinbound} actuator endpoint flips the registration at run time; a sidecar registration without
 * {@code mesh.sidecar.inbound-port} stops the start.
 */
class MeshInboundRegistrationTest {

  private final List<ServerSocket> listeners = new ArrayList<>();

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(MeshAutoConfiguration.class, MeshActuatorAutoConfiguration.class))
      .withUserConfiguration(MeshAutoConfigurationTest.App.class, Registry.class)
      .withPropertyValues("mesh.drain-delay=0", "mesh.local-service=inventory", "mesh.registration.host=127.0.0.1",
          "mesh.registration.inbound-overlap=0s", "management.endpoints.web.exposure.include=mesh,meshinbound");

  @Configuration(proxyBeanMethods = false)
  static class Registry {
    @Bean
    ServiceRegistry registry() {
      return StaticServiceDiscovery.create().registry();
    }
  }

  @AfterEach
  void close() throws IOException {
    for (ServerSocket s : listeners) {
      s.close();
    }
  }

  /** A loopback listener (the flip probes that the target accepts connections). */
  private int listener() throws IOException {
    ServerSocket s = new ServerSocket();
    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    listeners.add(s);
    return s.getLocalPort();
  }

  @Test
  void registersTheSidecarInboundPortAndTheActuatorFlipsItBackAndForth() throws IOException {
    int app = listener();
    int inbound = listener();
    runner.withPropertyValues("mesh.registration.port=" + app, "mesh.registration.inbound=sidecar",
        "mesh.sidecar.address=127.0.0.1:" + listener(), "mesh.sidecar.inbound-port=" + inbound).run(ctx -> {
          MeshRegistrar registrar = ctx.getBean(MeshRegistrar.class);
          registrar.register();
          InboundRegistration r = registrar.inbound();
          assertThat(r).isNotNull();
          assertThat(r.mode()).isEqualTo(InboundMode.SIDECAR);
          assertThat(r.advertised().port()).isEqualTo(inbound);
          assertThat(registrar.registration()).isSameAs(r.current());

          MeshInboundEndpoint endpoint = ctx.getBean(MeshInboundEndpoint.class);
          assertThat(endpoint.inbound()).containsEntry("mode", "sidecar")
              .containsEntry("advertised", "127.0.0.1:" + inbound).containsEntry("applicationPort", app);

          Map<String, Object> flipped = endpoint.flip("application", "rollback OPS-42");
          assertThat(flipped).containsEntry("flipped", true).containsEntry("mode", "application")
              .containsEntry("advertised", "127.0.0.1:" + app);
          assertThat(flipped.get("transitions").toString()).contains("by=actuator", "reason=rollback OPS-42",
              "from=sidecar", "to=application");
          assertThat(endpoint.flip("application", null)).containsEntry("flipped", false)
              .doesNotContainKey("error");

          Map<String, Object> bad = endpoint.flip("mesh", null);
          assertThat(bad).containsEntry("flipped", false).containsEntry("mode", "application");
          assertThat(bad.get("error").toString()).startsWith("mode: \"mesh\" (expected: application");

          assertThat(endpoint.flip("sidecar", "again")).containsEntry("flipped", true)
              .containsEntry("advertised", "127.0.0.1:" + inbound);
          assertThat(r.advertised().labels()).containsEntry(RegistrationPortPolicy.APP_PORT_LABEL,
              Integer.toString(app));
        });
  }

  @Test
  void byDefaultTheApplicationPortIsRegisteredAndAFlipToASidecarWithoutInboundPortSaysWhatIsMissing()
      throws IOException {
    int app = listener();
    runner.withPropertyValues("mesh.registration.port=" + app).run(ctx -> {
      MeshRegistrar registrar = ctx.getBean(MeshRegistrar.class);
      registrar.register();
      InboundRegistration r = registrar.inbound();
      assertThat(r).isNotNull();
      assertThat(r.mode()).isEqualTo(InboundMode.APPLICATION);
      assertThat(r.advertised().port()).isEqualTo(app);
      Map<String, Object> out = ctx.getBean(MeshInboundEndpoint.class).flip("sidecar", null);
      assertThat(out).containsEntry("flipped", false).containsEntry("mode", "application");
      assertThat(out.get("error").toString()).startsWith("sidecar.inbound-port: ");
    });
  }

  @Test
  void aSidecarRegistrationWithoutAnInboundPortStopsTheStart() {
    runner.withPropertyValues("mesh.registration.inbound=sidecar", "mesh.sidecar.address=127.0.0.1:15001")
        .run(ctx -> {
          assertThat(ctx).hasFailed();
          assertThat(ctx.getStartupFailure()).rootCause().isInstanceOf(ConfigException.class)
              .hasMessageStartingWith("mesh.sidecar.inbound-port: 0 (expected: ");
        });
    runner.withPropertyValues("mesh.registration.inbound=mesh").run(ctx -> {
      assertThat(ctx).hasFailed();
      assertThat(ctx.getStartupFailure()).rootCause().hasMessageStartingWith("mesh.registration.inbound: \"mesh\"");
    });
    runner.withPropertyValues("mesh.registration.inbound-overlap=-1s").run(ctx -> {
      assertThat(ctx).hasFailed();
      assertThat(ctx.getStartupFailure()).rootCause()
          .hasMessageStartingWith("mesh.registration.inbound-overlap: ");
    });
  }

  @Test
  void overlapAndAcknowledgeTimeoutAreRead() {
    MeshSettings s = MeshSettings.of(Map.of("mesh.registration.inbound", "SIDECAR",
        "mesh.registration.inbound-overlap", "500ms", "mesh.registration.inbound-acknowledge-timeout", "3s",
        "mesh.sidecar.address", "127.0.0.1:15001", "mesh.sidecar.inbound-port", "15006"), "inventory");
    assertThat(s.registrationInbound()).isEqualTo(InboundMode.SIDECAR);
    assertThat(s.registrationInboundOverlap()).isEqualTo(Duration.ofMillis(500));
    assertThat(s.registrationInboundAcknowledgeTimeout()).isEqualTo(Duration.ofSeconds(3));
    MeshSettings defaults = MeshSettings.of(Map.of(), "inventory");
    assertThat(defaults.registrationInbound()).isEqualTo(InboundMode.APPLICATION);
    assertThat(defaults.registrationInboundOverlap()).isEqualTo(InboundRegistration.DEFAULT_OVERLAP);
  }
}
