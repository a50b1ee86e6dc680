package io.meshsdk.discovery.zookeeper;

import io.meshsdk.core.discovery.ServiceDiscovery;
import io.meshsdk.core.registration.ServiceRegistry;
import io.meshsdk.testing.contract.AbstractServiceRegistryContractTest;
import org.junit.jupiter.api.extension.ExtendWith;

/** The registry contract against a real ZooKeeper, seen through this module's discovery over the same base path. */
@ExtendWith(ZkServer.class)
class ZookeeperRegistryContractIT extends AbstractServiceRegistryContractTest {

  private final String base = ZkServer.basePath("registry-contract");

  @Override
  protected ServiceRegistry newRegistry() {
    return ZookeeperServiceRegistry.create(ZkServer.settings(base));
  }

  @Override
  protected ServiceDiscovery newDiscovery() {
    return ZookeeperServiceDiscovery.create(ZkServer.settings(base));
  }
}
