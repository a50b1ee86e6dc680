package io.meshsdk.core.resilience;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.common.ConfigValues;
import java.time.Duration;

/**
 * The service circuit breaker: the mesh's own breaker over a count-based window of the last {@code windowSize}
 * logical calls, with resilience4j's semantics but no lock and no allocation per call (docs/adr/0014). A logical
 * call (after its retries) counts as failed when it ends in a 5xx, a connect error, a reset or a timeout. When
 * open for {@code openWait}, the next call moves it to half-open; once its {@code halfOpenCalls} trials have
 * ended it opens again if their failure or slow share reaches a threshold, else it closes with an empty window.
 * Keys under {@code breaker.}: {@code enabled}, {@code failure-rate-threshold}, {@code slow-call-rate-threshold},
 * {@code slow-call-duration}, {@code window-size}, {@code minimum-calls}, {@code open-wait},
 * {@code half-open-calls}.
 *
 * @param enabled whether the breaker is on (default {@value #DEFAULT_ENABLED})
 * @param failureRateThreshold open at this failure share of the window, 1-100 %
 * @param slowCallRateThreshold open at this share of slow calls, 1-100 % (100 = only when every call is slow)
 * @param slowCallDuration a call at least this long is slow
 * @param windowSize calls in the sliding window
 * @param minimumCalls calls needed in the window before the rates count
 * @param openWait how long the breaker stays open before letting trial calls through; also how long half-open
 *     state waits for a trial call that does not report before it opens again
 * @param halfOpenCalls trial calls in the half-open state, all of which must end before it decides
 */
