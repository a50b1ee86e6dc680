package io.meshsdk.core.resilience;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.common.ConfigValues;
import java.time.Duration;

/**
 * Per-endpoint outlier ejection and panic mode (slow start is a balancing setting: {@code lb.slow-start-window}). Keys under {@code outlier.}: {@code enabled},
 * {@code consecutive-failures}, {@code failure-rate-threshold}, {@code failure-rate-minimum-calls},
 * {@code failure-rate-window}, {@code base-ejection-time}, {@code max-ejection-time},
 * {@code max-ejected-percent}, {@code panic-threshold}, {@code interval}.
 *
 * @param enabled whether passive ejection is on
 * @param consecutiveFailures eject after this many failures in a row (0 = off)
 * @param failureRateThreshold eject when this share (1-100 %) of an endpoint's attempts in a window fail
 * @param failureRateMinimumCalls attempts an endpoint needs in a window for its failure rate to count
 * @param failureRateWindow the window over which failure rates are measured
 * @param baseEjectionTime an ejection lasts {@code base × times ejected}
 * @param maxEjectionTime ... capped at this
 * @param maxEjectedPercent never eject more than this share (1-100 %) of the endpoints passively
 * @param panicThreshold when fewer than this share (0-100 %) of endpoints is healthy, balance over all of them
 * @param interval how often ejections are re-checked (restoration happens within one interval)
 */
