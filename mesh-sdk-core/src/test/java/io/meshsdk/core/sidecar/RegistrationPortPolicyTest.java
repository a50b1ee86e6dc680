package io.meshsdk.core.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.registration.ServiceRegistration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegistrationPortPolicyTest {

  private final ServiceRegistration app = new ServiceRegistration("inventory", "10.0.0.7", 8080, Map.of("version", "v2"));

  @Test
  void aMigratedServiceAdvertisesTheSidecarInboundPortAndSaysSo() {
    SidecarConfig sidecar = SidecarConfig.builder().address("127.0.0.1:15001").inboundPort(15006).build();
    RegistrationPortPolicy policy = RegistrationPortPolicy.of(sidecar, true);
    ServiceRegistration advertised = policy.apply(app);
    assertThat(policy.viaSidecar()).isTrue();
    assertThat(advertised.port()).isEqualTo(15006);
    assertThat(advertised.host()).isEqualTo("10.0.0.7");
    assertThat(advertised.labels()).containsEntry("version", "v2")
        .containsEntry(RegistrationPortPolicy.INBOUND_LABEL, "sidecar")
        .containsEntry(RegistrationPortPolicy.APP_PORT_LABEL, "8080");
  }

  @Test
  void aServiceNotMigratedAdvertisesItsOwnPort() {
    SidecarConfig sidecar = SidecarConfig.builder().address("127.0.0.1:15001").inboundPort(15006).build();
    assertThat(RegistrationPortPolicy.of(sidecar, false).apply(app)).isSameAs(app);
    assertThat(RegistrationPortPolicy.of(null, false).apply(app)).isSameAs(app);
    assertThat(RegistrationPortPolicy.applicationPort().viaSidecar()).isFalse();
  }

  @Test
  void migratingWithoutAnInboundPortIsAConfigError() {
    assertThatThrownBy(() -> RegistrationPortPolicy.of(SidecarConfig.of("127.0.0.1", 15001), true))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("sidecar.inbound-port: 0 (expected: ");
    assertThatThrownBy(() -> RegistrationPortPolicy.of(null, true)).isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> RegistrationPortPolicy.sidecarInbound(0)).isInstanceOf(ConfigException.class);
  }

  @Test
  void registrationsAreValidatedValues() {
    assertThatThrownBy(() -> ServiceRegistration.of("inventory", "h", 0)).hasMessage("port: 0 (expected: 1-65535)");
    assertThatThrownBy(() -> ServiceRegistration.of(" ", "h", 1)).hasMessageStartingWith("service: ");
    assertThat(app.withPort(9090).port()).isEqualTo(9090);
    assertThat(app.toString()).isEqualTo("inventory@10.0.0.7:8080 {version=v2}");
  }
}
