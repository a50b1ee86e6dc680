package io.meshsdk.core.internal.migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.migration.GuardResult;
import io.meshsdk.core.migration.GuardResult.Verdict;
import io.meshsdk.core.migration.MigrationPlan;
import io.meshsdk.core.migration.PlanState;
import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The plan state machine on synthetic windows and a hand-driven clock: advances only while every guard holds on
 * enough calls and the step has dwelt, rolls back one step on either guard, holds for the cool-down, fails after
 * max-retries, never flaps; pause, resume, abort, alignment.
 */
class PlanRunTest {

  private static final long S = 1_000_000_000L;
  private static final Instant WALL = Instant.parse("2026-12-02T10:00:00Z");

  private long now = 1_000 * S;
  private int percent;
  private PlanRun run;

  private static MigrationPlan plan(int maxRetries) {
    return MigrationPlan.builder("canary").steps(10, 50, 100).dwell(Duration.ofSeconds(10))
        .window(Duration.ofSeconds(5)).errorRateGuard(1.0, 100).p99Guard(2.0, Duration.ofMillis(5), 100)
        .coolDown(Duration.ofSeconds(30)).maxRetries(maxRetries).build();
  }

  private void start(MigrationPlan plan) {
    run = new PlanRun("orders", plan, percent, now);
  }

  /** Direct 1000 calls, 0.1 % errors, p99 10 ms; sidecar {@code sCalls} with {@code sErrors}, p99 {@code sP99}. */
  private static WindowSums window(long sCalls, long sErrors, long sP99Micros) {
    WindowSums w = new WindowSums();
    w.set(5, 0, 1000, 1, 10_000, sCalls, sErrors, sP99Micros);
    return w;
  }

  private static WindowSums healthy() {
    return window(500, 0, 12_000);
  }

  private PlanRun.@Nullable Move eval(WindowSums w) {
    w.fromNanos = now - w.seconds * S;
    PlanRun.Move m = run.evaluate(now, WALL, w, percent);
    if (m != null) {
      percent = m.toPercent(); // what the engine does
    }
    return m;
  }

  private void tick(long seconds) {
    now += seconds * S;
  }

  @Test
  void advancesWhileHealthyStepByStepThenDone() {
    start(plan(2));
    PlanRun.Move first = eval(healthy());
    assertThat(first).isNotNull();
    assertThat(percent).as("from direct the first step starts at once").isEqualTo(10);
    tick(5);
    assertThat(eval(healthy())).as("dwell not over").isNull();
    assertThat(run.status(now).detail()).contains("dwells 5 s more");
    tick(5);
    PlanRun.Move up = eval(healthy());
    assertThat(up).isNotNull();
    assertThat(percent).isEqualTo(50);
    assertThat(up.reason()).contains("guards held").contains("advancing to step 2/3 (split:50)");
    assertThat(up.evidence().guard()).isEmpty();
    assertThat(up.evidence().guards()).extracting(GuardResult::verdict).containsOnly(Verdict.HELD);
    tick(10);
    eval(healthy());
    assertThat(percent).isEqualTo(100);
    tick(10);
    PlanRun.Move done = eval(healthy());
    assertThat(done).isNotNull();
    assertThat(done.fromPercent()).isEqualTo(done.toPercent()).isEqualTo(100);
    assertThat(run.state()).isEqualTo(PlanState.DONE);
    tick(100);
    assertThat(eval(window(500, 500, 1_000_000))).as("a done plan moves nothing").isNull();
  }

  @Test
  void noAdvanceBelowTheMinimumCallsAndNoTripEither() {
    start(plan(2));
    eval(healthy());
    tick(60);
    assertThat(eval(window(99, 0, 12_000))).isNull();
    assertThat(eval(window(3, 3, 900_000))).as("3 failed calls decide nothing").isNull();
    assertThat(percent).isEqualTo(10);
    assertThat(run.status(now).guards()).extracting(GuardResult::verdict).containsOnly(Verdict.UNDECIDED);
    assertThat(run.status(now).detail()).contains("3 of 100 sidecar calls");
    assertThat(eval(window(100, 0, 12_000))).isNotNull();
    assertThat(percent).isEqualTo(50);
  }

