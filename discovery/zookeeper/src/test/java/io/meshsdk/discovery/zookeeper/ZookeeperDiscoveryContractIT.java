package io.meshsdk.discovery.zookeeper;

import io.meshsdk.core.discovery.ServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.testing.contract.AbstractServiceDiscoveryContractTest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.x.discovery.ServiceInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.cloud.zookeeper.discovery.ZookeeperInstance;

/**
 * The discovery contract against a real ZooKeeper: the source is the base path, written as a Spring Cloud Zookeeper
 * application writes it (curator-x-discovery JSON with a {@code ZookeeperInstance} payload; node name = instance id
 * = the endpoint's id); an empty push deletes every instance node in one transaction but keeps the service node
 * (deleted one by one, the watcher would rightly see the intermediate sets); the source fails by
 * stopping the server, and heals by starting it again.
 */
@ExtendWith(ZkServer.class)
class ZookeeperDiscoveryContractIT extends AbstractServiceDiscoveryContractTest {

  private final String base = ZkServer.basePath("contract");
  private CuratorFramework writer;

  private CuratorFramework writer() {
    if (writer == null) {
      writer = closeAfter(ZkServer.client());
    }
    return writer;
  }

  @Override
  protected ServiceDiscovery newDiscovery() {
    return ZookeeperServiceDiscovery.create(ZkServer.settings(base));
  }

  @Override
  protected void publish(String service, List<Endpoint> endpoints) throws Exception {
    CuratorFramework c = writer();
    String servicePath = base + "/" + service;
    Set<String> keep = new HashSet<>();
    for (Endpoint e : endpoints) {
      Map<String, String> meta = new HashMap<>(e.labels());
      if (e.weight() != Endpoint.DEFAULT_WEIGHT) {
        meta.put("weight", Integer.toString(e.weight()));
      }
      if (!e.zone().isEmpty()) {
        meta.put("zone", e.zone());
      }
      ServiceInstance<ZookeeperInstance> instance = ServiceInstance.<ZookeeperInstance>builder()
          .name(service).id(e.id()).address(e.host()).port(e.port())
          .payload(new ZookeeperInstance(service, service, withStatus(meta)))
          .uriSpec(new org.apache.curator.x.discovery.UriSpec(SpringInstances.URI_SPEC)).build();
      byte[] bytes = SpringInstances.bytes(instance);
      String path = servicePath + "/" + e.id();
      keep.add(e.id());
      if (c.checkExists().forPath(path) == null) {
        c.create().creatingParentContainersIfNeeded().forPath(path, bytes);
      } else {
        c.setData().forPath(path, bytes);
      }
    }
    if (c.checkExists().forPath(servicePath) == null) {
      c.create().creatingParentsIfNeeded().forPath(servicePath);
    }
    for (String child : c.getChildren().forPath(servicePath)) {
      if (!keep.contains(child)) {
        c.delete().forPath(servicePath + "/" + child);
      }
    }
  }

  /** Every instance leaves at once (one ZooKeeper transaction), the service node stays. */
  @Override
  protected void publishEmpty(String service) throws Exception {
    CuratorFramework c = writer();
    String servicePath = base + "/" + service;
    List<CuratorOp> ops = new ArrayList<>();
    for (String child : c.getChildren().forPath(servicePath)) {
      ops.add(c.transactionOp().delete().forPath(servicePath + "/" + child));
    }
    c.transaction().forOperations(ops);
  }

  private static Map<String, String> withStatus(Map<String, String> meta) {
    meta.putIfAbsent("instance_status", "UP");
    return meta;
  }

  @Override
  protected void delete(String service) throws Exception {
    writer().delete().deletingChildrenIfNeeded().forPath(base + "/" + service);
  }

  @Override
  protected AutoCloseable breakSource() throws Exception {
    ZkServer.stop();
    return ZkServer::restart;
  }

  @Override
  protected Set<String> threadNamePrefixes() {
    return Set.of(Clients.THREAD_PREFIX);
  }
}
