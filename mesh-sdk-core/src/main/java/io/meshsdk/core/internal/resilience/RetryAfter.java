package io.meshsdk.core.internal.resilience;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import org.jspecify.annotations.Nullable;

/**
 * Reads a {@code Retry-After} header (RFC 9110 section 10.2.3): either delay-seconds or an HTTP-date. Only read on
 * a retryable response, never on the success path.
 */
final class RetryAfter {

  /** Read up to a year (it is capped by the max backoff anyway). */
  static final long MAX_SECONDS = 365L * 24 * 3600;

  private RetryAfter() {}

  /**
   * The delay {@code value} asks for, in nanoseconds: 0 when absent or unreadable (a malformed header is
   * ignored), or when the date has passed.
   *
   * @param nowMillis the wall-clock now, for the HTTP-date form
   */
  static long nanos(@Nullable String value, long nowMillis) {
    if (value == null) {
      return 0;
    }
    String v = value.trim();
    if (v.isEmpty()) {
      return 0;
    }
    char c = v.charAt(0);
    if (c >= '0' && c <= '9') {
      long seconds = 0;
      for (int i = 0; i < v.length(); i++) {
        char d = v.charAt(i);
        if (d < '0' || d > '9') {
          return 0;
        }
        seconds = Math.min(MAX_SECONDS, seconds * 10 + (d - '0'));
      }
      return seconds * 1_000_000_000L;
    }
    try {
      Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      long millis = Math.min(MAX_SECONDS * 1000, at.toEpochMilli() - nowMillis);
      return millis <= 0 ? 0 : millis * 1_000_000L;
    } catch (DateTimeParseException e) {
      return 0;
    }
  }
}
