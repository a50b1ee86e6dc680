package io.meshsdk.core.security.policy;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.common.ConfigValues;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Where the access policy comes from: {@code mesh.policy.file} (no default: no policy), {@code
 * mesh.policy.refresh-interval} (default 5 s) and {@code mesh.policy.log-interval} (default 60 s). See
 * {@code docs/configuration.md}, "Access policy".
 */
public final class PolicyConfig {

  /** The property prefix read by {@link #fromProperties}. */
  public static final String PREFIX = "mesh.policy.";

  /** Default poll interval of the policy file: 5 s. */
  public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofSeconds(5);

  private final @Nullable Path file;
  private final Duration refreshInterval;
  private final Duration logInterval;

  private PolicyConfig(@Nullable Path file, Duration refreshInterval, Duration logInterval) {
    this.file = file;
    this.refreshInterval = refreshInterval;
    this.logInterval = logInterval;
  }

  /** No policy file; default intervals. */
  public static PolicyConfig ofDefaults() {
    return new PolicyConfig(null, DEFAULT_REFRESH_INTERVAL, PolicyHolder.DEFAULT_LOG_INTERVAL);
  }

  /**
   * Reads {@code mesh.policy.*} on top of {@link #ofDefaults()}; keys of other prefixes are ignored.
   *
   * @throws ConfigException naming the full key of an unknown {@code mesh.policy.*} key or an invalid value
   */
  public static PolicyConfig fromProperties(Map<String, String> properties) {
    requireNonNull(properties, "properties");
    Path file = null;
    Duration refresh = DEFAULT_REFRESH_INTERVAL;
    Duration logEvery = PolicyHolder.DEFAULT_LOG_INTERVAL;
    for (Map.Entry<String, String> e : new TreeMap<>(properties).entrySet()) {
      String key = e.getKey();
      if (!key.startsWith(PREFIX)) {
        continue;
      }
      String v = requireNonNull(e.getValue(), key).trim();
      switch (key.substring(PREFIX.length())) {
        case "file" -> {
          if (v.isEmpty()) {
            throw new ConfigException(key, e.getValue(), "the path of the policy file");
          }
          try {
            file = Path.of(v);
          } catch (InvalidPathException ex) {
            throw new ConfigException(key, e.getValue(), "the path of the policy file");
          }
        }
        case "refresh-interval" -> refresh = ConfigValues.requirePositive(key, ConfigValues.parseDuration(key, v));
        case "log-interval" -> logEvery = ConfigValues.requirePositive(key, ConfigValues.parseDuration(key, v));
        default -> throw new ConfigException(key, e.getValue(),
            "one of " + PREFIX + "{file, refresh-interval, log-interval}");
      }
    }
    return new PolicyConfig(file, refresh, logEvery);
  }

  /** The policy file, or null when none is configured (no policy: everything allowed). */
  public @Nullable Path file() {
    return file;
  }

  /** How often the policy file is polled. */
  public Duration refreshInterval() {
    return refreshInterval;
  }

  /** The least time between two denial lines of one rule. */
  public Duration logInterval() {
    return logInterval;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof PolicyConfig c && Objects.equals(file, c.file)
        && refreshInterval.equals(c.refreshInterval) && logInterval.equals(c.logInterval);
  }

  @Override
  public int hashCode() {
    return Objects.hash(file, refreshInterval, logInterval);
  }

  @Override
  public String toString() {
    return "PolicyConfig{file=" + file + ", refresh-interval=" + refreshInterval + ", log-interval=" + logInterval
        + "}";
  }
}
