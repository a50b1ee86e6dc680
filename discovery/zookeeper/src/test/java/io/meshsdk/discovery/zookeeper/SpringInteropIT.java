package io.meshsdk.discovery.zookeeper;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshsdk.core.discovery.ServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.registration.ServiceRegistration;
import io.meshsdk.core.registration.ServiceRegistry;
import io.meshsdk.testing.contract.RecordingListener;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.ServiceType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.cloud.zookeeper.discovery.ZookeeperInstance;

/**
 * Interoperability with Spring Cloud Zookeeper Discovery, both ways, through the real curator-x-discovery
 * {@code ServiceDiscovery} configured as Spring configures it ({@link SpringInstances}, with Spring Cloud
 * Zookeeper's own payload class {@code org.springframework.cloud.zookeeper.discovery.ZookeeperInstance}, so the JSON
 * carries the very {@code @class} Spring writes and requires).
 */
@ExtendWith(ZkServer.class)
class SpringInteropIT {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private final String base = ZkServer.basePath("spring");
  private final List<AutoCloseable> closeables = new ArrayList<>();

  private <T extends AutoCloseable> T closeAfter(T c) {
    closeables.add(c);
    return c;
  }

  @AfterEach
  void close() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  private CuratorFramework curator() {
    return closeAfter(ZkServer.client());
  }

  private org.apache.curator.x.discovery.ServiceDiscovery<ZookeeperInstance> spring() throws Exception {
    return closeAfter(SpringInstances.discovery(curator(), base));
  }

  private RecordingListener watch(String service) {
    ServiceDiscovery d = closeAfter(ZookeeperServiceDiscovery.create(ZkServer.settings(base)));
    RecordingListener l = new RecordingListener();
    closeAfter(d.watch(service, l));
    return l;
  }

  @Test
  void aSpringApplicationIsDiscoveredWithItsMetadataAndDrainsWhenItsStatusChanges() throws Exception {
    var spring = spring();
    ServiceInstance<ZookeeperInstance> a = SpringInstances.instance("orders", "127.0.0.1", 8081,
        Map.of("zone", "eu-1", "version", "v7", "weight", "3"));
    ServiceInstance<ZookeeperInstance> b = SpringInstances.instance("orders", "127.0.0.1", 8082, Map.of());
    spring.registerService(a);
    spring.registerService(b);
    RecordingListener l = watch("orders");
    await().atMost(WAIT).until(() -> l.lastIds().equals(java.util.Set.of(a.getId(), b.getId())));
    Endpoint ea = requireNonNull(l.last()).stream().filter(e -> e.id().equals(a.getId())).findFirst().orElseThrow();
    assertThat(ea.host()).isEqualTo("127.0.0.1");
    assertThat(ea.port()).isEqualTo(8081);
    assertThat(ea.secure()).isFalse();
    assertThat(ea.zone()).isEqualTo("eu-1");
    assertThat(ea.weight()).isEqualTo(3);
    assertThat(ea.labels()).containsEntry("version", "v7").containsEntry("instance_status", "UP");

    // Spring's way to drain: rewrite the node with instance_status OUT_OF_SERVICE (a data change, same children)
    ServiceInstance<ZookeeperInstance> drained = SpringInstances.instance("orders", "127.0.0.1", 8081,
        Map.of("instance_status", "OUT_OF_SERVICE"));
    drained = ServiceInstance.<ZookeeperInstance>builder().name("orders").id(a.getId()).address("127.0.0.1")
        .port(8081).payload(drained.getPayload()).uriSpec(drained.getUriSpec()).build();
    spring.updateService(drained);
    await().atMost(WAIT).until(() -> l.lastIds().equals(java.util.Set.of(b.getId())));

    spring.unregisterService(b);
    await().atMost(WAIT).until(() -> l.last() != null && l.last().isEmpty());
  }

  @Test
  void anSslPortMakesASecureEndpointAndANullPayloadIsAccepted() throws Exception {
    var spring = spring();
    ServiceInstance<ZookeeperInstance> tls = ServiceInstance.<ZookeeperInstance>builder().name("tls").address(
        "127.0.0.1").port(8080).sslPort(8443).payload(new ZookeeperInstance("tls", "tls", Map.of()))
        .uriSpec(new org.apache.curator.x.discovery.UriSpec(SpringInstances.URI_SPEC)).build();
    ServiceInstance<ZookeeperInstance> bare = ServiceInstance.<ZookeeperInstance>builder().name("tls")
        .address("127.0.0.1").port(9090).build();
    spring.registerService(tls);
    spring.registerService(bare);
    RecordingListener l = watch("tls");
    await().atMost(WAIT).until(() -> l.lastIds().size() == 2);
    Endpoint secure = requireNonNull(l.last()).stream().filter(e -> e.id().equals(tls.getId())).findFirst()
        .orElseThrow();
    assertThat(secure.secure()).isTrue();
    assertThat(secure.port()).isEqualTo(8443);
    Endpoint plain = requireNonNull(l.last()).stream().filter(e -> e.id().equals(bare.getId())).findFirst()
        .orElseThrow();
    assertThat(plain.secure()).isFalse();
    assertThat(plain.port()).isEqualTo(9090);
    assertThat(plain.labels()).isEmpty();
  }

