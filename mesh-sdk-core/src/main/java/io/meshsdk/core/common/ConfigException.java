package io.meshsdk.core.common;

/**
 * An invalid configuration value. The message always has the form
 * {@code <key>: <value> (expected: <what is allowed>)}, so that an operator can find and fix the entry.
 */
public final class ConfigException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String key;
  private final String value;
  private final transient Object rawValue;
  private final String expected;

  /** An invalid {@code value} for {@code key}; {@code expected} says what is allowed. */
  public ConfigException(String key, Object value, String expected) {
    super(key + ": " + quote(value) + " (expected: " + expected + ")");
    this.key = key;
    this.value = String.valueOf(value);
    this.rawValue = value;
    this.expected = expected;
  }

  /** The same problem reported under a more specific key prefix, e.g. {@code services.inventory.}. */
  public ConfigException withKeyPrefix(String prefix) {
    return new ConfigException(prefix + key, rawValue, expected);
  }

  /** The configuration key, e.g. {@code services.inventory.lb.policy}. */
  public String key() {
    return key;
  }

  /** The rejected value as text. */
  public String value() {
    return value;
  }

  /** What would have been accepted. */
  public String expected() {
    return expected;
  }

  private static String quote(Object value) {
    return value instanceof CharSequence ? "\"" + value + "\"" : String.valueOf(value);
  }
}
