package io.meshsdk.core.sidecar;

import io.meshsdk.core.common.ConfigException;
import java.util.Locale;

/**
 * Who retries a call handed to the sidecar, so that a call has one attempt allowance however many layers it
 * crosses ({@code route.sidecar-retries}). Either way the SDK tells the sidecar, on each hand-off, how many
 * retries it may make ({@code x-mesh-max-retries}, and {@code x-envoy-max-retries} for an Envoy sidecar), and the
 * allowance is the service's own {@code retry.max-attempts} (minus one), or 0 for a method the SDK would not
 * retry.
 */
public enum SidecarRetries {

  /**
   * The sidecar retries (the default): it is handed the call's remaining retries, and the SDK never retries an
   * answer that came through the sidecar. A refused connection still continues direct (the request never left).
   */
  SIDECAR("sidecar"),

  /**
   * The SDK retries: the sidecar is told to make one attempt ({@code max-retries 0}), and an answer the SDK would
   * retry (a {@code retry.statuses} status, for a method it retries, with a body it can send again) continues on
   * the direct path as the call's next attempt, within the same allowance, deadline and retry budget. Use it
   * while a sidecar's retry policy is not yet trusted, or during a guarded migration step, so that sidecar
   * failures are absorbed by the direct path.
   */
  SDK("sdk");

  private final String value;

  SidecarRetries(String value) {
    this.value = value;
  }

  /**
   * Parses {@code sidecar} or {@code sdk} (case-insensitive).
   *
   * @throws ConfigException with key {@code sidecar-retries} for anything else
   */
  public static SidecarRetries parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    for (SidecarRetries r : values()) {
      if (r.value.equals(t)) {
        return r;
      }
    }
    throw new ConfigException("sidecar-retries", text,
        "sidecar (the sidecar retries; the SDK never retries its answers) or sdk (the sidecar makes one attempt;"
            + " the SDK retries on the direct path)");
  }

  /** The property value: {@code sidecar} or {@code sdk}. */
  @Override
  public String toString() {
    return value;
  }
}
