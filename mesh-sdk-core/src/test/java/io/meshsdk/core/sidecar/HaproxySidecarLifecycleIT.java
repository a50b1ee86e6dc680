package io.meshsdk.core.sidecar;

import io.meshsdk.testing.sidecar.LocalSidecar;

/** The sidecar's life under load with Debian's HAProxy (reload: {@code haproxy -sf <old pid>}). */
class HaproxySidecarLifecycleIT extends AbstractSidecarLifecycleIT {
  @Override
  LocalSidecar newSidecar() {
    return LocalSidecar.haproxy();
  }
}
