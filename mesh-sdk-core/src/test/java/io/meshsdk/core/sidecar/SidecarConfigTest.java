package io.meshsdk.core.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshsdk.core.common.ConfigException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SidecarConfigTest {

  @Test
  void readsEveryKeyFromProperties() {
    SidecarConfig c = SidecarConfig.fromProperties(Map.of(
        "mesh.sidecar.address", "127.0.0.1:15001",
        "mesh.sidecar.style", "http-proxy",
        "mesh.sidecar.host-suffix", ".shop.svc.cluster.local",
        "mesh.sidecar.ready-url", "http://127.0.0.1:15021/healthz/ready",
        "mesh.sidecar.probe-interval", "250ms",
        "mesh.sidecar.probe-timeout", "100ms",
        "mesh.sidecar.probe-failures", "3",
        "mesh.sidecar.marker-header", "X-Path",
        "mesh.sidecar.inbound-port", "15006",
        "mesh.services.inventory.route.mode", "sidecar"));
    assertThat(c.host()).isEqualTo("127.0.0.1");
    assertThat(c.port()).isEqualTo(15001);
    assertThat(c.style()).isEqualTo(HandoffStyle.HTTP_PROXY);
    assertThat(c.hostSuffix()).isEqualTo(".shop.svc.cluster.local");
    assertThat(c.readyUrl().toString()).isEqualTo("http://127.0.0.1:15021/healthz/ready");
    assertThat(c.probeInterval()).isEqualTo(Duration.ofMillis(250));
    assertThat(c.probeTimeout()).isEqualTo(Duration.ofMillis(100));
    assertThat(c.markerHeader()).isEqualTo("x-path");
    assertThat(c.probeFailures()).isEqualTo(3);
    assertThat(c.inboundPort()).isEqualTo(15006);
    assertThat(SidecarConfig.fromProperties(Map.of("mesh.domain", ".mesh"))).isNull();
  }

  @Test
  void defaultsAreHostHeaderAndReadyOnTheListener() {
    SidecarConfig c = SidecarConfig.of("127.0.0.1", 15001);
    assertThat(c.style()).isEqualTo(HandoffStyle.HOST_HEADER);
    assertThat(c.readyUrl().toString()).isEqualTo("http://127.0.0.1:15001/ready");
    assertThat(c.markerHeader()).isEqualTo("x-mesh-route");
    assertThat(c.probeInterval()).isEqualTo(SidecarConfig.DEFAULT_PROBE_INTERVAL);
    assertThat(c.probeFailures()).isEqualTo(2);
    assertThat(c).isEqualTo(SidecarConfig.builder().address("127.0.0.1:15001").build());
  }

  @Test
  void badValuesNameTheFullKey() {
    assertThatThrownBy(() -> SidecarConfig.fromProperties(Map.of("mesh.sidecar.address", "localhost")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("mesh.sidecar.address: \"localhost\" (expected: host:port, e.g. 127.0.0.1:15001)");
    assertThatThrownBy(() -> SidecarConfig.fromProperties(Map.of("mesh.sidecar.address", "h:1", "mesh.sidecar.style", "grpc")))
        .hasMessage("mesh.sidecar.style: \"grpc\" (expected: host-header or http-proxy)");
    assertThatThrownBy(() -> SidecarConfig.fromProperties(Map.of("mesh.sidecar.address", "h:70000")))
        .hasMessageStartingWith("mesh.sidecar.address: \"h:70000\"");
    assertThatThrownBy(() -> SidecarConfig.fromProperties(Map.of("mesh.sidecar.address", "h:1", "mesh.sidecar.probe-interval", "0s")))
        .hasMessageStartingWith("mesh.sidecar.probe-interval: ");
    assertThatThrownBy(() -> SidecarConfig.fromProperties(Map.of("mesh.sidecar.address", "h:1", "mesh.sidecar.host-suffix", "svc")))
        .hasMessageStartingWith("mesh.sidecar.host-suffix: \"svc\"");
    assertThatThrownBy(() -> SidecarConfig.fromProperties(Map.of("mesh.sidecar.address", "h:1", "mesh.sidecar.probe-failures", "0")))
        .hasMessageStartingWith("mesh.sidecar.probe-failures: ")
        .hasMessageEndingWith("(expected: 1-100)");
    assertThatThrownBy(() -> SidecarConfig.fromProperties(Map.of("mesh.sidecar.style", "http-proxy")))
        .hasMessageStartingWith("mesh.sidecar.address: ");
    assertThatThrownBy(() -> SidecarConfig.fromProperties(Map.of("mesh.sidecar.adress", "h:1")))
        .hasMessageStartingWith("mesh.sidecar.adress: \"h:1\"");
  }

  @Test
  void readinessKindAndWarnIntervalBindAndValidate() {
    SidecarConfig c = SidecarConfig.fromProperties(Map.of("mesh.sidecar.address", "127.0.0.1:15001",
        "mesh.sidecar.readiness", "TCP", "mesh.sidecar.not-ready-warn-interval", "5s"));
    assertThat(c.readiness()).isEqualTo(ReadinessProbe.TCP);
    assertThat(c.notReadyWarnInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.toString()).contains("ready=tcp");
    assertThat(SidecarConfig.of("127.0.0.1", 15001).readiness()).isEqualTo(ReadinessProbe.HTTP);
    assertThat(SidecarConfig.of("127.0.0.1", 15001).notReadyWarnInterval())
        .isEqualTo(SidecarConfig.DEFAULT_NOT_READY_WARN_INTERVAL);
    assertThatThrownBy(() -> SidecarConfig.fromProperties(Map.of("mesh.sidecar.address", "h:1",
        "mesh.sidecar.readiness", "grpc")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("mesh.sidecar.readiness: \"grpc\" (expected: http");
    assertThatThrownBy(() -> SidecarConfig.fromProperties(Map.of("mesh.sidecar.address", "h:1",
        "mesh.sidecar.not-ready-warn-interval", "0s")))
        .hasMessageStartingWith("mesh.sidecar.not-ready-warn-interval: ");
  }

  @Test
  void toBuilderCopiesEverythingAndTheDefaultReadyUrlFollowsANewAddress() {
    SidecarConfig c = SidecarConfig.builder().address("127.0.0.1:15001").style(HandoffStyle.HTTP_PROXY)
        .hostSuffix(".svc").probeFailures(3).readiness(ReadinessProbe.TCP).build();
    assertThat(c.toBuilder().build()).isEqualTo(c);
    SidecarConfig moved = c.toBuilder().address("127.0.0.1:15002").build();
    assertThat(moved.readyUrl().toString()).isEqualTo("http://127.0.0.1:15002/ready");
    assertThat(moved.style()).isEqualTo(HandoffStyle.HTTP_PROXY);
    assertThat(moved.address()).isEqualTo("127.0.0.1:15002");
    SidecarConfig explicit = c.toBuilder().readyUrl("http://127.0.0.1:9/ready").build();
    assertThat(explicit.toBuilder().address("127.0.0.1:15003").build().readyUrl().toString())
        .isEqualTo("http://127.0.0.1:9/ready");
  }
}
