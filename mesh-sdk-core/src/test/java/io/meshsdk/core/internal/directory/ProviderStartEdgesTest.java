package io.meshsdk.core.internal.directory;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.endpoint.EndpointExclusion;
import io.meshsdk.core.endpoint.EndpointState;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Provider start times at the edges: the epoch, the far future, an older restart, one id twice in a push. */
class ProviderStartEdgesTest {

  private static final long WINDOW = 10_000_000_000L;
  private final AtomicLong ticker = new AtomicLong(-4_000_000_000_000_000_000L); // System.nanoTime may be negative
  private final AtomicLong wall = new AtomicLong(1_800_000_000_000L);
  private final ServiceDirectory directory =
      new ServiceDirectory(StaticServiceDiscovery.create(), ticker::get, null, wall::get);

  private static Endpoint at(String startTime) {
    return Endpoint.builder("inventory", "127.0.0.1", 8080).label(Endpoint.START_TIME_LABEL, startTime).build();
  }

  private double factor(ServiceDirectory.Entry e) {
    return e.snapshot().get(0).slowStartFactor(ticker.get(), WINDOW);
  }

  @Test
  void startTimesAtTheEpochOrEighteenDigitsInTheFutureNeitherOverflowNorFreezeTheRamp() {
    ServiceDirectory.Entry e = directory.watch("inventory");
    e.onEndpoints(List.of(at("0")));
    assertThat(factor(e)).as("served since 1970").isEqualTo(1.0);
    ServiceDirectory.Entry f = directory.watch("pricing");
    f.onEndpoints(List.of(Endpoint.builder("pricing", "127.0.0.1", 8080)
        .label(Endpoint.START_TIME_LABEL, "999999999999999999").build()));
    assertThat(factor(f)).isEqualTo(EndpointState.SLOW_START_MIN_FACTOR);
    ticker.addAndGet(WINDOW);
    assertThat(factor(f)).as("a start in the far future counts as now and ramps").isEqualTo(1.0);
  }

  @Test
  void aRegistrationWithAnOlderStartTimeIsNotARestart() {
    ServiceDirectory.Entry e = directory.watch("inventory");
    e.onEndpoints(List.of(at(Long.toString(wall.get() - 1_000))));
    TrackedEndpoint before = (TrackedEndpoint) e.snapshot().get(0);
    before.eject(new EndpointExclusion(EndpointExclusion.Reason.CONSECUTIVE_FAILURES, "5 failures",
        ticker.get(), ticker.get() + 30_000_000_000L));
    e.onEndpoints(List.of(at(Long.toString(wall.get() - 3_600_000)))); // a stale registration of an older process
    assertThat(e.snapshot().get(0).isEjected()).isTrue();
  }

  @Test
  void oneIdTwiceInAPushKeepsTheFirstAndItsStartTime() {
    ServiceDirectory.Entry e = directory.watch("inventory");
    e.onEndpoints(List.of(at(Long.toString(wall.get() - 60_000)), at(Long.toString(wall.get()))));
    assertThat(e.snapshot().size()).isEqualTo(1);
    assertThat(factor(e)).isEqualTo(1.0);
  }
}