public record OutlierConfig(
    boolean enabled,
    int consecutiveFailures,
    int failureRateThreshold,
    int failureRateMinimumCalls,
    Duration failureRateWindow,
    Duration baseEjectionTime,
    Duration maxEjectionTime,
    int maxEjectedPercent,
    int panicThreshold,
    Duration interval) {

  /** 5 failures in a row. */
  public static final int DEFAULT_CONSECUTIVE_FAILURES = 5;
  /** 50 % of an endpoint's attempts in a window. */
  public static final int DEFAULT_FAILURE_RATE_THRESHOLD = 50;
  /** 20 attempts. */
  public static final int DEFAULT_FAILURE_RATE_MINIMUM_CALLS = 20;
  /** 10 s. */
  public static final Duration DEFAULT_FAILURE_RATE_WINDOW = Duration.ofSeconds(10);
  /** 30 s (as Envoy). */
  public static final Duration DEFAULT_BASE_EJECTION_TIME = Duration.ofSeconds(30);
  /** 300 s (as Envoy). */
  public static final Duration DEFAULT_MAX_EJECTION_TIME = Duration.ofMinutes(5);
  /** 50 %. */
  public static final int DEFAULT_MAX_EJECTED_PERCENT = 50;
  /** 50 % (as Envoy's healthy panic threshold). */
  public static final int DEFAULT_PANIC_THRESHOLD = 50;
  /** 1 s. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);

  private static final OutlierConfig DEFAULTS = builder().build();

  /** Validates every component. */
  public OutlierConfig {
    ConfigValues.requireNonNegative("outlier.consecutive-failures", consecutiveFailures);
    ConfigValues.requirePercent("outlier.failure-rate-threshold", failureRateThreshold);
    ConfigValues.requirePositive("outlier.failure-rate-minimum-calls", failureRateMinimumCalls);
    ConfigValues.requirePositive("outlier.failure-rate-window", requireNonNull(failureRateWindow, "failureRateWindow"));
    ConfigValues.requirePositive("outlier.base-ejection-time", requireNonNull(baseEjectionTime, "baseEjectionTime"));
    ConfigValues.requirePositive("outlier.max-ejection-time", requireNonNull(maxEjectionTime, "maxEjectionTime"));
    ConfigValues.requirePercent("outlier.max-ejected-percent", maxEjectedPercent);
    ConfigValues.requireRange("outlier.panic-threshold", panicThreshold, 0, 100);
    ConfigValues.requirePositive("outlier.interval", requireNonNull(interval, "interval"));
    if (maxEjectionTime.compareTo(baseEjectionTime) < 0) {
      throw new ConfigException("outlier.max-ejection-time", maxEjectionTime,
          ">= outlier.base-ejection-time (" + baseEjectionTime + ")");
    }
  }

  /** The defaults. */
  public static OutlierConfig ofDefaults() {
    return DEFAULTS;
  }

  /** A builder from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder from {@code base}. */
  public static Builder from(OutlierConfig base) {
    Builder b = new Builder();
    b.enabled = base.enabled;
    b.consecutiveFailures = base.consecutiveFailures;
    b.failureRateThreshold = base.failureRateThreshold;
    b.failureRateMinimumCalls = base.failureRateMinimumCalls;
    b.failureRateWindow = base.failureRateWindow;
    b.baseEjectionTime = base.baseEjectionTime;
    b.maxEjectionTime = base.maxEjectionTime;
    b.maxEjectedPercent = base.maxEjectedPercent;
    b.panicThreshold = base.panicThreshold;
    b.interval = base.interval;
    return b;
  }

  /** Builds an {@link OutlierConfig}; every setter validates. */
  public static final class Builder {
    private boolean enabled = true;
    private int consecutiveFailures = DEFAULT_CONSECUTIVE_FAILURES;
    private int failureRateThreshold = DEFAULT_FAILURE_RATE_THRESHOLD;
    private int failureRateMinimumCalls = DEFAULT_FAILURE_RATE_MINIMUM_CALLS;
    private Duration failureRateWindow = DEFAULT_FAILURE_RATE_WINDOW;
    private Duration baseEjectionTime = DEFAULT_BASE_EJECTION_TIME;
    private Duration maxEjectionTime = DEFAULT_MAX_EJECTION_TIME;
    private int maxEjectedPercent = DEFAULT_MAX_EJECTED_PERCENT;
    private int panicThreshold = DEFAULT_PANIC_THRESHOLD;
    private Duration interval = DEFAULT_INTERVAL;

    private Builder() {}

    /** Turns passive ejection on or off. */
    public Builder enabled(boolean enabled) {
      this.enabled = enabled;
      return this;
    }

    /** Failures in a row that eject an endpoint; 0 turns this trigger off. */
    public Builder consecutiveFailures(int n) {
      this.consecutiveFailures = ConfigValues.requireNonNegative("outlier.consecutive-failures", n);
      return this;
    }

    /** Failure share in a window that ejects, 1-100. */
    public Builder failureRateThreshold(int percent) {
      this.failureRateThreshold = ConfigValues.requirePercent("outlier.failure-rate-threshold", percent);
      return this;
    }

    /** Attempts needed in a window for the failure rate to count, > 0. */
    public Builder failureRateMinimumCalls(int n) {
      this.failureRateMinimumCalls = ConfigValues.requirePositive("outlier.failure-rate-minimum-calls", n);
      return this;
    }

    /** The failure-rate window. */
    public Builder failureRateWindow(Duration d) {
      this.failureRateWindow = ConfigValues.requirePositive("outlier.failure-rate-window", requireNonNull(d, "d"));
      return this;
    }

    /** Base ejection time. */
    public Builder baseEjectionTime(Duration d) {
      this.baseEjectionTime = ConfigValues.requirePositive("outlier.base-ejection-time", requireNonNull(d, "d"));
      return this;
    }

    /** Cap of the ejection time. */
    public Builder maxEjectionTime(Duration d) {
      this.maxEjectionTime = ConfigValues.requirePositive("outlier.max-ejection-time", requireNonNull(d, "d"));
      return this;
    }

    /** Largest share of endpoints ejected passively, 1-100. */
    public Builder maxEjectedPercent(int percent) {
      this.maxEjectedPercent = ConfigValues.requirePercent("outlier.max-ejected-percent", percent);
      return this;
    }

    /** Healthy share under which the balancer uses every endpoint, 0-100 (0 = never panic). */
    public Builder panicThreshold(int percent) {
      this.panicThreshold = ConfigValues.requireRange("outlier.panic-threshold", percent, 0, 100);
      return this;
    }

    /** How often ejections are re-checked. */
    public Builder interval(Duration d) {
      this.interval = ConfigValues.requirePositive("outlier.interval", requireNonNull(d, "d"));
      return this;
    }

    /** Sets a property relative to {@code outlier.}; false if the key is unknown. */
    public boolean set(String key, String value) {
      String k = "outlier." + key;
      switch (key) {
        case "enabled" -> enabled(ConfigValues.parseBoolean(k, value));
        case "consecutive-failures" -> consecutiveFailures(ConfigValues.parseInt(k, value));
        case "failure-rate-threshold" -> failureRateThreshold(ConfigValues.parseInt(k, value));
        case "failure-rate-minimum-calls" -> failureRateMinimumCalls(ConfigValues.parseInt(k, value));
        case "failure-rate-window" -> failureRateWindow(ConfigValues.parseDuration(k, value));
        case "base-ejection-time" -> baseEjectionTime(ConfigValues.parseDuration(k, value));
        case "max-ejection-time" -> maxEjectionTime(ConfigValues.parseDuration(k, value));
        case "max-ejected-percent" -> maxEjectedPercent(ConfigValues.parseInt(k, value));
        case "panic-threshold" -> panicThreshold(ConfigValues.parseInt(k, value));
        case "interval" -> interval(ConfigValues.parseDuration(k, value));
        default -> {
          return false;
        }
      }
      return true;
    }

    /** Builds and cross-checks the config. */
    public OutlierConfig build() {
      return new OutlierConfig(enabled, consecutiveFailures, failureRateThreshold, failureRateMinimumCalls,
          failureRateWindow, baseEjectionTime, maxEjectionTime, maxEjectedPercent, panicThreshold, interval);
    }
  }
}
