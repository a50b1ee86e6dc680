package io.meshsdk.discovery.zookeeper;

import io.meshsdk.core.discovery.ServiceDiscovery;
import io.meshsdk.core.registration.ServiceRegistry;
import io.meshsdk.testing.contract.AbstractRollingRestartTest;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Three providers registered in a real ZooKeeper (Spring Cloud Zookeeper's layout) restarted one by one under 500
 * calls a second from a caller that discovers them in the same ZooKeeper: no call fails.
 */
@ExtendWith(ZkServer.class)
class ZookeeperRollingRestartIT extends AbstractRollingRestartTest {

  private final String base = ZkServer.basePath("rolling");

  @Override
  protected ServiceRegistry newRegistry() {
    return ZookeeperServiceRegistry.create(ZkServer.settings(base));
  }

  @Override
  protected ServiceDiscovery newDiscovery() {
    return ZookeeperServiceDiscovery.create(ZkServer.settings(base));
  }
}
