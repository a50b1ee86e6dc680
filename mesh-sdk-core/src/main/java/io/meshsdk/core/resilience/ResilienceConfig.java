package io.meshsdk.core.resilience;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.ConfigException;
import org.jspecify.annotations.Nullable;

/**
 * Every resilience policy of one service. Immutable; part of {@code ServiceConfig}. Defaults: breaker,
 * outlier ejection and retries (with a budget) on; rate limiter, bulkhead, timeouts and active health checks
 * off until configured. See {@code docs/resilience.md} and {@code docs/configuration.md}.
 *
 * @param breaker the service circuit breaker
 * @param outlier per-endpoint ejection, panic mode, slow start
 * @param healthCheck the optional active health check
 * @param rateLimit the outbound rate limiter
 * @param bulkhead the concurrency limit
 * @param retry retries and the retry budget
 * @param timeout per-attempt timeout and call deadline
 */
public record ResilienceConfig(
    BreakerConfig breaker,
    OutlierConfig outlier,
    HealthCheckConfig healthCheck,
    RateLimitConfig rateLimit,
    BulkheadConfig bulkhead,
    RetryConfig retry,
    TimeoutConfig timeout) {

  private static final ResilienceConfig DEFAULTS = new ResilienceConfig(
      BreakerConfig.ofDefaults(), OutlierConfig.ofDefaults(), HealthCheckConfig.ofDefaults(),
      RateLimitConfig.ofDefaults(), BulkheadConfig.ofDefaults(), RetryConfig.ofDefaults(),
      TimeoutConfig.ofDefaults());

  /** Checks no component is null. */
  public ResilienceConfig {
    requireNonNull(breaker, "breaker");
    requireNonNull(outlier, "outlier");
    requireNonNull(healthCheck, "healthCheck");
    requireNonNull(rateLimit, "rateLimit");
    requireNonNull(bulkhead, "bulkhead");
    requireNonNull(retry, "retry");
    requireNonNull(timeout, "timeout");
  }

  /** The defaults. */
  public static ResilienceConfig ofDefaults() {
    return DEFAULTS;
  }

  /** A builder from the defaults. */
  public static Builder builder() {
    return new Builder(DEFAULTS);
  }

  /** A builder from {@code base}. */
  public static Builder from(ResilienceConfig base) {
    return new Builder(requireNonNull(base, "base"));
  }

  /**
   * Whether {@code key} (relative to a service, e.g. {@code breaker.open-wait}) belongs to resilience, so
   * that {@code ServiceConfig} can dispatch to {@link Builder#set}.
   */
  public static boolean isResilienceKey(String key) {
    return key.startsWith("breaker.") || key.startsWith("outlier.") || key.startsWith("health-check.")
        || key.startsWith("rate-limit.") || key.startsWith("bulkhead.") || key.startsWith("retry.")
        || key.startsWith("timeout.");
  }

  /** Builds a {@link ResilienceConfig}. */
  public static final class Builder {
    private BreakerConfig breaker;
    private OutlierConfig outlier;
    private HealthCheckConfig healthCheck;
    private RateLimitConfig rateLimit;
    private BulkheadConfig bulkhead;
    private RetryConfig retry;
    private TimeoutConfig timeout;
    private BreakerConfig.@Nullable Builder breakerProps;
    private OutlierConfig.@Nullable Builder outlierProps;
    private HealthCheckConfig.@Nullable Builder healthCheckProps;
    private RateLimitConfig.@Nullable Builder rateLimitProps;
    private RetryConfig.@Nullable Builder retryProps;

    private Builder(ResilienceConfig base) {
      this.breaker = base.breaker;
      this.outlier = base.outlier;
      this.healthCheck = base.healthCheck;
      this.rateLimit = base.rateLimit;
      this.bulkhead = base.bulkhead;
      this.retry = base.retry;
      this.timeout = base.timeout;
    }

    /** The breaker config. */
    public Builder breaker(BreakerConfig c) {
      this.breaker = requireNonNull(c, "breaker");
      this.breakerProps = null;
      return this;
    }

    /** The outlier config. */
    public Builder outlier(OutlierConfig c) {
      this.outlier = requireNonNull(c, "outlier");
      this.outlierProps = null;
      return this;
    }

    /** The health-check config. */
    public Builder healthCheck(HealthCheckConfig c) {
      this.healthCheck = requireNonNull(c, "healthCheck");
      this.healthCheckProps = null;
      return this;
    }

    /** The rate-limit config. */
    public Builder rateLimit(RateLimitConfig c) {
      this.rateLimit = requireNonNull(c, "rateLimit");
      this.rateLimitProps = null;
      return this;
    }

    /** The bulkhead config. */
    public Builder bulkhead(BulkheadConfig c) {
      this.bulkhead = requireNonNull(c, "bulkhead");
      return this;
    }

    /** The retry config. */
    public Builder retry(RetryConfig c) {
      this.retry = requireNonNull(c, "retry");
      this.retryProps = null;
      return this;
    }

    /** The timeout config. */
    public Builder timeout(TimeoutConfig c) {
      this.timeout = requireNonNull(c, "timeout");
      return this;
    }

    /**
     * Sets one property by its key relative to the service, e.g. {@code retry.max-attempts}.
     *
     * @return false if the key is not a resilience key
     * @throws io.meshsdk.core.common.ConfigException for an invalid value
     */
    public boolean set(String key, String value) {
      requireNonNull(key, "key");
      requireNonNull(value, "value");
      try {
        return dispatch(key, value);
      } catch (ConfigException e) {
        // report the text the user wrote (e.g. "-1s"), not its parsed form
        throw e.key().equals(key) ? new ConfigException(key, value, e.expected()) : e;
      }
    }

    private boolean dispatch(String key, String value) {
      if (key.startsWith("breaker.")) {
        if (breakerProps == null) {
          breakerProps = BreakerConfig.from(breaker);
        }
        return breakerProps.set(key.substring(8), value);
      }
      if (key.startsWith("outlier.")) {
        if (outlierProps == null) {
          outlierProps = OutlierConfig.from(outlier);
        }
        return outlierProps.set(key.substring(8), value);
      }
      if (key.startsWith("health-check.")) {
        if (healthCheckProps == null) {
          healthCheckProps = HealthCheckConfig.from(healthCheck);
        }
        return healthCheckProps.set(key.substring(13), value);
      }
      if (key.startsWith("rate-limit.")) {
        if (rateLimitProps == null) {
          rateLimitProps = RateLimitConfig.from(rateLimit);
        }
        return rateLimitProps.set(key.substring(11), value);
      }
      if (key.startsWith("retry.")) {
        if (retryProps == null) {
          retryProps = RetryConfig.from(retry);
        }
        return retryProps.set(key.substring(6), value);
      }
      if (key.startsWith("bulkhead.")) {
        BulkheadConfig next = BulkheadConfig.set(bulkhead, key.substring(9), value);
        if (next != null) {
          bulkhead = next;
        }
        return next != null;
      }
      if (key.startsWith("timeout.")) {
        TimeoutConfig next = TimeoutConfig.set(timeout, key.substring(8), value);
        if (next != null) {
          timeout = next;
        }
        return next != null;
      }
      return false;
    }

    /** Builds and cross-checks the config. */
    public ResilienceConfig build() {
      if (breakerProps != null) {
        breaker = breakerProps.build();
        breakerProps = null;
      }
      if (outlierProps != null) {
        outlier = outlierProps.build();
        outlierProps = null;
      }
      if (healthCheckProps != null) {
        healthCheck = healthCheckProps.build();
        healthCheckProps = null;
      }
      if (rateLimitProps != null) {
        rateLimit = rateLimitProps.build();
        rateLimitProps = null;
      }
      if (retryProps != null) {
        retry = retryProps.build();
        retryProps = null;
      }
      return new ResilienceConfig(breaker, outlier, healthCheck, rateLimit, bulkhead, retry, timeout);
    }
  }
}
