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

  @Test
  void anErrorRateExactlyAtItsThresholdHoldsAndOneErrorMoreTrips() {
    long now = 1_000 * S;
    PlanRun run = startedAtFirstStep(plan(1.0, 2.0, Duration.ofMillis(5)), now);
    now += 5 * S;
    // direct 60 of 1000 = 6 %, sidecar 14 of 200 = 7 % (7.000000000000001 in doubles): direct + 1 point exactly
    WindowSums w = new WindowSums();
    w.set(5, now - 5 * S, 1000, 60, 10_000, 200, 14, 10_000);
    run.evaluate(now, WALL, w, 10);
    GuardResult errorRate = run.status(now).guards().get(0);
    assertThat(errorRate.verdict()).as(errorRate.detail()).isEqualTo(Verdict.HELD);
    assertThat(run.state()).isEqualTo(PlanState.RUNNING);

    w.set(5, now - 5 * S, 1000, 60, 10_000, 200, 15, 10_000); // 7.5 %: over
    run.evaluate(now, WALL, w, 10);
    assertThat(run.status(now).guards().get(0).verdict()).isNotEqualTo(Verdict.HELD);
  }

  @Test
  void aP99ExactlyAtItsRatioHoldsAndOneMicrosecondMoreTrips() {
    long now = 1_000 * S;
    PlanRun run = startedAtFirstStep(plan(1.0, 1.15, Duration.ZERO), now);
    now += 5 * S;
    // sidecar p99 115 ms = exactly 1.15 x the direct p99 of 100 ms (114,999.99999999999 in doubles)
    WindowSums w = new WindowSums();
    w.set(5, now - 5 * S, 1000, 0, 100_000, 200, 0, 115_000);
    run.evaluate(now, WALL, w, 10);
    GuardResult p99 = run.status(now).guards().get(1);
    assertThat(p99.verdict()).as(p99.detail()).isEqualTo(Verdict.HELD);
    assertThat(run.state()).isEqualTo(PlanState.RUNNING);

    w.set(5, now - 5 * S, 1000, 0, 100_000, 200, 0, 115_001);
    run.evaluate(now, WALL, w, 10);
    assertThat(run.status(now).guards().get(1).verdict()).isNotEqualTo(Verdict.HELD);
  }
}
