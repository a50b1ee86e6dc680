package io.meshsdk.core.resilience;

import io.meshsdk.core.common.ConfigValues;

/**
 * Concurrency limit of a service (a resilience4j semaphore {@code Bulkhead}), off by default; a call over the
 * limit fails at once. A call holds its slot until its response headers arrive (or it fails). Setting
 * {@code max-concurrent-calls} turns it on. Keys under {@code bulkhead.}: {@code enabled},
 * {@code max-concurrent-calls}.
 *
 * @param enabled whether the limit applies
 * @param maxConcurrentCalls calls allowed at once, > 0
 */
public record BulkheadConfig(boolean enabled, int maxConcurrentCalls) {

  private static final BulkheadConfig DEFAULTS = new BulkheadConfig(false, 100);

  /** Validates every component. */
  public BulkheadConfig {
    ConfigValues.requirePositive("bulkhead.max-concurrent-calls", maxConcurrentCalls);
  }

  /** Off; when on: 100 concurrent calls. */
  public static BulkheadConfig ofDefaults() {
    return DEFAULTS;
  }

  /** On, with {@code maxConcurrentCalls}. */
  public static BulkheadConfig of(int maxConcurrentCalls) {
    return new BulkheadConfig(true, maxConcurrentCalls);
  }

  /** Applies property {@code key} (relative to {@code bulkhead.}) to {@code base}; null if the key is unknown. */
  static @org.jspecify.annotations.Nullable BulkheadConfig set(BulkheadConfig base, String key, String value) {
    String k = "bulkhead." + key;
    return switch (key) {
      case "enabled" -> new BulkheadConfig(ConfigValues.parseBoolean(k, value), base.maxConcurrentCalls);
      case "max-concurrent-calls" -> of(ConfigValues.parseInt(k, value));
      default -> null;
    };
  }
}
