package io.meshsdk.core.snapshot;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.resilience.BreakerState;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A service's circuit breaker now.
 *
 * @param state its state
 * @param since when it entered that state (as far as the mesh saw), or {@code null}
 * @param nextTrial when an open breaker lets a trial call through, or {@code null} when it is not open
 * @param failureRatePercent failure rate over its window, or -1 before it has enough calls
 */
public record BreakerSnapshot(BreakerState state, @Nullable Instant since, @Nullable Instant nextTrial,
    float failureRatePercent) {

  /** Checks the components. */
  public BreakerSnapshot {
    requireNonNull(state, "state");
  }
}
