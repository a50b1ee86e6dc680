package io.meshsdk.core.sidecar;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * One change of a service's route mode, for the audit trail: who or what changed it, when, from what to what,
 * and why. The mesh keeps the last {@value #KEPT_PER_SERVICE} per migrating service, in memory.
 *
 * @param service the service
 * @param at when the change took effect
 * @param by who or what made it: {@value #BY_API} ({@code Mesh.route}), {@value #BY_CONFIG} (a new config)
 * @param from the mode before
 * @param to the mode after
 * @param reason a free-text reason ("" when none was given)
 */
public record RouteTransition(String service, Instant at, String by, RouteMode from, RouteMode to, String reason) {

  /** How many transitions are kept per service. */
  public static final int KEPT_PER_SERVICE = 32;
  /** {@link #by()} of a change made through {@code Mesh.route(service, mode)}. */
  public static final String BY_API = "api";
  /** {@link #by()} of a change made by applying a new config. */
  public static final String BY_CONFIG = "config";

  /** Validates. */
  public RouteTransition {
    requireNonNull(service, "service");
    requireNonNull(at, "at");
    requireNonNull(by, "by");
    requireNonNull(from, "from");
    requireNonNull(to, "to");
    requireNonNull(reason, "reason");
  }

  @Override
  public String toString() {
    return at + " " + service + " " + from + " -> " + to + " by " + by + (reason.isEmpty() ? "" : " (" + reason + ")");
  }
}