  @Test
  void errorRateGuardRollsBackOneStepWithTheFigures() {
    start(plan(2));
    eval(healthy());
    tick(10);
    eval(healthy());
    assertThat(percent).isEqualTo(50);
    tick(1);
    PlanRun.Move back = eval(window(1000, 50, 12_000)); // 5 % vs 0.1 % + 1 pp
    assertThat(back).isNotNull();
    assertThat(percent).isEqualTo(10);
    assertThat(run.state()).isEqualTo(PlanState.HOLDING);
    assertThat(back.evidence().guard()).isEqualTo(GuardResult.ERROR_RATE);
    GuardResult r = back.evidence().result(GuardResult.ERROR_RATE);
    assertThat(r).isNotNull();
    assertThat(r.verdict()).isEqualTo(Verdict.TRIPPED);
    assertThat(r.observed()).isEqualTo(5.0);
    assertThat(r.threshold()).isCloseTo(1.1, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(back.evidence().figures()).isNotNull();
    assertThat(back.evidence().figures().sidecarErrors()).isEqualTo(50);
    assertThat(back.evidence().figures().windowSeconds()).isEqualTo(5);
    assertThat(back.reason()).contains("guard error-rate tripped").contains("5.00% (50 errors of 1000 calls)")
        .contains("rollback 1");
  }

  @Test
  void p99GuardRollsBackNeedingBothTheRatioAndTheMargin() {
    start(plan(2));
    eval(healthy());
    tick(10);
    eval(healthy());
    tick(1);
    assertThat(eval(window(1000, 0, 19_000))).as("1.9x: held").isNull();
    PlanRun.Move back = eval(window(1000, 0, 21_000));
    assertThat(back).isNotNull();
    assertThat(back.evidence().guard()).isEqualTo(GuardResult.P99);
    assertThat(percent).isEqualTo(10);
    // fast calls: 3x but under the 5 ms margin never trips
    PlanRun fast = new PlanRun("x", plan(2), 10, now);
    WindowSums w = new WindowSums();
    w.set(5, now - 5 * S, 1000, 0, 200, 1000, 0, 600);
    fast.evaluate(now, WALL, w, 10);
    assertThat(fast.status(now).guards()).extracting(GuardResult::verdict).containsOnly(Verdict.HELD);
  }

  @Test
  void fromTheFirstStepARollbackGoesDirectAndTheStepIsRetriedAfterTheCoolDown() {
    start(plan(2));
    eval(healthy());
    tick(1);
    PlanRun.Move back = eval(window(1000, 100, 12_000));
    assertThat(back).isNotNull();
    assertThat(percent).isZero();
    assertThat(run.status(now).step()).isEqualTo(-1);
    tick(29);
    assertThat(eval(healthy())).as("cool-down not over").isNull();
    tick(1);
    PlanRun.Move retry = eval(healthy());
    assertThat(retry).isNotNull();
    assertThat(retry.reason()).contains("cool-down over").contains("retry 1 of 2");
    assertThat(percent).isEqualTo(10);
  }

  @Test
  void noFlappingHoldsTheCoolDownThenFailsAfterMaxRetries() {
    start(plan(1));
    eval(healthy());
    tick(10);
    eval(healthy());
    assertThat(percent).isEqualTo(50);
    tick(1);
    eval(window(1000, 50, 12_000));
    assertThat(percent).isEqualTo(10);
    int moves = 0;
    for (int i = 0; i < 29; i++) { // healthy again at the lower step: dwell over after 10 s, cool-down after 30 s
      tick(1);
      if (eval(healthy()) != null) {
        moves++;
      }
    }
    assertThat(moves).as("no move during the cool-down").isZero();
    assertThat(run.state()).isEqualTo(PlanState.HOLDING);
    tick(1);
    eval(healthy());
    assertThat(percent).as("retried after the cool-down").isEqualTo(50);
    assertThat(run.state()).isEqualTo(PlanState.RUNNING);
    tick(1);
    PlanRun.Move fail = eval(window(1000, 50, 12_000));
    assertThat(fail).isNotNull();
    assertThat(run.state()).isEqualTo(PlanState.FAILED);
    assertThat(fail.evidence().state()).isEqualTo(PlanState.FAILED);
    assertThat(percent).as("rolled back, then stopped").isEqualTo(10);
    for (int i = 0; i < 100; i++) {
      tick(1);
      assertThat(eval(i % 2 == 0 ? healthy() : window(1000, 500, 12_000))).isNull();
    }
  }

  @Test
  void pauseResumeAbort() {
    start(plan(2));
    eval(healthy());
    PlanRun.Move paused = run.pause(now, "operator", percent);
    assertThat(paused).isNotNull();
    assertThat(run.state()).isEqualTo(PlanState.PAUSED);
    tick(60);
    assertThat(eval(healthy())).isNull();
    assertThat(run.pause(now, "again", percent)).isNull();
    percent = 50; // overridden while paused
    PlanRun.Move resumed = run.resume(now, percent, "");
    assertThat(resumed).isNotNull();
    assertThat(run.state()).isEqualTo(PlanState.RUNNING);
    assertThat(run.status(now).step()).as("aligned to the step at the route in force").isEqualTo(1);
    tick(9);
    assertThat(eval(healthy())).as("the dwell starts again at resume").isNull();
    assertThat(run.abort(now, "enough", percent)).isNotNull();
    assertThat(run.state()).isEqualTo(PlanState.ABORTED);
    tick(100);
    assertThat(eval(healthy())).isNull();
    assertThat(run.resume(now, percent, "")).isNotNull();
    assertThat(run.state()).isEqualTo(PlanState.RUNNING);
    assertThat(run.status(now).rollbacks()).isZero();
  }

  @Test
  void aRouteChangedOutsideThePlanPausesIt() {
    start(plan(2));
    eval(healthy());
    percent = 25;
    PlanRun.Move m = eval(healthy());
    assertThat(m).isNotNull();
    assertThat(m.reason()).contains("route changed outside the plan: split:10 -> split:25");
    assertThat(run.state()).isEqualTo(PlanState.PAUSED);
  }

  @Test
  void startingBetweenStepsAlignsDownToTheHighestStepNotAbove() {
    percent = 30;
    start(plan(2));
    PlanRun.Move m = eval(healthy());
    assertThat(m).isNotNull();
    assertThat(percent).isEqualTo(10);
    assertThat(m.reason()).contains("aligned");
  }

  @Test
  void atTheLastStepTheDirectFiguresComeFromTheRememberedBaseline() {
    start(plan(2));
    eval(healthy());
    tick(10);
    eval(healthy());
    tick(10);
    eval(healthy());
    assertThat(percent).isEqualTo(100);
    tick(1);
    WindowSums all = new WindowSums();
    all.set(5, 0, 3, 0, 0, 1000, 50, 12_000); // 3 direct calls only
    PlanRun.Move back = eval(all);
    assertThat(back).isNotNull();
    assertThat(back.evidence().figures()).isNotNull();
    assertThat(back.evidence().figures().directFromBaseline()).isTrue();
    assertThat(back.evidence().figures().directCalls()).isEqualTo(1000);
    assertThat(percent).isEqualTo(50);
  }
}
