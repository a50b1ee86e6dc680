package io.meshsdk.testing.contract;

import io.meshsdk.core.discovery.ServiceDiscovery;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.registration.ServiceRegistry;

/** The registry contract, run by the in-memory registry of the static backend. */
class StaticServiceRegistryContractTest extends AbstractServiceRegistryContractTest {

  private final StaticServiceDiscovery list = StaticServiceDiscovery.create();

  @Override
  protected ServiceRegistry newRegistry() {
    return list.registry();
  }

  @Override
  protected ServiceDiscovery newDiscovery() {
    return list;
  }
}