  @Test
  void aRegistrationOfThisSdkIsReadBySpringAsSpringWouldHaveWrittenIt() throws Exception {
    var spring = spring();
    ServiceRegistry registry = closeAfter(ZookeeperServiceRegistry.create(ZkServer.settings(base)));
    ServiceRegistration reg = ServiceRegistration.of("inventory", "127.0.0.1", 7001)
        .withLabel("version", "v2").withLabel("zone", "eu-2");
    ServiceRegistry.Registration handle = closeAfter(registry.register(reg,
        ServiceRegistry.RegistrationListener.NONE));

    await().atMost(WAIT).until(() -> spring.queryForInstances("inventory").size() == 1);
    ServiceInstance<ZookeeperInstance> seen = spring.queryForInstances("inventory").iterator().next();
    assertThat(seen.getName()).isEqualTo("inventory");
    assertThat(seen.getAddress()).isEqualTo("127.0.0.1");
    assertThat(seen.getPort()).isEqualTo(7001);
    assertThat(seen.getSslPort()).isNull();
    assertThat(seen.getServiceType()).isEqualTo(ServiceType.DYNAMIC);
    assertThat(seen.buildUriSpec(Map.of("scheme", "http"))).isEqualTo("http://127.0.0.1:7001");
    assertThat(seen.getPayload().getId()).isEqualTo("inventory");
    assertThat(seen.getPayload().getName()).isEqualTo("inventory");
    assertThat(seen.getPayload().getMetadata()).containsExactlyInAnyOrderEntriesOf(
        Map.of("instance_status", "UP", "version", "v2", "zone", "eu-2"));

    // byte for byte what Spring's serializer writes for the same instance (as a JSON tree), and nothing more
    CuratorFramework c = curator();
    String path = base + "/inventory/" + seen.getId();
    byte[] ours = c.getData().forPath(path);
    JsonNode oursTree = new ObjectMapper().readTree(ours);
    JsonNode springTree = new ObjectMapper().readTree(SpringInstances.bytes(seen));
    assertThat(oursTree).isEqualTo(springTree);
    assertThat(fieldNames(oursTree)).containsExactly("name", "id", "address", "port", "sslPort", "payload",
        "registrationTimeUTC", "serviceType", "uriSpec");
    new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
        .readValue(ours, ServiceInstance.class);

    // draining: update() rewrites the node; Spring sees the new status
    handle.update(reg.withLabel("instance_status", "OUT_OF_SERVICE"));
    await().atMost(WAIT).until(() -> "OUT_OF_SERVICE".equals(spring.queryForInstances("inventory").iterator().next()
        .getPayload().getMetadata().get("instance_status")));

    handle.close();
    await().atMost(WAIT).until(() -> spring.queryForInstances("inventory").isEmpty());
  }

  @Test
  void unreadableNodesAreSkippedWhileTheirSiblingsAreServed() throws Exception {
    var spring = spring();
    ServiceInstance<ZookeeperInstance> good = SpringInstances.instance("mixed", "127.0.0.1", 8001, Map.of());
    spring.registerService(good);
    CuratorFramework c = curator();
    String dir = base + "/mixed/";
    byte[] valid = SpringInstances.bytes(SpringInstances.instance("mixed", "127.0.0.1", 8002, Map.of()));
    ObjectNode foreign = (ObjectNode) new ObjectMapper().readTree(valid);
    ((ObjectNode) foreign.get("payload")).put("@class", "com.example.OtherPayload");
    ObjectNode nested = (ObjectNode) new ObjectMapper().readTree(valid);
    ((ObjectNode) nested.get("payload").get("metadata")).putObject("nested").put("a", "b");
    ObjectNode noPort = (ObjectNode) new ObjectMapper().readTree(valid);
    noPort.putNull("port");
    c.create().forPath(dir + "garbage", "\u0000\u0001not json at all".getBytes(StandardCharsets.UTF_8));
    c.create().forPath(dir + "truncated", java.util.Arrays.copyOf(valid, valid.length / 2));
    c.create().forPath(dir + "empty", new byte[0]);
    c.create().forPath(dir + "array", "[1,2,3]".getBytes(StandardCharsets.UTF_8));
    c.create().forPath(dir + "foreign", new ObjectMapper().writeValueAsBytes(foreign));
    c.create().forPath(dir + "nested", new ObjectMapper().writeValueAsBytes(nested));
    c.create().forPath(dir + "noport", new ObjectMapper().writeValueAsBytes(noPort));

    RecordingListener l = watch("mixed");
    await().atMost(WAIT).until(() -> l.lastIds().equals(java.util.Set.of(good.getId())));
    assertThat(l.errors()).isEmpty();
    // what Spring itself does with such a service: it fails for all of it, so the registrar must write exact JSON
    assertThatThrownBy(() -> spring.queryForInstances("mixed")).isInstanceOf(Exception.class);

    // a garbage node repaired in place is picked up; the others stay skipped
    c.setData().forPath(dir + "garbage", valid);
    await().atMost(WAIT).until(() -> l.lastIds().size() == 2);
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> out = new ArrayList<>();
    node.fieldNames().forEachRemaining(out::add);
    return out;
  }

  @SuppressWarnings("unused")
  private static <T> T only(Collection<T> c) {
    assertThat(c).hasSize(1);
    return c.iterator().next();
  }
}
