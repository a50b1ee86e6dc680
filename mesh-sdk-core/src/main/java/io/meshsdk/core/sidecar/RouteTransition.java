package io.meshsdk.core.sidecar;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.migration.PlanEvidence;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One change of a service's route mode, for the audit trail: who or what changed it, when, from what to what,
 * and why. The mesh keeps the last {@value #KEPT_PER_SERVICE} per migrating service, in memory.
 *
 * @param service the service
 * @param at when the change took effect
 * @param by who or what made it: {@value #BY_API} ({@code Mesh.route} and the plan controls of {@code Mesh}),
 *     {@value #BY_CONFIG} (a new config), {@code plan:<name>} (a migration plan)
 * @param from the mode before
 * @param to the mode after (equal to {@code from} for an entry that records a plan's state change only: paused,
 *     resumed, done, failed, aborted)
 * @param reason a free-text reason ("" when none was given); a plan's entries name the guard and its figures
 * @param evidence a plan's structured figures (guard, observed values, thresholds, window, call counts), or
 *     {@code null} for a change not made by or about a plan
 */
public record RouteTransition(String service, Instant at, String by, RouteMode from, RouteMode to, String reason,
    @Nullable PlanEvidence evidence) {

  /** How many transitions are kept per service. */
  public static final int KEPT_PER_SERVICE = 32;
  /** {@link #by()} of a change made through {@code Mesh.route(service, mode)}. */
  public static final String BY_API = "api";
  /** {@link #by()} of a change made by applying a new config. */
  public static final String BY_CONFIG = "config";
  /** {@link #by()} prefix of a change made by a migration plan: {@code plan:<name>}. */
  public static final String BY_PLAN_PREFIX = "plan:";

  /** Validates. */
  public RouteTransition {
    requireNonNull(service, "service");
    requireNonNull(at, "at");
    requireNonNull(by, "by");
    requireNonNull(from, "from");
    requireNonNull(to, "to");
    requireNonNull(reason, "reason");
  }

  /** A change without plan evidence. */
  public RouteTransition(String service, Instant at, String by, RouteMode from, RouteMode to, String reason) {
    this(service, at, by, from, to, reason, null);
  }

  @Override
  public String toString() {
    return at + " " + service + " " + (from.equals(to) ? "stays " + to : from + " -> " + to) + " by " + by
        + (reason.isEmpty() ? "" : " (" + reason + ")");
  }
}
