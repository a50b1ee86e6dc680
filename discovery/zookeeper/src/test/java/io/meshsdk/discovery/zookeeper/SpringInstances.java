package io.meshsdk.discovery.zookeeper;

import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.UriSpec;
import org.apache.curator.x.discovery.details.JsonInstanceSerializer;
import org.springframework.cloud.zookeeper.discovery.ZookeeperInstance;

/**
 * What a Spring Cloud Zookeeper application does with curator-x-discovery, reproduced with the real
 * curator-x-discovery classes: the same {@code ServiceDiscovery} configuration (client, root, a
 * {@code JsonInstanceSerializer} over the payload class) and the same instances (name, address, port, a
 * {@code ZookeeperInstance} payload with {@code instance_status} in its metadata, the default URI spec).
 */
final class SpringInstances {

  static final String URI_SPEC = "{scheme}://{address}:{port}";

  private SpringInstances() {}

  /** The serializer Spring Cloud Zookeeper configures. */
  static JsonInstanceSerializer<ZookeeperInstance> serializer() {
    return new JsonInstanceSerializer<>(ZookeeperInstance.class);
  }

  /** A started {@code ServiceDiscovery} configured as Spring Cloud Zookeeper's {@code DefaultServiceDiscoveryCustomizer}. */
  static ServiceDiscovery<ZookeeperInstance> discovery(CuratorFramework client, String root) throws Exception {
    ServiceDiscovery<ZookeeperInstance> d = ServiceDiscoveryBuilder.builder(ZookeeperInstance.class)
        .client(client)
        .basePath(root)
        .serializer(serializer())
        .build();
    d.start();
    return d;
  }

  /** An instance as Spring registers an application {@code app} (metadata gets {@code instance_status=UP}). */
  static ServiceInstance<ZookeeperInstance> instance(String app, String address, int port,
      Map<String, String> metadata) throws Exception {
    java.util.HashMap<String, String> meta = new java.util.HashMap<>(metadata);
    meta.putIfAbsent("instance_status", "UP");
    return ServiceInstance.<ZookeeperInstance>builder()
        .name(app)
        .address(address)
        .port(port)
        .payload(new ZookeeperInstance(app, app, meta))
        .uriSpec(new UriSpec(URI_SPEC))
        .build();
  }

  /** The bytes Spring writes for {@code instance}. */
  static byte[] bytes(ServiceInstance<ZookeeperInstance> instance) throws Exception {
    return serializer().serialize(instance);
  }
}
