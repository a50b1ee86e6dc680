package io.meshsdk.core.sidecar;

/**
 * Told by a {@link SidecarBridge} of the local sidecar's readiness: after the first probe, then on every change.
 * The mesh passes its observers' {@code onSidecarReadinessChanged} here (a listener of the sidecar package's own,
 * so that the sidecar types do not depend on the observer API, which reports route transitions of this package).
 */
@FunctionalInterface
public interface SidecarReadinessListener {

  /** The sidecar became ready or stopped being ready; {@code reason} says why. Must be quick. */
  void onSidecarReadinessChanged(boolean ready, String reason);
}
