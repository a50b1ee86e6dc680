package io.meshsdk.core.migration;

/** Where a service's migration plan stands. */
public enum PlanState {
  /** Stepping: the current step advances once it has dwelt its time with every guard holding. */
  RUNNING,
  /** Stopped by an operator ({@code pausePlan}) or by a route change made outside the plan; resumable. */
  PAUSED,
  /**
   * Rolled back one step after a guard tripped: holds the lower step (its guards still watched) until the
   * cool-down is over, then retries the failed step.
   */
  HOLDING,
  /** The last step dwelt its time with every guard holding: the plan is over, the route stays. */
  DONE,
  /** A guard tripped once more than the plan's retries allow: rolled back and stopped; needs an operator. */
  FAILED,
  /** Stopped for good by an operator ({@code abortPlan}); the route stays where it was. */
  ABORTED;

  /** Whether the plan still evaluates its guards and moves the route ({@link #RUNNING} or {@link #HOLDING}). */
  public boolean isActive() {
    return this == RUNNING || this == HOLDING;
  }
}
