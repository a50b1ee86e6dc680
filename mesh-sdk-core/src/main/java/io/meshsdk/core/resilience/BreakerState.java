package io.meshsdk.core.resilience;

import java.util.Locale;

/** The state of a service's circuit breaker. */
public enum BreakerState {
  /** Calls flow; outcomes are counted. */
  CLOSED,
  /** Calls are refused until the open-state wait is over. */
  OPEN,
  /** A few trial calls decide between closing and opening again. */
  HALF_OPEN,
  /** Held open by an operator. */
  FORCED_OPEN,
  /** The breaker is off for this service. */
  DISABLED;

  private final String tag = name().toLowerCase(Locale.ROOT);

  /** Lower-case name for tags: {@code closed}, {@code open}, {@code half_open}... */
  public String tag() {
    return tag;
  }
}
