package io.meshsdk.discovery.etcd;

import io.meshsdk.core.discovery.ServiceDiscovery;
import io.meshsdk.core.registration.ServiceRegistry;
import io.meshsdk.testing.contract.AbstractRollingRestartTest;
import java.time.Duration;

/**
 * Three providers registered in a real etcd restarted one by one under 500 calls a second from a caller that
 * discovers them in the same etcd: no call fails.
 */
class EtcdRollingRestartIT extends AbstractRollingRestartTest {

  private final EtcdServer etcd = EtcdServer.shared();
  private final String prefix = EtcdTestSupport.newPrefix();

  @Override
  protected ServiceRegistry newRegistry() {
    return EtcdServiceRegistry.create(etcd.config(prefix, Duration.ofSeconds(10)));
  }

  @Override
  protected ServiceDiscovery newDiscovery() {
    return EtcdServiceDiscovery.create(etcd.config(prefix, Duration.ofSeconds(10)));
  }
}
