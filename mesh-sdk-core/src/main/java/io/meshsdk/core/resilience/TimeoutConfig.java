package io.meshsdk.core.resilience;

import io.meshsdk.core.common.ConfigValues;
import java.time.Duration;

/**
 * Timeouts of a service. Keys under {@code timeout.}: {@code per-attempt}, {@code call}. Both are off (0) by
 * default, in which case OkHttp's own connect/read/write timeouts apply to each attempt and a deadline comes
 * only from an inbound request (see {@link Deadlines}).
 *
 * @param perAttempt connect, read and write timeout of each attempt (0 = the client's own)
 * @param call the overall deadline of a logical call, retries included (0 = none)
 */
public record TimeoutConfig(Duration perAttempt, Duration call) {

  private static final TimeoutConfig DEFAULTS = new TimeoutConfig(Duration.ZERO, Duration.ZERO);

  /** Validates every component. */
  public TimeoutConfig {
    ConfigValues.requireNonNegative("timeout.per-attempt", java.util.Objects.requireNonNull(perAttempt, "perAttempt"));
    ConfigValues.requireNonNegative("timeout.call", java.util.Objects.requireNonNull(call, "call"));
  }

  /** Both off. */
  public static TimeoutConfig ofDefaults() {
    return DEFAULTS;
  }

  /** Applies property {@code key} (relative to {@code timeout.}) to {@code base}; null if the key is unknown. */
  static @org.jspecify.annotations.Nullable TimeoutConfig set(TimeoutConfig base, String key, String value) {
    String k = "timeout." + key;
    return switch (key) {
      case "per-attempt" -> new TimeoutConfig(ConfigValues.parseDuration(k, value), base.call);
      case "call" -> new TimeoutConfig(base.perAttempt, ConfigValues.parseDuration(k, value));
      default -> null;
    };
  }
}
