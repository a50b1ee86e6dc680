package io.meshsdk.testing.contract;

import io.meshsdk.core.discovery.ServiceDiscovery;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import java.util.List;

/** The discovery contract, run by the in-memory static backend. */
class StaticServiceDiscoveryContractTest extends AbstractServiceDiscoveryContractTest {

  private final Source source = new Source();

  /** The static backend is its own source: the test's changes go straight to it. */
  private static final class Source {
    StaticServiceDiscovery current = StaticServiceDiscovery.create();
  }

  @Override
  protected ServiceDiscovery newDiscovery() {
    return source.current;
  }

  @Override
  protected void publish(String service, List<Endpoint> endpoints) {
    source.current.set(service, endpoints);
  }

  @Override
  protected void delete(String service) {
    source.current.delete(service);
  }

  @Override
  protected AutoCloseable breakSource() {
    throw new org.opentest4j.TestAbortedException("an in-memory list cannot fail");
  }
}
