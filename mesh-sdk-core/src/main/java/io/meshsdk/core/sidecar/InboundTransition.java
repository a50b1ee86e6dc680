package io.meshsdk.core.sidecar;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * One flip of an instance's inbound registration, for the audit trail: who or what flipped it, when, from which
 * listener to which, and why. {@link InboundRegistration} keeps the last {@value #KEPT} in memory.
 *
 * @param service the registered service
 * @param at when the flip completed (the old entry withdrawn)
 * @param by who or what flipped it: {@value #BY_API} (code), {@value #BY_ACTUATOR} (the Spring actuator), or a
 *     name of the caller's choosing
 * @param from the mode before
 * @param to the mode after
 * @param fromAddress the address withdrawn, {@code host:port}
 * @param toAddress the address registered, {@code host:port}
 * @param tookMillis how long the flip took (registry acknowledgement plus the overlap)
 * @param reason a free-text reason ("" when none was given)
 */
public record InboundTransition(String service, Instant at, String by, InboundMode from, InboundMode to,
    String fromAddress, String toAddress, long tookMillis, String reason) {

  /** How many flips an {@link InboundRegistration} keeps. */
  public static final int KEPT = RouteTransition.KEPT_PER_SERVICE;
  /** {@link #by()} of a flip made through the API without naming who. */
  public static final String BY_API = RouteTransition.BY_API;
  /** {@link #by()} of a flip made through the Spring actuator. */
  public static final String BY_ACTUATOR = "actuator";

  /** Validates. */
  public InboundTransition {
    requireNonNull(service, "service");
    requireNonNull(at, "at");
    requireNonNull(by, "by");
    requireNonNull(from, "from");
    requireNonNull(to, "to");
    requireNonNull(fromAddress, "fromAddress");
    requireNonNull(toAddress, "toAddress");
    requireNonNull(reason, "reason");
  }

  @Override
  public String toString() {
    return at + " " + service + " inbound " + from + " (" + fromAddress + ") -> " + to + " (" + toAddress + ") by "
        + by + " in " + tookMillis + " ms" + (reason.isEmpty() ? "" : " (" + reason + ")");
  }
}
