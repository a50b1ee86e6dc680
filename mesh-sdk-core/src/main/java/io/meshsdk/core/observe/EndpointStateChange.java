package io.meshsdk.core.observe;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.endpoint.EndpointExclusion;

/**
 * An endpoint left or re-entered rotation.
 *
 * @param ejected {@code true} when it was taken out, {@code false} when it came back
 * @param reason what took it out (for a restoration: what it had been taken out for)
 * @param detail the figures behind the change, e.g. {@code 5 consecutive failures} or {@code ejection time over}
 */
public record EndpointStateChange(boolean ejected, EndpointExclusion.Reason reason, String detail) {

  /** Checks the components. */
  public EndpointStateChange {
    requireNonNull(reason, "reason");
    requireNonNull(detail, "detail");
  }
}
