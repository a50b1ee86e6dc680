package io.meshsdk.discovery.etcd;

import io.etcd.jetcd.Client;
import io.meshsdk.core.discovery.ServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.testing.contract.AbstractServiceDiscoveryContractTest;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The discovery contract against a real etcd, each test under its own key prefix. */
class EtcdServiceDiscoveryContractIT extends AbstractServiceDiscoveryContractTest {

  private final EtcdServer etcd = EtcdServer.shared();
  private final String prefix = EtcdTestSupport.newPrefix();
  private Client admin;

  @BeforeEach
  void connect() {
    admin = etcd.adminClient();
  }

  @AfterEach
  void disconnect() {
    admin.close();
  }

  @Override
  protected ServiceDiscovery newDiscovery() {
    return EtcdServiceDiscovery.create(etcd.config(prefix, Duration.ofSeconds(10)));
  }

  @Override
  protected void publish(String service, List<Endpoint> endpoints) throws Exception {
    EtcdTestSupport.publish(admin, prefix, service, endpoints);
  }

  @Override
  protected void delete(String service) throws Exception {
    EtcdTestSupport.deleteService(admin, prefix, service);
  }

  @Override
  protected AutoCloseable breakSource() throws Exception {
    etcd.kill();
    return () -> {
      etcd.restart();
      admin.close();
      admin = etcd.adminClient();
    };
  }

  @Override
  protected Set<String> threadNamePrefixes() {
    return Set.of("mesh-etcd-");
  }

  @Override
  protected Duration propagation() {
    return Duration.ofSeconds(20);
  }
}
