package io.meshsdk.core.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class EndpointTest {

  @Test
  void defaultsAndCopies() {
    Endpoint e = Endpoint.of("inventory", "10.0.0.1", 8080);
    assertThat(e.id()).isEqualTo("10.0.0.1:8080");
    assertThat(e.weight()).isEqualTo(1);
    assertThat(e.zone()).isEmpty();
    assertThat(e.withWeight(3).weight()).isEqualTo(3);
    assertThat(e.withZone("z").zone()).isEqualTo("z");
    assertThat(e.withLabels(Map.of("version", "v2")).label("version")).isEqualTo("v2");
    assertThat(Endpoint.builder("s", "::1", 80).build().authority()).isEqualTo("[::1]:80");
  }

  @Test
  void invalidValuesNameTheComponentAndTheRange() {
    assertThatThrownBy(() -> Endpoint.of("s", "h", 0)).hasMessage("port: 0 (expected: 1-65535)");
    assertThatThrownBy(() -> Endpoint.of("s", " ", 80)).hasMessageStartingWith("host: \" \"");
    assertThatThrownBy(() -> Endpoint.builder("s", "h", 80).weight(0).build())
        .hasMessage("weight: 0 (expected: 1-1000000)");
    assertThatThrownBy(() -> Endpoint.of(null, "h", 80)).isInstanceOf(NullPointerException.class).hasMessage("service");
  }

  @Test
  void stateTracksInFlightFailuresAndPeakEwma() {
    EndpointState s = new EndpointState(Endpoint.of("s", "127.0.0.1", 80), 0);
    assertThat(s.baseUrl().toString()).isEqualTo("http://127.0.0.1/");
    s.attemptStarted();
    s.attemptStarted();
    assertThat(s.inFlight()).isEqualTo(2);
    s.attemptEnded(10_000_000, 1_000, false);
    assertThat(s.ewmaNanos()).isEqualTo(10_000_000);
    s.attemptEnded(50_000_000, 2_000, true); // peak: a slower sample replaces the average at once
    assertThat(s.ewmaNanos()).isEqualTo(50_000_000);
    assertThat(s.inFlight()).isZero();
    assertThat(s.failures()).isEqualTo(1);
    assertThat(s.consecutiveFailures()).isEqualTo(1);
    s.attemptStarted();
    s.attemptEnded(1_000_000, 2_000 + EndpointState.EWMA_DECAY_NANOS, false); // decays towards fast samples
    assertThat(s.ewmaNanos()).isBetween(1_000_000.0, 50_000_000.0 * 0.5);
    assertThat(s.consecutiveFailures()).isZero();
  }
}
