package io.meshsdk.core.internal.migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.migration.GuardResult;
import io.meshsdk.core.migration.GuardResult.Verdict;
import io.meshsdk.core.migration.MigrationPlan;
import io.meshsdk.core.migration.PlanState;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A guard's figure exactly at its threshold holds: the guards trip on "more than", not on rounding. */
class PlanGuardThresholdTest {

  private static final long S = 1_000_000_000L;
  private static final Instant WALL = Instant.parse("2026-12-02T10:00:00Z");

  private static PlanRun startedAtFirstStep(MigrationPlan plan, long now) {
    PlanRun run = new PlanRun("orders", plan, 0, now);
    WindowSums none = new WindowSums();
    none.clear(now);
    PlanRun.Move first = run.evaluate(now, WALL, none, 0);
    assertThat(first).isNotNull();
    assertThat(first.toPercent()).isEqualTo(10);
    return run;
  }

  private static MigrationPlan plan(double maxIncreasePoints, double maxRatio, Duration minIncrease) {
    return MigrationPlan.builder("canary").steps(10, 50, 100).dwell(Duration.ofSeconds(10))
        .window(Duration.ofSeconds(5)).errorRateGuard(maxIncreasePoints, 100).p99Guard(maxRatio, minIncrease, 100)
        .coolDown(Duration.ofSeconds(30)).maxRetries(2).build();
  }

  /**
   * Window figures: direct calls, errors, p99 (us), then sidecar calls, errors, p99 (us).
   */
  private static WindowSums window(long now, long... f) {
    WindowSums w = new WindowSums();
    w.set(5, now - 5 * S, f[0], f[1], f[2], f[3], f[4], f[5]);
    return w;
  }

  /** Guard {@code guard} holds on the figures {@code at} its threshold, and not on {@code over} it. */
  private static void holdsAtItsThresholdAndNotOverIt(MigrationPlan plan, int guard, long[] at, long[] over) {
    long now = 1_000 * S;
    PlanRun run = startedAtFirstStep(plan, now);
    now += 5 * S;
    run.evaluate(now, WALL, window(now, at), 10);
    GuardResult atThreshold = run.status(now).guards().get(guard);
    assertThat(atThreshold.verdict()).as(atThreshold.detail()).isEqualTo(Verdict.HELD);
    assertThat(run.state()).isEqualTo(PlanState.RUNNING);
    run.evaluate(now, WALL, window(now, over), 10);
    assertThat(run.status(now).guards().get(guard).verdict()).isNotEqualTo(Verdict.HELD);
  }

  @Test
  void anErrorRateExactlyAtItsThresholdHoldsAndOneErrorMoreTrips() {
    // direct 60 of 1000 = 6 %, sidecar 14 of 200 = 7 % (7.000000000000001 in doubles): direct + 1 point exactly;
    // then 15 of 200 = 7.5 %
    holdsAtItsThresholdAndNotOverIt(plan(1.0, 2.0, Duration.ofMillis(5)), 0,
        new long[] {1000, 60, 10_000, 200, 14, 10_000}, new long[] {1000, 60, 10_000, 200, 15, 10_000});
  }

  @Test
  void aP99ExactlyAtItsRatioHoldsAndOneMicrosecondMoreTrips() {
    // sidecar p99 115 ms = exactly 1.15 x the direct p99 of 100 ms (114,999.99999999999 in doubles); then +1 us
    holdsAtItsThresholdAndNotOverIt(plan(1.0, 1.15, Duration.ZERO), 1,
        new long[] {1000, 0, 100_000, 200, 0, 115_000}, new long[] {1000, 0, 100_000, 200, 0, 115_001});
  }
}
