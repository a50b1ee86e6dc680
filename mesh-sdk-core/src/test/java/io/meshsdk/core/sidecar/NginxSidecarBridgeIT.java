package io.meshsdk.core.sidecar;

import io.meshsdk.testing.sidecar.LocalSidecar;

/** The sidecar bridge with Debian's nginx as the sidecar. */
class NginxSidecarBridgeIT extends AbstractSidecarBridgeIT {
  @Override
  LocalSidecar newSidecar() {
    return LocalSidecar.nginx();
  }
}
