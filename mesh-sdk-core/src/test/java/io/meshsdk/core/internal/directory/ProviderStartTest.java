package io.meshsdk.core.internal.directory;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.endpoint.EndpointExclusion;
import io.meshsdk.core.endpoint.EndpointState;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Slow start is keyed on the provider's start time (its registration label), not on when this caller saw it. */
class ProviderStartTest {

  private static final long WINDOW = 10_000_000_000L; // 10 s
  private final AtomicLong ticker = new AtomicLong(1_000_000_000_000L);
  private final AtomicLong wall = new AtomicLong(1_800_000_000_000L);
  private final StaticServiceDiscovery discovery = StaticServiceDiscovery.create();
  private final ServiceDirectory directory = new ServiceDirectory(discovery, ticker::get, null, wall::get);

  private Endpoint started(long millisAgo) {
    return Endpoint.builder("inventory", "127.0.0.1", 8080)
        .label(Endpoint.START_TIME_LABEL, Long.toString(wall.get() - millisAgo)).build();
  }

  private double factor(ServiceDirectory.Entry e) {
    return e.snapshot().get(0).slowStartFactor(ticker.get(), WINDOW);
  }

  @Test
  void aProviderThatHasServedForAWhileIsNotRampedBecauseThisCallerIsNew() {
    ServiceDirectory.Entry e = directory.watch("inventory");
    discovery.set("inventory", List.of(started(60_000)));
    assertThat(factor(e)).isEqualTo(1.0);
  }

  @Test
  void aProviderThatJustStartedIsRampedFromItsStart() {
    ServiceDirectory.Entry e = directory.watch("inventory");
    discovery.set("inventory", List.of(started(5_000)));
    assertThat(factor(e)).isCloseTo(0.5, org.assertj.core.data.Offset.offset(0.01));
  }

  @Test
  void aRestartAtTheSameAddressRampsAgainAndForgetsTheOldProcessesEjection() {
    ServiceDirectory.Entry e = directory.watch("inventory");
    discovery.set("inventory", List.of(started(60_000)));
    TrackedEndpoint before = (TrackedEndpoint) e.snapshot().get(0);
    before.eject(new EndpointExclusion(EndpointExclusion.Reason.CONSECUTIVE_FAILURES, "5 failures",
        ticker.get(), ticker.get() + 30_000_000_000L));
    ticker.addAndGet(2_000_000_000L);
    wall.addAndGet(2_000);
    discovery.set("inventory", List.of(started(0))); // same id (host:port), newer start time
    EndpointState after = e.snapshot().get(0);
    assertThat(after.isEjected()).isFalse();
    assertThat(after.slowStartFactor(ticker.get(), WINDOW)).isEqualTo(EndpointState.SLOW_START_MIN_FACTOR);
  }

  @Test
  void aLabelUpdateWithTheSameStartTimeKeepsStateAndRamp() {
    ServiceDirectory.Entry e = directory.watch("inventory");
    Endpoint first = started(60_000);
    discovery.set("inventory", List.of(first));
    TrackedEndpoint before = (TrackedEndpoint) e.snapshot().get(0);
    before.eject(new EndpointExclusion(EndpointExclusion.Reason.CONSECUTIVE_FAILURES, "5 failures",
        ticker.get(), ticker.get() + 30_000_000_000L));
    discovery.set("inventory", List.of(Endpoint.builder("inventory", "127.0.0.1", 8080)
        .labels(first.labels()).label("version", "v2").build()));
    assertThat(e.snapshot().get(0).isEjected()).isTrue();
  }

  @Test
  void aStartTimeAheadOfOurClockOrUnreadableCountsAsNow() {
    ServiceDirectory.Entry e = directory.watch("inventory");
    discovery.set("inventory", List.of(started(-3_600_000)));
    assertThat(factor(e)).isEqualTo(EndpointState.SLOW_START_MIN_FACTOR);
    for (String bad : List.of("", "soon", "-5", "99999999999999999999999", "1.5e12")) {
      Endpoint e2 = Endpoint.builder("inventory", "127.0.0.1", 8081).label(Endpoint.START_TIME_LABEL, bad).build();
      assertThat(e2.startTime()).as(bad).isNull();
    }
  }
}
