package io.meshsdk.core.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Regression tests for "InboundGuard per-caller limits are bypassed" (limit: 1 request per hour per caller):
 *
 * <ul>
 *   <li>{@link #respellingTheCallerNameDoesNotGetFreshPermits}: {@code Orders} and {@code " orders "} get new
 *       permits after {@code orders} used its own.
 *   <li>{@link #rotatingCallerNamesIsBoundedByTheTrackedCallers}: 10,000 made-up caller names each get a permit
 *       although only 100 callers are tracked.
 *   <li>{@link #floodingWithOtherNamesDoesNotResetAnExhaustedCaller}: 20,000 other names evict the exhausted
 *       caller's limiter, and it is admitted again.
 * </ul>
 */
class InboundGuardCallerBoundsTest {

  private static final InboundGuardConfig ONE_PER_HOUR =
      InboundGuardConfig.ofDefaults().withPerCallerRateLimit(1, Duration.ofHours(1));

  /** Asks once as {@code caller}; returns the status (0 = admitted) and closes the admission. */
  private static int ask(InboundGuard guard, String caller) {
    try (InboundGuard.Admission a = guard.admit(InboundRequests.from(caller, null))) {
      return a.status();
    }
  }

  @Test
  void respellingTheCallerNameDoesNotGetFreshPermits() {
    InboundGuard guard = InboundGuard.create(ONE_PER_HOUR);
    assertThat(ask(guard, "orders")).as("first request of 'orders'").isZero();
    assertThat(ask(guard, "orders")).as("second request of 'orders'").isEqualTo(429);

    assertThat(ask(guard, "Orders")).as("'Orders' after 'orders' used its permit").isEqualTo(429);
    assertThat(ask(guard, " orders ")).as("' orders ' after 'orders' used its permit").isEqualTo(429);
  }

  @Test
  void rotatingCallerNamesIsBoundedByTheTrackedCallers() {
    int maxTracked = 100;
    InboundGuard guard = InboundGuard.create(new InboundGuardConfig(
        InboundGuardConfig.DEFAULT_CALLER_HEADER, 1, Duration.ofHours(1), 0, 0, Duration.ofSeconds(1), maxTracked,
        java.util.List.of(), false));
    int admitted = 0;
    for (int i = 0; i < 10_000; i++) {
      if (ask(guard, "caller-" + i) == 0) {
        admitted++;
      }
    }
    // 1 permit per hour for each of the 100 tracked callers, plus at most a few for all untracked ones together
    assertThat(admitted)
        .as("requests admitted within one hour from 10,000 distinct caller names (max-tracked-callers %d, "
            + "1 permit per hour each)", maxTracked)
        .isLessThanOrEqualTo(maxTracked + 10);
  }

  @Test
  void floodingWithOtherNamesDoesNotResetAnExhaustedCaller() {
    InboundGuard guard = InboundGuard.create(ONE_PER_HOUR);
    assertThat(ask(guard, "victim")).as("first request of 'victim' (uses its one permit of the hour)").isZero();

    for (int i = 0; i < 20_000; i++) {
      ask(guard, "flood-" + i);
    }

    assertThat(ask(guard, "victim"))
        .as("'victim' within the hour, after 20,000 other caller names asked once each")
        .isEqualTo(429);
  }

  @Test
  void namesThatCannotBeACallerCountAsAnonymousAndShareItsLimit() {
    String tooLong = "c".repeat(InboundGuard.MAX_CALLER_LENGTH + 1);
    assertThat(InboundGuard.callerName(null)).isEqualTo(InboundGuard.ANONYMOUS);
    assertThat(InboundGuard.callerName("  ")).isEqualTo(InboundGuard.ANONYMOUS);
    assertThat(InboundGuard.callerName(tooLong)).isEqualTo(InboundGuard.ANONYMOUS);
    assertThat(InboundGuard.callerName("orders\r\nx-evil: 1")).isEqualTo(InboundGuard.ANONYMOUS);
    assertThat(InboundGuard.callerName("c".repeat(InboundGuard.MAX_CALLER_LENGTH))).hasSize(128);
    assertThat(InboundGuard.callerName("spiffe://prod/ns/shop/sa/orders")).isEqualTo("spiffe://prod/ns/shop/sa/orders");

    InboundGuard guard = InboundGuard.create(ONE_PER_HOUR);
    assertThat(ask(guard, tooLong)).as("first 8 KB-style name: the anonymous permit").isZero();
    assertThat(ask(guard, "d".repeat(8_192))).as("another over-long name: the same anonymous limiter").isEqualTo(429);
    assertThat(ask(guard, "bad\tname")).isEqualTo(429);
  }
}
