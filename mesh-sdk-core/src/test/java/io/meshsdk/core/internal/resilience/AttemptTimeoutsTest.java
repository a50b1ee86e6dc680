package io.meshsdk.core.internal.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AttemptTimeoutsTest {

  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  @Test
  void aConfiguredPerAttemptTimeoutIsUsedCappedByTheTimeLeft() {
    AttemptTimeouts t = new AttemptTimeouts(200 * MS);
    assertThat(t.forAttempt(Long.MAX_VALUE, 3)).isEqualTo(200 * MS);
    assertThat(t.forAttempt(50 * MS, 3)).isEqualTo(50 * MS);
  }

  @Test
  void withoutDeadlineOrConfigTheClientsOwnTimeoutsApply() {
    assertThat(new AttemptTimeouts(0).forAttempt(Long.MAX_VALUE, 3)).isZero();
  }

  @Test
  void withADeadlineEachAttemptGetsItsShareUntilLatencyIsKnown() {
    AttemptTimeouts t = new AttemptTimeouts(0);
    assertThat(t.forAttempt(900 * MS, 3)).isEqualTo(300 * MS);
    assertThat(t.forAttempt(600 * MS, 2)).isEqualTo(300 * MS);
    assertThat(t.forAttempt(300 * MS, 1)).as("the last attempt gets all that is left").isEqualTo(300 * MS);
  }

  @Test
  void aServiceWhoseNormalCallsAreSlowGetsFourTimesItsP99() {
    AttemptTimeouts t = new AttemptTimeouts(0);
    for (int i = 0; i < AttemptTimeouts.RECOMPUTE_EVERY; i++) {
      t.record(400 * MS);
    }
    long p99 = t.p99Nanos();
    assertThat(p99).as("p99 of 400 ms samples (log-linear bins: within 25 %%)").isBetween(400 * MS, 500 * MS);
    assertThat(t.forAttempt(3_000 * MS, 3)).isEqualTo(4 * p99);
    assertThat(t.forAttempt(1_000 * MS, 3)).as("never beyond the deadline").isEqualTo(1_000 * MS);
  }

  @Test
  void theP99FollowsTheRecentPast() {
    AttemptTimeouts t = new AttemptTimeouts(0);
    for (int i = 0; i < AttemptTimeouts.RECOMPUTE_EVERY; i++) {
      t.record(400 * MS);
    }
    for (int i = 0; i < 8 * AttemptTimeouts.RECOMPUTE_EVERY; i++) {
      t.record(2 * MS);
    }
    assertThat(t.p99Nanos()).isLessThan(5 * MS);
  }

  @Test
  void everyValueFallsInABinWhoseUpperBoundHoldsIt() {
    for (long micros = 0; micros < 5_000_000; micros = micros < 100 ? micros + 1 : micros * 11 / 10) {
      int bin = AttemptTimeouts.bin(micros);
      assertThat(AttemptTimeouts.binHigh(bin)).as("bin %d of %d µs", bin, micros).isGreaterThanOrEqualTo(micros);
      if (bin > 0) {
        assertThat(AttemptTimeouts.binHigh(bin - 1)).as("bin below %d µs", micros).isLessThan(micros);
      }
    }
  }
}
