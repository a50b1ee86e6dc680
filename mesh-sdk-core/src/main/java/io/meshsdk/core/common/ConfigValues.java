package io.meshsdk.core.common;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Parsing and checking of configuration values, shared by every config builder so that every invalid value
 * fails the same way: with a {@link ConfigException} naming the key, the value and what is allowed.
 */
public final class ConfigValues {

  private ConfigValues() {}

  /**
   * Parses a duration such as {@code 250ms}, {@code 2s}, {@code 1m}, {@code 1h}, ISO-8601 {@code PT2S}, or a
   * bare {@code 0} (off).
   */
  public static Duration parseDuration(String key, String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.equals("0")) {
      return Duration.ZERO;
    }
    try {
      if (t.startsWith("pt") || t.startsWith("p")) {
        return Duration.parse(text.trim());
      }
      if (t.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2).trim()));
      }
      if (t.endsWith("us")) {
        return Duration.ofNanos(Math.multiplyExact(Long.parseLong(t.substring(0, t.length() - 2).trim()), 1000L));
      }
      if (t.endsWith("s")) {
        return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1).trim()));
      }
      if (t.endsWith("m")) {
        return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1).trim()));
      }
      if (t.endsWith("h")) {
        return Duration.ofHours(Long.parseLong(t.substring(0, t.length() - 1).trim()));
      }
    } catch (RuntimeException e) {
      // fall through to the error below
    }
    throw new ConfigException(key, text, "a duration such as 250ms, 2s, 1m, 1h or PT2S");
  }

  /** Parses an int. */
  public static int parseInt(String key, String text) {
    try {
      return Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(key, text, "an integer");
    }
  }

  /**
   * Parses a size in bytes: a whole number optionally followed by {@code B}, {@code KB}/{@code KiB}/{@code k}
   * (×1024) or {@code MB}/{@code MiB}/{@code m} (×1024²), at most {@link Integer#MAX_VALUE} bytes.
   */
  public static int parseBytes(String key, String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    long factor = 1;
    String digits = t;
    for (String[] unit : new String[][] {{"kib", "1024"}, {"kb", "1024"}, {"k", "1024"}, {"mib", "1048576"},
        {"mb", "1048576"}, {"m", "1048576"}, {"b", "1"}}) {
      if (t.endsWith(unit[0])) {
        factor = Long.parseLong(unit[1]);
        digits = t.substring(0, t.length() - unit[0].length()).trim();
        break;
      }
    }
    try {
      long v = Math.multiplyExact(Long.parseLong(digits), factor);
      if (v < 0 || v > Integer.MAX_VALUE) {
        throw new NumberFormatException();
      }
      return (int) v;
    } catch (NumberFormatException | ArithmeticException e) {
      throw new ConfigException(key, text, "a size in bytes such as 65536, 64KiB or 1MiB");
    }
  }

  /** Parses a double. */
  public static double parseDouble(String key, String text) {
    try {
      double d = Double.parseDouble(text.trim());
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      throw new ConfigException(key, text, "a number");
    }
  }

  /** Parses {@code true} or {@code false}. */
  public static boolean parseBoolean(String key, String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.equals("true")) {
      return true;
    }
    if (t.equals("false")) {
      return false;
    }
    throw new ConfigException(key, text, "true or false");
  }

  /** Longest duration any setting accepts (beyond it, nanosecond arithmetic would overflow). */
  public static final Duration MAX_DURATION = Duration.ofDays(36_500);

  /** Checks {@code d} is at least 1 ms and at most {@link #MAX_DURATION} (not zero, not negative). */
  public static Duration requirePositive(String key, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new ConfigException(key, d, "a positive duration");
    }
    if (d.compareTo(MAX_DURATION) > 0) {
      throw new ConfigException(key, d, "a duration of at most 36500 days");
    }
    if (d.toNanos() < 1_000_000L) {
      throw new ConfigException(key, d, "a positive duration of at least 1ms");
    }
    return d;
  }

  /** Checks {@code d} is zero (off) or between 1 ms and {@link #MAX_DURATION}. */
  public static Duration requireNonNegative(String key, Duration d) {
    if (d == null || d.isNegative()) {
      throw new ConfigException(key, d, "a duration >= 0");
    }
    if (d.compareTo(MAX_DURATION) > 0) {
      throw new ConfigException(key, d, "a duration of at most 36500 days");
    }
    if (!d.isZero() && d.toNanos() < 1_000_000L) {
      throw new ConfigException(key, d, "0 (off) or a duration of at least 1ms");
    }
    return d;
  }

  /** Checks {@code v >= 0}. */
  public static int requireNonNegative(String key, int v) {
    if (v < 0) {
      throw new ConfigException(key, v, ">= 0");
    }
    return v;
  }

  /** Checks {@code 1 <= v <= 100}. */
  public static int requirePercent(String key, int v) {
    return requireRange(key, v, 1, 100);
  }

  /** Checks {@code min <= v <= max}. */
  public static int requireRange(String key, int v, int min, int max) {
    if (v < min || v > max) {
      throw new ConfigException(key, v, min + "-" + max);
    }
    return v;
  }

  /** Checks {@code min <= v <= max}. */
  public static double requireRange(String key, double v, double min, double max) {
    if (!(v >= min && v <= max)) {
      throw new ConfigException(key, v, fmt(min) + "-" + fmt(max));
    }
    return v;
  }

  /** Checks {@code v > 0}. */
  public static int requirePositive(String key, int v) {
    if (v <= 0) {
      throw new ConfigException(key, v, "> 0");
    }
    return v;
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  /**
   * Parses {@code text}, the value of {@code key}, as a backend URI ({@code file:/etc/mesh/endpoints.txt},
   * {@code zookeeper://host:2181}). A bare scheme ({@code dns:}, {@code kubernetes:}) means the backend's defaults
   * and is read as {@code dns:///}.
   *
   * @param example what to show as a valid value in the error
   */
  public static URI parseUri(String key, String text, String example) {
    String t = text.trim();
    try {
      if (BARE_SCHEME.matcher(t).matches()) {
        return new URI(t + "///"); // "dns:" means the backend's defaults, as "dns:///" does
      }
      return new URI(t);
    } catch (URISyntaxException e) {
      throw new ConfigException(key, text, "a URI such as " + example);
    }
  }

  private static final java.util.regex.Pattern BARE_SCHEME =
      java.util.regex.Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*:");

  /** The scheme of {@code uri} in lower case, or "" when it has none. */
  public static String scheme(URI uri) {
    String scheme = uri.getScheme();
    return scheme == null ? "" : scheme.toLowerCase(Locale.ROOT);
  }

  /**
   * A backend's own keys: those of {@code properties} under {@code prefix}, with the prefix removed, each checked
   * to be one of {@code allowed} (the error names the full key).
   */
  public static Map<String, String> keysUnder(Map<String, String> properties, String prefix, Set<String> allowed) {
    Map<String, String> own = new TreeMap<>();
    for (Map.Entry<String, String> e : properties.entrySet()) {
      if (e.getKey().startsWith(prefix)) {
        String key = e.getKey().substring(prefix.length());
        if (!allowed.contains(key)) {
          throw new ConfigException(e.getKey(), e.getValue(), allowed.isEmpty()
              ? "no keys under " + prefix
              : "one of " + new TreeSet<>(allowed) + " under " + prefix);
        }
        own.put(key, e.getValue());
      }
    }
    return Map.copyOf(own);
  }
}
