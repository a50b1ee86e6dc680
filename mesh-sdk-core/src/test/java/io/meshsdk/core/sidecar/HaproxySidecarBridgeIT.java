package io.meshsdk.core.sidecar;

import io.meshsdk.testing.sidecar.LocalSidecar;

/** The sidecar bridge with Debian's HAProxy as the sidecar. */
class HaproxySidecarBridgeIT extends AbstractSidecarBridgeIT {
  @Override
  LocalSidecar newSidecar() {
    return LocalSidecar.haproxy();
  }
}
