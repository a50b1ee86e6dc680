package io.meshsdk.core.resilience;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.ConfigValues;
import java.time.Duration;

/**
 * Outbound rate limit of a service (a resilience4j {@code RateLimiter}), off by default. Setting
 * {@code permits} turns it on. Keys under {@code rate-limit.}: {@code enabled}, {@code permits},
 * {@code period}, {@code max-wait}.
 *
 * @param enabled whether calls are limited
 * @param permits calls allowed per period, > 0
 * @param period the refresh period of the permits
 * @param maxWait how long a call may wait for a permit; 0 = fail at once (the default: no hidden queue)
 */
public record RateLimitConfig(boolean enabled, int permits, Duration period, Duration maxWait) {

  private static final RateLimitConfig DEFAULTS = builder().build();

  /** Validates every component. */
  public RateLimitConfig {
    ConfigValues.requirePositive("rate-limit.permits", permits);
    ConfigValues.requirePositive("rate-limit.period", requireNonNull(period, "period"));
    ConfigValues.requireNonNegative("rate-limit.max-wait", requireNonNull(maxWait, "maxWait"));
  }

  /** Off; when on: 100 permits per 1 s, fail fast. */
  public static RateLimitConfig ofDefaults() {
    return DEFAULTS;
  }

  /** A builder from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder from {@code base}. */
  public static Builder from(RateLimitConfig base) {
    Builder b = new Builder();
    b.enabled = base.enabled;
    b.permits = base.permits;
    b.period = base.period;
    b.maxWait = base.maxWait;
    return b;
  }

  /** Builds a {@link RateLimitConfig}; every setter validates. */
  public static final class Builder {
    private boolean enabled;
    private int permits = 100;
    private Duration period = Duration.ofSeconds(1);
    private Duration maxWait = Duration.ZERO;

    private Builder() {}

    /** Turns the limiter on or off. */
    public Builder enabled(boolean enabled) {
      this.enabled = enabled;
      return this;
    }

    /** Permits per period, > 0; turns the limiter on. */
    public Builder permits(int permits) {
      this.permits = ConfigValues.requirePositive("rate-limit.permits", permits);
      this.enabled = true;
      return this;
    }

    /** The refresh period. */
    public Builder period(Duration d) {
      this.period = ConfigValues.requirePositive("rate-limit.period", requireNonNull(d, "d"));
      return this;
    }

    /** The longest wait for a permit (0 = fail fast). */
    public Builder maxWait(Duration d) {
      this.maxWait = ConfigValues.requireNonNegative("rate-limit.max-wait", requireNonNull(d, "d"));
      return this;
    }

    /** Sets a property relative to {@code rate-limit.}; false if the key is unknown. */
    public boolean set(String key, String value) {
      String k = "rate-limit." + key;
      switch (key) {
        case "enabled" -> enabled(ConfigValues.parseBoolean(k, value));
        case "permits" -> permits(ConfigValues.parseInt(k, value));
        case "period" -> period(ConfigValues.parseDuration(k, value));
        case "max-wait" -> maxWait(ConfigValues.parseDuration(k, value));
        default -> {
          return false;
        }
      }
      return true;
    }

    /** Builds the config. */
    public RateLimitConfig build() {
      return new RateLimitConfig(enabled, permits, period, maxWait);
    }
  }
}
