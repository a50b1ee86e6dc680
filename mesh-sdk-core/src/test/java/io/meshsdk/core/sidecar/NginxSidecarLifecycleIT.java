package io.meshsdk.core.sidecar;

import io.meshsdk.testing.sidecar.LocalSidecar;

/** The sidecar's life under load with Debian's nginx, master and worker (reload: {@code nginx -s reload}). */
class NginxSidecarLifecycleIT extends AbstractSidecarLifecycleIT {
  @Override
  LocalSidecar newSidecar() {
    return LocalSidecar.nginxWithMaster();
  }
}
