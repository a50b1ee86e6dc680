package io.meshsdk.discovery.etcd;

import io.meshsdk.core.discovery.ServiceDiscovery;
import io.meshsdk.core.registration.ServiceRegistry;
import io.meshsdk.testing.contract.AbstractServiceRegistryContractTest;
import java.time.Duration;

/** The registry contract against a real etcd, each test under its own key prefix. */
class EtcdServiceRegistryContractIT extends AbstractServiceRegistryContractTest {

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