public record BreakerConfig(
    boolean enabled,
    int failureRateThreshold,
    int slowCallRateThreshold,
    Duration slowCallDuration,
    int windowSize,
    int minimumCalls,
    Duration openWait,
    int halfOpenCalls) {

  /** On by default. */
  public static final boolean DEFAULT_ENABLED = true;
  /** 50 %. */
  public static final int DEFAULT_FAILURE_RATE_THRESHOLD = 50;
  /**
   * Upper bound of {@code breaker.window-size} and {@code breaker.half-open-calls}: the breaker keeps a one-byte
   * slot per call in its window (a new window each time it closes), so a larger value would be memory, not
   * resilience.
   */
  public static final int MAX_WINDOW_SIZE = 100_000;

  /** 100 %: slow calls open the breaker only when every call in the window is slow. */
  public static final int DEFAULT_SLOW_CALL_RATE_THRESHOLD = 100;
  /** 10 s. */
  public static final Duration DEFAULT_SLOW_CALL_DURATION = Duration.ofSeconds(10);
  /** 100 calls. */
  public static final int DEFAULT_WINDOW_SIZE = 100;
  /** 20 calls. */
  public static final int DEFAULT_MINIMUM_CALLS = 20;
  /** 10 s. */
  public static final Duration DEFAULT_OPEN_WAIT = Duration.ofSeconds(10);
  /** 5 trial calls. */
  public static final int DEFAULT_HALF_OPEN_CALLS = 5;

  private static final BreakerConfig DEFAULTS = builder().build();

  /** Validates every component. */
  public BreakerConfig {
    ConfigValues.requirePercent("breaker.failure-rate-threshold", failureRateThreshold);
    ConfigValues.requirePercent("breaker.slow-call-rate-threshold", slowCallRateThreshold);
    ConfigValues.requirePositive("breaker.slow-call-duration", requireNonNull(slowCallDuration, "slowCallDuration"));
    ConfigValues.requireRange("breaker.window-size", windowSize, 1, MAX_WINDOW_SIZE);
    ConfigValues.requirePositive("breaker.minimum-calls", minimumCalls);
    ConfigValues.requirePositive("breaker.open-wait", requireNonNull(openWait, "openWait"));
    ConfigValues.requireRange("breaker.half-open-calls", halfOpenCalls, 1, MAX_WINDOW_SIZE);
    if (minimumCalls > windowSize) {
      throw new ConfigException("breaker.minimum-calls", minimumCalls,
          "<= breaker.window-size (" + windowSize + "): the window never holds more calls than that");
    }
  }

  /** The defaults. */
  public static BreakerConfig ofDefaults() {
    return DEFAULTS;
  }

  /** A builder from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder from {@code base}. */
  public static Builder from(BreakerConfig base) {
    Builder b = new Builder();
    b.enabled = base.enabled;
    b.failureRateThreshold = base.failureRateThreshold;
    b.slowCallRateThreshold = base.slowCallRateThreshold;
    b.slowCallDuration = base.slowCallDuration;
    b.windowSize = base.windowSize;
    b.minimumCalls = base.minimumCalls;
    b.openWait = base.openWait;
    b.halfOpenCalls = base.halfOpenCalls;
    return b;
  }

  /** Builds a {@link BreakerConfig}; every setter validates. */
  public static final class Builder {
    private boolean enabled = DEFAULT_ENABLED;
    private int failureRateThreshold = DEFAULT_FAILURE_RATE_THRESHOLD;
    private int slowCallRateThreshold = DEFAULT_SLOW_CALL_RATE_THRESHOLD;
    private Duration slowCallDuration = DEFAULT_SLOW_CALL_DURATION;
    private int windowSize = DEFAULT_WINDOW_SIZE;
    private int minimumCalls = DEFAULT_MINIMUM_CALLS;
    private Duration openWait = DEFAULT_OPEN_WAIT;
    private int halfOpenCalls = DEFAULT_HALF_OPEN_CALLS;

    private Builder() {}

    /** Turns the breaker on or off. */
    public Builder enabled(boolean enabled) {
      this.enabled = enabled;
      return this;
    }

    /** Failure share that opens the breaker, 1-100. */
    public Builder failureRateThreshold(int percent) {
      this.failureRateThreshold = ConfigValues.requirePercent("breaker.failure-rate-threshold", percent);
      return this;
    }

    /** Slow-call share that opens the breaker, 1-100. */
    public Builder slowCallRateThreshold(int percent) {
      this.slowCallRateThreshold = ConfigValues.requirePercent("breaker.slow-call-rate-threshold", percent);
      return this;
    }

    /** A call at least this long is slow. */
    public Builder slowCallDuration(Duration d) {
      this.slowCallDuration = ConfigValues.requirePositive("breaker.slow-call-duration", requireNonNull(d, "d"));
      return this;
    }

    /** Calls in the sliding window, 1 to {@value #MAX_WINDOW_SIZE}. */
    public Builder windowSize(int calls) {
      this.windowSize = ConfigValues.requireRange("breaker.window-size", calls, 1, MAX_WINDOW_SIZE);
      return this;
    }

    /** Calls before rates count, > 0. */
    public Builder minimumCalls(int calls) {
      this.minimumCalls = ConfigValues.requirePositive("breaker.minimum-calls", calls);
      return this;
    }

    /** Time spent open before trial calls. */
    public Builder openWait(Duration d) {
      this.openWait = ConfigValues.requirePositive("breaker.open-wait", requireNonNull(d, "d"));
      return this;
    }

    /** Trial calls when half-open, 1 to {@value #MAX_WINDOW_SIZE}. */
    public Builder halfOpenCalls(int calls) {
      this.halfOpenCalls = ConfigValues.requireRange("breaker.half-open-calls", calls, 1, MAX_WINDOW_SIZE);
      return this;
    }

    /** Sets a property relative to {@code breaker.}; false if the key is unknown. */
    public boolean set(String key, String value) {
      String k = "breaker." + key;
      switch (key) {
        case "enabled" -> enabled(ConfigValues.parseBoolean(k, value));
        case "failure-rate-threshold" -> failureRateThreshold(ConfigValues.parseInt(k, value));
        case "slow-call-rate-threshold" -> slowCallRateThreshold(ConfigValues.parseInt(k, value));
        case "slow-call-duration" -> slowCallDuration(ConfigValues.parseDuration(k, value));
        case "window-size" -> windowSize(ConfigValues.parseInt(k, value));
        case "minimum-calls" -> minimumCalls(ConfigValues.parseInt(k, value));
        case "open-wait" -> openWait(ConfigValues.parseDuration(k, value));
        case "half-open-calls" -> halfOpenCalls(ConfigValues.parseInt(k, value));
        default -> {
          return false;
        }
      }
      return true;
    }

    /** Builds the config. */
    public BreakerConfig build() {
      return new BreakerConfig(enabled, failureRateThreshold, slowCallRateThreshold, slowCallDuration,
          windowSize, minimumCalls, openWait, halfOpenCalls);
    }
  }
}
