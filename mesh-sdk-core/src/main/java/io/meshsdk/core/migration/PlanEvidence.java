package io.meshsdk.core.migration;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Why a plan moved a route (or changed state): the structured part of an audit trail entry
 * ({@code RouteTransition.evidence()}).
 *
 * @param plan the plan's name
 * @param state the plan's state after the entry
 * @param step the plan step after the entry: 0-based index into the steps, -1 for direct before the first step
 * @param guard the guard that tripped ({@link GuardResult#ERROR_RATE}, {@link GuardResult#P99}), or "" when none did
 *     (an advance, a pause, an alignment)
 * @param guards every guard's finding at that evaluation (empty when none was evaluated)
 * @param figures the calls the guards looked at, or {@code null} when none were evaluated
 */
public record PlanEvidence(String plan, PlanState state, int step, String guard, List<GuardResult> guards,
    @Nullable GuardFigures figures) {

  /** Validates and copies. */
  public PlanEvidence {
    requireNonNull(plan, "plan");
    requireNonNull(state, "state");
    requireNonNull(guard, "guard");
    guards = List.copyOf(guards);
  }

  /** The finding of {@code guard}, or {@code null} when it was not evaluated. */
  public @Nullable GuardResult result(String guard) {
    for (GuardResult r : guards) {
      if (r.guard().equals(guard)) {
        return r;
      }
    }
    return null;
  }
}
