package io.meshsdk.core.resilience;

import io.meshsdk.core.config.ConfigException;
import io.meshsdk.core.config.ConfigValues;
import java.time.Duration;

/** Validation helpers shared by the resilience config builders; every failure names key, value, expectation. */
final class Checks {

  private Checks() {}

  static int percent(String key, int v) {
    return ConfigValues.requireRange(key, v, 1, 100);
  }

  static int positive(String key, int v) {
    return ConfigValues.requirePositive(key, v);
  }

  static int nonNegative(String key, int v) {
    if (v < 0) {
      throw new ConfigException(key, v, ">= 0");
    }
    return v;
  }

  static Duration positive(String key, Duration d) {
    ConfigValues.requirePositive(key, d);
    if (d.toNanos() < 1_000_000L) {
      throw new ConfigException(key, d, "a positive duration of at least 1ms");
    }
    return d;
  }

  static Duration nonNegative(String key, Duration d) {
    ConfigValues.requireNonNegative(key, d);
    if (!d.isZero() && d.toNanos() < 1_000_000L) {
      throw new ConfigException(key, d, "0 (off) or a duration of at least 1ms");
    }
    return d;
  }

  /** {@link ConfigValues#parseDuration}, plus a bare {@code 0} (for "off"). */
  static Duration parseDuration(String key, String text) {
    return text.trim().equals("0") ? Duration.ZERO : ConfigValues.parseDuration(key, text);
  }

  static int parsePercent(String key, String text) {
    return percent(key, ConfigValues.parseInt(key, text));
  }

  static int parsePositive(String key, String text) {
    return positive(key, ConfigValues.parseInt(key, text));
  }
}
