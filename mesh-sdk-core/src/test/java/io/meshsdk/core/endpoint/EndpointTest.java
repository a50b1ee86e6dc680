package io.meshsdk.core.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshsdk.core.internal.directory.TrackedEndpoint;
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
    assertThatThrownBy(() -> Endpoint.of("s", "a@b", 80)).hasMessageStartingWith("host: \"a@b\" (expected: a host");
    assertThatThrownBy(() -> Endpoint.of("s", "fe80::1%lo", 80)).hasMessageStartingWith("host: \"fe80::1%lo\"");
    assertThatThrownBy(() -> Endpoint.of("café", "h", 80)).hasMessageStartingWith("service: \"café\"");
    assertThat(Endpoint.of("Inventory", "Example.COM", 80).service()).isEqualTo("inventory");
    assertThat(Endpoint.of("s", "Example.COM", 80).id()).isEqualTo("example.com:80");
    assertThat(Endpoint.of("s", "[::1]", 80).host()).isEqualTo("::1");
    assertThatThrownBy(() -> Endpoint.builder("s", "h", 80).weight(0).build())
        .hasMessage("weight: 0 (expected: 1-1000000)");
    assertThatThrownBy(() -> Endpoint.of(null, "h", 80)).isInstanceOf(NullPointerException.class).hasMessage("service");
  }

  @Test
  void stateTracksInFlightFailuresAndALatencyEstimateThatForgivesASpike() {
    TrackedEndpoint s = new TrackedEndpoint(Endpoint.of("s", "127.0.0.1", 80), 0);
    assertThat(s.baseUrl().toString()).isEqualTo("http://127.0.0.1/");
    s.attemptStarted();
    s.attemptStarted();
    assertThat(s.inFlight()).isEqualTo(2);
    s.attemptEnded(10_000_000, 1_000, false);
    assertThat(s.ewmaNanos()).isEqualTo(10_000_000);
    s.attemptEnded(50_000_000, 2_000, true); // a slower sample moves the estimate halfway up at once
    assertThat(s.ewmaNanos()).isEqualTo(30_000_000);
    assertThat(s.inFlight()).isZero();
    assertThat(s.failures()).isEqualTo(1);
    assertThat(s.consecutiveFailures()).isEqualTo(1);
    assertThat(s.recentFailureRate()).isGreaterThan(0);
    s.attemptStarted();
    s.attemptEnded(5_000_000_000L, 3_000, false); // a 500x spike (a GC pause) raises it by at most 8x
    assertThat(s.ewmaNanos()).isLessThanOrEqualTo(30_000_000.0 * 4.5);
    double spiked = s.ewmaNanos();
    for (int i = 0; i < 64; i++) { // a few dozen normal samples bring it back near them
      s.attemptStarted();
      s.attemptEnded(10_000_000, 4_000 + i, false);
    }
    assertThat(s.ewmaNanos()).isLessThan(spiked / 5).isGreaterThan(10_000_000.0);
    assertThat(s.consecutiveFailures()).isZero();
    s.attemptStarted();
    s.attemptEnded(1_000_000, 4_000 + TrackedEndpoint.DECAY_NANOS * 10, false); // an old estimate gives way
    assertThat(s.ewmaNanos()).isLessThan(2_000_000);
  }
}
