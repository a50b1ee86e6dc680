package io.meshsdk.core.sidecar;

import io.meshsdk.core.common.ConfigException;
import java.util.Locale;

/**
 * Which path a service's calls take: {@code direct} (in-process mesh), {@code sidecar} (all calls via the
 * local sidecar), {@code split:N} (N % of calls via the sidecar, chosen by a stable hash of the request key) or
 * {@code shadow:N} (every call direct, and a copy of N % of the eligible calls also sent via the sidecar, its
 * answer compared and discarded). Internally a split is a share of 0 to 100: {@code direct} is {@code split:0},
 * {@code sidecar} is {@code split:100}. Raising N only moves keys from direct to sidecar (a key with bucket
 * &lt; 10 is also &lt; 50), so stepping {@code split:10 → split:50} never flips a key back.
 *
 * <p><b>Shadow</b> does not combine with a split: in {@code shadow:N} the primary is always the direct path (the
 * caller gets the direct answer, governed as in {@code direct}); only safe methods (GET, HEAD, OPTIONS) without a
 * body, over plain http, are copied. The same stable key picks the shadowed calls, so {@code shadow:10} copies the
 * keys that {@code split:10} would move. See {@code docs/migration.md}, "Shadow traffic".
 *
 * @param sidecarPercent the share of calls via the sidecar, 0 to 100; 0 in a shadow mode
 * @param shadowPercent the share of eligible calls copied to the sidecar, 0 (no shadow) to 100
 */
public record RouteMode(int sidecarPercent, int shadowPercent) {

  /** Every call direct. */
  public static final RouteMode DIRECT = new RouteMode(0);
  /** Every call via the sidecar. */
  public static final RouteMode SIDECAR = new RouteMode(100);

  static final String EXPECTED = "direct, sidecar, split:N with N 0-100 or shadow:N with N 1-100";

  /** Validates the shares: each 0 to 100, and a shadow mode's primary is direct. */
  public RouteMode {
    if (sidecarPercent < 0 || sidecarPercent > 100) {
      throw new ConfigException("mode", "split:" + sidecarPercent, EXPECTED);
    }
    if (shadowPercent < 0 || shadowPercent > 100) {
      throw new ConfigException("mode", "shadow:" + shadowPercent, EXPECTED);
    }
    if (shadowPercent > 0 && sidecarPercent > 0) {
      throw new ConfigException("mode", "split:" + sidecarPercent + " with shadow:" + shadowPercent,
          EXPECTED + " (shadow:N keeps every call on the direct path; it does not combine with a split)");
    }
  }

  /** A split mode: {@code sidecarPercent} % of calls via the sidecar, no shadow. */
  public RouteMode(int sidecarPercent) {
    this(sidecarPercent, 0);
  }

  /** {@code split:percent}. */
  public static RouteMode split(int percent) {
    return percent == 0 ? DIRECT : percent == 100 ? SIDECAR : new RouteMode(percent);
  }

  /**
   * {@code shadow:percent}: every call direct, a copy of {@code percent} % of the eligible ones via the sidecar.
   *
   * @throws ConfigException unless 0 &lt; percent &le; 100
   */
  public static RouteMode shadow(int percent) {
    if (percent <= 0 || percent > 100) {
      throw new ConfigException("mode", "shadow:" + percent, EXPECTED);
    }
    return new RouteMode(0, percent);
  }

  /**
   * Parses {@code direct}, {@code sidecar}, {@code split:N} or {@code shadow:N}.
   *
   * @throws ConfigException with key {@code mode} for anything else
   */
  public static RouteMode parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.equals("direct")) {
      return DIRECT;
    }
    if (t.equals("sidecar")) {
      return SIDECAR;
    }
    boolean split = t.startsWith("split:");
    if (split || t.startsWith("shadow:")) {
      try {
        int n = Integer.parseInt(t.substring(split ? 6 : 7).trim());
        if (split && n >= 0 && n <= 100) {
          return split(n);
        }
        if (!split && n > 0 && n <= 100) {
          return shadow(n);
        }
      } catch (NumberFormatException e) {
        // fall through
      }
    }
    throw new ConfigException("mode", text, EXPECTED);
  }

  /** Whether the sidecar is not used at all: no call and no shadow copy goes via it. */
  public boolean isDirect() {
    return sidecarPercent == 0 && shadowPercent == 0;
  }

  /** Whether this is a {@code shadow:N} mode (every call direct, copies via the sidecar). */
  public boolean isShadow() {
    return shadowPercent > 0;
  }

  /** {@code direct}, {@code sidecar}, {@code split:N} or {@code shadow:N}: the form {@link #parse} reads. */
  @Override
  public String toString() {
    if (shadowPercent > 0) {
      return "shadow:" + shadowPercent;
    }
    return sidecarPercent == 0 ? "direct" : sidecarPercent == 100 ? "sidecar" : "split:" + sidecarPercent;
  }
}
