package io.meshsdk.testing.contract;

import io.meshsdk.core.discovery.ServiceDiscovery;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.registration.ServiceRegistry;
import java.time.Duration;

/** The rolling restart, on the in-memory registry of the static backend (propagation is immediate). */
class StaticRollingRestartTest extends AbstractRollingRestartTest {

  private final StaticServiceDiscovery list = StaticServiceDiscovery.create();

  @Override
  protected ServiceRegistry newRegistry() {
    return list.registry();
  }

  @Override
  protected ServiceDiscovery newDiscovery() {
    return list;
  }

  @Override
  protected Duration propagation() {
    return Duration.ofMillis(200);
  }
}
