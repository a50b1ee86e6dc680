package io.meshsdk.discovery.zookeeper;

import static org.awaitility.Awaitility.await;

import io.meshsdk.core.discovery.ServiceDiscovery;
import io.meshsdk.core.registration.RegistrationStatus;
import io.meshsdk.core.registration.ServiceRegistration;
import io.meshsdk.core.registration.ServiceRegistry;
import io.meshsdk.testing.contract.AbstractServiceRegistryContractTest;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The registry contract against a real ZooKeeper, seen through this module's discovery over the same base path.
 *
 * <p>One test of the kit ({@code aRegistrationIsVisibleWithItsLabels}) reads the watcher's first snapshot with a
 * {@code requireNonNull} inside {@code untilAsserted}, which Awaitility does not retry: it needs a snapshot at the
 * first poll. A registry whose writes are asynchronous (as the contract requires) cannot promise that, so here a
 * new discovery is handed out only once every registration made so far is in ZooKeeper and the discovery has read
 * it; every assertion of the kit is unchanged.
 */
@ExtendWith(ZkServer.class)
class ZookeeperRegistryContractTest extends AbstractServiceRegistryContractTest {

  private final String base = ZkServer.basePath("registry-contract");
  private final List<ServiceRegistry.Registration> handles = new CopyOnWriteArrayList<>();

  @Override
  protected ServiceRegistry newRegistry() {
    ZookeeperServiceRegistry registry = ZookeeperServiceRegistry.create(ZkServer.settings(base));
    return new ServiceRegistry() {
      @Override
      public String name() {
        return registry.name();
      }

      @Override
      public Registration register(ServiceRegistration registration, RegistrationListener listener) {
        Registration h = registry.register(registration, listener);
        handles.add(h);
        return h;
      }

      @Override
      public void close() {
        registry.close();
      }
    };
  }

  @Override
  protected ServiceDiscovery newDiscovery() {
    await().atMost(propagation()).until(() -> handles.stream().allMatch(h ->
        h.status() == RegistrationStatus.REGISTERED || h.status() == RegistrationStatus.DEREGISTERED));
    ZookeeperServiceDiscovery d = ZookeeperServiceDiscovery.create(ZkServer.settings(base));
    await().atMost(propagation()).until(() -> d.health().lastUpdate() != null);
    return d;
  }
}
