package io.meshsdk.core.internal.migration;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.migration.GuardFigures;
import io.meshsdk.core.migration.GuardResult;
import io.meshsdk.core.migration.GuardResult.Verdict;
import io.meshsdk.core.migration.MigrationPlan;
import io.meshsdk.core.migration.PlanEvidence;
import io.meshsdk.core.migration.PlanState;
import io.meshsdk.core.migration.PlanStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * One service's run of a {@link MigrationPlan}. Not thread-safe: the engine calls it under its lock.
 *
 * <p>At each evaluation, while {@link PlanState#isActive() active}:
 *
 * <ul>
 *   <li>the route is first aligned to the current step (after a start or a resume);
 *   <li>at direct before the first step, the first step starts at once (after a rollback: once the cool-down is
 *       over);
 *   <li>a tripped guard rolls back one step (from the first step: to direct) and the plan HOLDS there for the
 *       cool-down; one trip more than {@code max-retries} and it FAILS (rolled back, stopped);
 *   <li>when every guard held (or is off) on enough calls and the step has dwelt its time (and any cool-down is
 *       over), the next step starts; after the last step the plan is DONE.
 * </ul>
 *
 * <p>A window counts calls from the first whole second after the step began, so a step never judges calls made at
 * another share (no rollback cascade on the figures that caused the first, no advance on an earlier step's).
 */
public final class PlanRun {

  /** What the engine must do: move the route (or, with equal shares, only record the entry). */
  public record Move(int fromPercent, int toPercent, String reason, PlanEvidence evidence) {}

  private final String service;
  private final MigrationPlan plan;
  private PlanState state = PlanState.RUNNING;
  private int step;
  private long stepSinceNanos;
  private long holdUntilNanos;
  private int rollbacks;
  private int expectedPercent;
  private boolean aligned;
  private String detail = "started";
  private @Nullable GuardFigures figures;
  private List<GuardResult> guards = List.of();
  private boolean hasBaseline;
  private long baseCalls;
  private long baseErrors;
  private long baseP99;
  private long lastEvaluatedNanos;

  /** A run that starts from {@code currentPercent} now: aligned to the highest step not above it. */
  public PlanRun(String service, MigrationPlan plan, int currentPercent, long now) {
    this.service = requireNonNull(service, "service");
    this.plan = requireNonNull(plan, "plan");
    restartAt(currentPercent, now);
    this.lastEvaluatedNanos = now;
  }

  /** The service. */
  public String service() {
    return service;
  }

  /** The plan. */
  public MigrationPlan plan() {
    return plan;
  }

  /** {@code plan:<name>}: the {@code by} of the route changes this run makes. */
  public String by() {
    return "plan:" + plan.name();
  }

  /** The state. */
  public PlanState state() {
    return state;
  }

  /** The current step: 0-based, -1 for direct before the first. */
  public int step() {
    return step;
  }

  /** When the guards were last evaluated (ticker nanos). */
  public long lastEvaluatedNanos() {
    return lastEvaluatedNanos;
  }

  /** Ticker nanos since which the current step's calls count. */
  public long stepSinceNanos() {
    return stepSinceNanos;
  }

  /** The share this run set last (or found at its start or resume). */
  public int expectedPercent() {
    return expectedPercent;
  }

  private void restartAt(int currentPercent, long now) {
    step = -1;
    List<Integer> steps = plan.steps();
    for (int i = 0; i < steps.size(); i++) {
      if (steps.get(i) <= currentPercent) {
        step = i;
      }
    }
    expectedPercent = currentPercent;
    aligned = percent(step) == currentPercent;
    stepSinceNanos = now;
  }

  private int percent(int index) {
    return index < 0 ? 0 : plan.steps().get(index);
  }

  /**
   * Evaluates the guards on {@code sums} (the service's window, read by the engine since {@link #stepSinceNanos()},
   * at most the plan's window) with the route at {@code currentPercent}.
   *
   * @return the move to make (and record), or {@code null} for none
   */
  public @Nullable Move evaluate(long now, Instant wallNow, WindowSums sums, int currentPercent) {
    if (!state.isActive()) {
      return null;
    }
    lastEvaluatedNanos = now;
    if (currentPercent != expectedPercent) { // config applied with other route keys, or a route set under the hood
      return pause(now, "route changed outside the plan: " + mode(expectedPercent) + " -> " + mode(currentPercent),
          currentPercent);
    }
    if (!aligned) {
      int to = percent(step);
      aligned = true;
      return move(now, currentPercent, to, "plan " + plan.name() + " aligned the route to its " + label(step),
          "", List.of(), null);
    }
    if (step < 0) {
      if (state == PlanState.HOLDING && now < holdUntilNanos) {
        detail = "holding direct after a rollback; retrying " + label(0) + " in " + secs(holdUntilNanos - now);
        return null;
      }
      String why = state == PlanState.HOLDING
          ? "cool-down over: retrying " + label(0) + " (retry " + rollbacks + " of " + plan.maxRetries() + ")"
          : "plan " + plan.name() + " started: " + label(0);
      step = 0;
      state = PlanState.RUNNING;
      return move(now, currentPercent, percent(0), why, "", List.of(), null);
    }
    GuardFigures f = figures(now, wallNow, sums);
    List<GuardResult> results = new ArrayList<>(2);
    results.add(errorRate(f));
    results.add(p99(f));
    this.figures = f;
    this.guards = List.copyOf(results);
    GuardResult tripped = null;
    boolean allHeld = true;
    for (GuardResult r : results) {
      if (r.verdict() == Verdict.TRIPPED && tripped == null) {
        tripped = r;
      }
      allHeld &= r.verdict() == Verdict.HELD || r.verdict() == Verdict.OFF;
    }
    if (tripped != null) {
      return rollback(now, currentPercent, tripped, f);
    }
    long dwelt = now - stepSinceNanos;
    long dwell = plan.dwell(step).toNanos();
    if (!allHeld) {
      detail = "waiting for enough calls: " + undecided(results);
      return null;
    }
    if (dwelt < dwell) {
      detail = "guards hold; " + label(step) + " dwells " + secs(dwell - dwelt) + " more";
      return null;
    }
    if (state == PlanState.HOLDING && now < holdUntilNanos) {
      detail = "guards hold; cool-down after rollback " + rollbacks + " ends in " + secs(holdUntilNanos - now);
      return null;
    }
    String held = "guards held over " + f.windowSeconds() + " s (" + summary(results) + ") after " + secs(dwelt)
        + " at " + label(step);
    if (step == plan.steps().size() - 1) {
      state = PlanState.DONE;
      return move(now, currentPercent, currentPercent, "done: " + held, "", results, f);
    }
    step++;
    state = PlanState.RUNNING;
    return move(now, currentPercent, percent(step), held + "; advancing to " + label(step), "", results, f);
  }

  private Move rollback(long now, int currentPercent, GuardResult tripped, GuardFigures f) {
    rollbacks++;
    step--;
    String where = step < 0 ? "direct" : label(step);
    String next;
    if (rollbacks > plan.maxRetries()) {
      state = PlanState.FAILED;
      next = "rollback " + rollbacks + ": more than max-retries=" + plan.maxRetries() + ", plan FAILED at " + where
          + " (resumePlan starts it over)";
    } else {
      state = PlanState.HOLDING;
      holdUntilNanos = now + plan.coolDown().toNanos();
      next = "rollback " + rollbacks + " (retries left " + (plan.maxRetries() - rollbacks + 1) + "): holding "
          + where + ", retry after the cool-down (" + secs(plan.coolDown().toNanos()) + ")";
    }
    String reason = "guard " + tripped.guard() + " tripped: " + tripped.detail() + "; " + next;
    return move(now, currentPercent, percent(step), reason, tripped.guard(), guards, f);
  }

  private Move move(long now, int from, int to, String reason, String guard, List<GuardResult> results,
      @Nullable GuardFigures f) {
    expectedPercent = to;
    if (from != to || state == PlanState.RUNNING || state == PlanState.HOLDING) {
      stepSinceNanos = now;
    }
    detail = reason;
    return new Move(from, to, reason, new PlanEvidence(plan.name(), state, step, guard, results, f));
  }

  /** Pauses an active run; the returned entry records it ({@code null} when the run was not active). */
  public @Nullable Move pause(long now, String why, int currentPercent) {
    if (!state.isActive()) {
      return null;
    }
    state = PlanState.PAUSED;
    expectedPercent = currentPercent;
    detail = "paused: " + why;
    return new Move(currentPercent, currentPercent, "plan " + plan.name() + " paused: " + why,
        new PlanEvidence(plan.name(), state, step, "", List.of(), null));
  }

  /**
   * Resumes a paused run (keeping any cool-down), or starts a failed or aborted one over (rollbacks reset), from
   * the highest step not above {@code currentPercent}; the step's dwell starts again.
   *
   * @return the entry that records it, or {@code null} when the run was running, holding or done
   */
  public @Nullable Move resume(long now, int currentPercent, String why) {
    if (state.isActive() || state == PlanState.DONE) {
      return null;
    }
    boolean over = state != PlanState.PAUSED;
    if (over) {
      rollbacks = 0;
      holdUntilNanos = 0;
    }
    state = holdUntilNanos > now ? PlanState.HOLDING : PlanState.RUNNING;
    restartAt(currentPercent, now);
    String reason = "plan " + plan.name() + (over ? " started over" : " resumed") + " at " + label(step)
        + (why.isEmpty() ? "" : ": " + why);
    detail = reason;
    return new Move(currentPercent, currentPercent, reason,
        new PlanEvidence(plan.name(), state, step, "", List.of(), null));
  }

  /** Stops the run for good; the route stays. {@code null} when it was already over. */
  public @Nullable Move abort(long now, String why, int currentPercent) {
    if (state == PlanState.DONE || state == PlanState.ABORTED) {
      return null;
    }
    state = PlanState.ABORTED;
    detail = "aborted: " + why;
    return new Move(currentPercent, currentPercent, "plan " + plan.name() + " aborted: " + why,
        new PlanEvidence(plan.name(), state, step, "", List.of(), null));
  }

  /** The run now. */
  public PlanStatus status(long now) {
    return new PlanStatus(service, plan.name(), state, step, plan.steps(), expectedPercent,
        Duration.ofNanos(Math.max(0, now - stepSinceNanos)), rollbacks, detail, figures, guards);
  }

  private GuardFigures figures(long now, Instant wallNow, WindowSums s) {
    MigrationPlan.ErrorRateGuard e = plan.errorRate();
    MigrationPlan.LatencyGuard l = plan.p99();
    int minDirect = Math.max(e == null ? 0 : e.minCalls(), l == null ? 0 : l.minCalls());
    boolean fromBaseline = false;
    if (s.directCalls >= Math.max(1, minDirect)) {
      hasBaseline = true;
      baseCalls = s.directCalls;
      baseErrors = s.directErrors;
      baseP99 = s.directP99Micros;
    } else if (hasBaseline) {
      fromBaseline = true;
    }
    long dCalls = fromBaseline ? baseCalls : s.directCalls;
    long dErrors = fromBaseline ? baseErrors : s.directErrors;
    long dP99 = fromBaseline ? baseP99 : s.directP99Micros;
    return new GuardFigures(wallNow.minusNanos(now - s.fromNanos), wallNow, s.seconds, s.sidecarCalls,
        s.sidecarErrors, s.sidecarP99Micros, dCalls, dErrors, dP99, fromBaseline);
  }

  private GuardResult errorRate(GuardFigures f) {
    MigrationPlan.ErrorRateGuard g = plan.errorRate();
    if (g == null) {
      return new GuardResult(GuardResult.ERROR_RATE, Verdict.OFF, 0, 0, "off");
    }
    if (f.sidecarCalls() < g.minCalls()) {
      return new GuardResult(GuardResult.ERROR_RATE, Verdict.UNDECIDED, 0, 0,
          f.sidecarCalls() + " of " + g.minCalls() + " sidecar calls in " + f.windowSeconds() + " s");
    }
    boolean base = hasBaseline;
    double direct = base ? 100.0 * f.directErrorRate() : 0;
    double threshold = direct + g.maxIncreasePoints();
    double observed = 100.0 * f.sidecarErrorRate();
    boolean over = exceeds(observed, threshold);
    String text = String.format(Locale.ROOT, "sidecar %.2f%% (%d errors of %d calls) %s %.2f%% (direct %.2f%%%s"
        + " + %s pp) over %d s", observed, f.sidecarErrors(), f.sidecarCalls(), over ? ">" : "<=",
        threshold, direct, base ? " of " + f.directCalls() + " calls" + (f.directFromBaseline() ? ", baseline" : "")
            : ", no direct baseline yet: against 0", fmt(g.maxIncreasePoints()), f.windowSeconds());
    return new GuardResult(GuardResult.ERROR_RATE, over ? Verdict.TRIPPED : Verdict.HELD, observed, threshold,
        text);
  }

  private GuardResult p99(GuardFigures f) {
    MigrationPlan.LatencyGuard g = plan.p99();
    if (g == null) {
      return new GuardResult(GuardResult.P99, Verdict.OFF, 0, 0, "off");
    }
    if (f.sidecarCalls() < g.minCalls()) {
      return new GuardResult(GuardResult.P99, Verdict.UNDECIDED, 0, 0,
          f.sidecarCalls() + " of " + g.minCalls() + " sidecar calls in " + f.windowSeconds() + " s");
    }
    if (!hasBaseline) {
      return new GuardResult(GuardResult.P99, Verdict.UNDECIDED, 0, 0,
          "no direct p99 baseline yet (" + f.directCalls() + " direct calls)");
    }
    long direct = f.directP99Micros();
    double threshold =
        Math.max(g.maxRatio() * (double) direct, (double) direct + g.minIncrease().toNanos() / 1000.0);
    long observed = f.sidecarP99Micros();
    boolean over = exceeds((double) observed, threshold);
    String text = String.format(Locale.ROOT, "sidecar p99 %d us (%d calls) %s %.0f us (direct p99 %d us%s x %s,"
        + " at least +%d us) over %d s", observed, f.sidecarCalls(), over ? ">" : "<=", threshold,
        direct, f.directFromBaseline() ? " baseline" : "", fmt(g.maxRatio()), g.minIncrease().toNanos() / 1000,
        f.windowSeconds());
    return new GuardResult(GuardResult.P99, over ? Verdict.TRIPPED : Verdict.HELD, observed, threshold, text);
  }

  /**
   * Whether a guard's figure is above its threshold, a figure exactly at it holding: both are computed in doubles
   * (7 % as {@code 100.0 * 14 / 200} is 7.000000000000001; 1.15 × 100,000 µs is 114,999.99999999999), so a
   * difference within rounding (a billionth, relative) is no difference.
   */
  static boolean exceeds(double observed, double threshold) {
    return observed - threshold > 1e-9 * Math.max(1.0, Math.abs(threshold));
  }

  private static String undecided(List<GuardResult> results) {
    StringBuilder sb = new StringBuilder();
    for (GuardResult r : results) {
      if (r.verdict() == Verdict.UNDECIDED) {
        sb.append(sb.length() == 0 ? "" : "; ").append(r.guard()).append(": ").append(r.detail());
      }
    }
    return sb.toString();
  }

  private static String summary(List<GuardResult> results) {
    StringBuilder sb = new StringBuilder();
    for (GuardResult r : results) {
      sb.append(sb.length() == 0 ? "" : "; ").append(r.guard()).append(' ')
          .append(r.verdict() == Verdict.OFF ? "off" : r.detail());
    }
    return sb.toString();
  }

  private String label(int index) {
    return index < 0 ? "direct" : "step " + (index + 1) + "/" + plan.steps().size() + " (" + mode(percent(index))
        + ")";
  }

  private static String mode(int percent) {
    return percent == 0 ? "direct" : percent == 100 ? "sidecar" : "split:" + percent;
  }

  private static String secs(long nanos) {
    return nanos % 1_000_000_000L == 0 || nanos >= 10_000_000_000L ? nanos / 1_000_000_000L + " s"
        : String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  @Override
  public String toString() {
    return service + " " + by() + " " + state + " " + label(step);
  }
}
