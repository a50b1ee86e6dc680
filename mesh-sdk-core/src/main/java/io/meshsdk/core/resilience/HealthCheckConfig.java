package io.meshsdk.core.resilience;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.common.ConfigValues;
import java.time.Duration;

/**
 * Optional active HTTP health check, off by default. Every {@code interval} (plus a random {@code jitter})
 * each endpoint gets {@code GET <path>}; a 2xx is a pass. {@code unhealthyThreshold} failed checks in a row
 * eject the endpoint until {@code healthyThreshold} passes in a row restore it. Keys under
 * {@code health-check.}: {@code enabled}, {@code path}, {@code interval}, {@code jitter}, {@code timeout},
 * {@code healthy-threshold}, {@code unhealthy-threshold}.
 *
 * @param enabled whether active checks run
 * @param path the path to GET, starting with '/'
 * @param interval time between checks of one endpoint
 * @param jitter random extra delay, 0 to this, added to each interval
 * @param timeout timeout of one check
 * @param healthyThreshold passes in a row that restore an endpoint
 * @param unhealthyThreshold failures in a row that eject it
 */
public record HealthCheckConfig(
    boolean enabled,
    String path,
    Duration interval,
    Duration jitter,
    Duration timeout,
    int healthyThreshold,
    int unhealthyThreshold) {

  private static final HealthCheckConfig DEFAULTS = builder().build();

  /** Validates every component. */
  public HealthCheckConfig {
    checkPath(requireNonNull(path, "path"));
    ConfigValues.requirePositive("health-check.interval", requireNonNull(interval, "interval"));
    ConfigValues.requireNonNegative("health-check.jitter", requireNonNull(jitter, "jitter"));
    ConfigValues.requirePositive("health-check.timeout", requireNonNull(timeout, "timeout"));
    ConfigValues.requirePositive("health-check.healthy-threshold", healthyThreshold);
    ConfigValues.requirePositive("health-check.unhealthy-threshold", unhealthyThreshold);
  }

  private static String checkPath(String path) {
    if (!path.startsWith("/") || path.contains(" ")) {
      throw new ConfigException("health-check.path", path, "a path starting with '/' and without spaces");
    }
    return path;
  }

  /** Off; when turned on: {@code /health} every 5 s ± 1 s, 1 s timeout, 2 passes / 3 failures. */
  public static HealthCheckConfig ofDefaults() {
    return DEFAULTS;
  }

  /** A builder from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder from {@code base}. */
  public static Builder from(HealthCheckConfig base) {
    Builder b = new Builder();
    b.enabled = base.enabled;
    b.path = base.path;
    b.interval = base.interval;
    b.jitter = base.jitter;
    b.timeout = base.timeout;
    b.healthyThreshold = base.healthyThreshold;
    b.unhealthyThreshold = base.unhealthyThreshold;
    return b;
  }

  /** Builds a {@link HealthCheckConfig}; every setter validates. */
  public static final class Builder {
    private boolean enabled;
    private String path = "/health";
    private Duration interval = Duration.ofSeconds(5);
    private Duration jitter = Duration.ofSeconds(1);
    private Duration timeout = Duration.ofSeconds(1);
    private int healthyThreshold = 2;
    private int unhealthyThreshold = 3;

    private Builder() {}

    /** Turns active checks on or off. */
    public Builder enabled(boolean enabled) {
      this.enabled = enabled;
      return this;
    }

    /** The path to check. */
    public Builder path(String path) {
      this.path = checkPath(requireNonNull(path, "path"));
      return this;
    }

    /** Time between checks. */
    public Builder interval(Duration d) {
      this.interval = ConfigValues.requirePositive("health-check.interval", requireNonNull(d, "d"));
      return this;
    }

    /** Random extra delay per interval. */
    public Builder jitter(Duration d) {
      this.jitter = ConfigValues.requireNonNegative("health-check.jitter", requireNonNull(d, "d"));
      return this;
    }

    /** Timeout of one check. */
    public Builder timeout(Duration d) {
      this.timeout = ConfigValues.requirePositive("health-check.timeout", requireNonNull(d, "d"));
      return this;
    }

    /** Passes in a row that restore. */
    public Builder healthyThreshold(int n) {
      this.healthyThreshold = ConfigValues.requirePositive("health-check.healthy-threshold", n);
      return this;
    }

    /** Failures in a row that eject. */
    public Builder unhealthyThreshold(int n) {
      this.unhealthyThreshold = ConfigValues.requirePositive("health-check.unhealthy-threshold", n);
      return this;
    }

    /** Sets a property relative to {@code health-check.}; false if the key is unknown. */
    public boolean set(String key, String value) {
      String k = "health-check." + key;
      switch (key) {
        case "enabled" -> enabled(ConfigValues.parseBoolean(k, value));
        case "path" -> path(value.trim());
        case "interval" -> interval(ConfigValues.parseDuration(k, value));
        case "jitter" -> jitter(ConfigValues.parseDuration(k, value));
        case "timeout" -> timeout(ConfigValues.parseDuration(k, value));
        case "healthy-threshold" -> healthyThreshold(ConfigValues.parseInt(k, value));
        case "unhealthy-threshold" -> unhealthyThreshold(ConfigValues.parseInt(k, value));
        default -> {
          return false;
        }
      }
      return true;
    }

    /** Builds the config. */
    public HealthCheckConfig build() {
      return new HealthCheckConfig(enabled, path, interval, jitter, timeout, healthyThreshold, unhealthyThreshold);
    }
  }
}
