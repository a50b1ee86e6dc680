package io.meshsdk.core.migration;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * A service's migration plan at work, now.
 *
 * @param service the service
 * @param plan the plan's name
 * @param state where the plan stands
 * @param step the current step: 0-based index into {@code steps}, -1 for direct before the first step
 * @param steps the plan's steps, sidecar shares in %
 * @param sidecarPercent the share the plan has set (the route in force, unless changed outside the plan)
 * @param timeInStep how long the current step has lasted
 * @param rollbacks rollbacks so far in this run of the plan
 * @param detail what the plan waits for, or why it stopped, in words
 * @param figures the last evaluation's figures, or {@code null} before the first
 * @param guards the last evaluation's findings (empty before the first)
 */
public record PlanStatus(String service, String plan, PlanState state, int step, List<Integer> steps,
    int sidecarPercent, Duration timeInStep, int rollbacks, String detail, @Nullable GuardFigures figures,
    List<GuardResult> guards) {

  /** Validates and copies. */
  public PlanStatus {
    requireNonNull(service, "service");
    requireNonNull(plan, "plan");
    requireNonNull(state, "state");
    steps = List.copyOf(steps);
    requireNonNull(timeInStep, "timeInStep");
    requireNonNull(detail, "detail");
    guards = List.copyOf(guards);
  }

  /** {@code step 2/3 (50%)}, or {@code step 0/3 (direct)} before the first step. */
  public String stepLabel() {
    return "step " + (step + 1) + "/" + steps.size() + " (" + (step < 0 ? "direct" : steps.get(step) + "%") + ")";
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "plan %s %s %s for %d s, %d rollback(s): %s", plan, state, stepLabel(),
        timeInStep.toSeconds(), rollbacks, detail);
  }
}
