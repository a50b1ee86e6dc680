package io.meshsdk.core.sidecar;

import io.meshsdk.core.common.ConfigException;
import java.util.Locale;

/**
 * Which path a service's calls take: {@code direct} (in-process mesh), {@code sidecar} (all calls via the
 * local sidecar) or {@code split:N} (N % of calls via the sidecar, chosen by a stable hash of the request key).
 * Internally every mode is a share of 0 to 100: {@code direct} is {@code split:0}, {@code sidecar} is
 * {@code split:100}. Raising N only moves keys from direct to sidecar (a key with bucket &lt; 10 is also
 * &lt; 50), so stepping {@code split:10 → split:50} never flips a key back.
 *
 * @param sidecarPercent the share of calls via the sidecar, 0 to 100
 */
public record RouteMode(int sidecarPercent) {

  /** Every call direct. */
  public static final RouteMode DIRECT = new RouteMode(0);
  /** Every call via the sidecar. */
  public static final RouteMode SIDECAR = new RouteMode(100);

  static final String EXPECTED = "direct, sidecar or split:N with N 0-100";

  /** Validates the share. */
  public RouteMode {
    if (sidecarPercent < 0 || sidecarPercent > 100) {
      throw new ConfigException("mode", "split:" + sidecarPercent, EXPECTED);
    }
  }

  /** {@code split:percent}. */
  public static RouteMode split(int percent) {
    return percent == 0 ? DIRECT : percent == 100 ? SIDECAR : new RouteMode(percent);
  }

  /**
   * Parses {@code direct}, {@code sidecar} or {@code split:N}.
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
    if (t.startsWith("split:")) {
      try {
        int n = Integer.parseInt(t.substring(6).trim());
        if (n >= 0 && n <= 100) {
          return split(n);
        }
      } catch (NumberFormatException e) {
        // fall through
      }
    }
    throw new ConfigException("mode", text, EXPECTED);
  }

  /** Whether no call goes via the sidecar. */
  public boolean isDirect() {
    return sidecarPercent == 0;
  }

  /** {@code direct}, {@code sidecar} or {@code split:N}: the form {@link #parse} reads. */
  @Override
  public String toString() {
    return sidecarPercent == 0 ? "direct" : sidecarPercent == 100 ? "sidecar" : "split:" + sidecarPercent;
  }
}
