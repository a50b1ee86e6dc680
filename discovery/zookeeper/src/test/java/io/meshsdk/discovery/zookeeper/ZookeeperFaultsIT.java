package io.meshsdk.discovery.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.registration.RegistrationStatus;
import io.meshsdk.core.registration.ServiceRegistration;
import io.meshsdk.core.registration.ServiceRegistry;
import io.meshsdk.testing.contract.RecordingListener;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.KillSession;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A real ZooKeeper misbehaving: the server stopped under watchers and registrations and started again, sessions
 * that expire, hostile names and data.
 */
@ExtendWith(ZkServer.class)
class ZookeeperFaultsIT {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private final String base = ZkServer.basePath("faults");
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

  /** Records status changes. */
  private static final class Statuses implements ServiceRegistry.RegistrationListener {
    final List<RegistrationStatus> seen = new CopyOnWriteArrayList<>();

    @Override
    public void onStatus(ServiceRegistration registration, RegistrationStatus status, String detail) {
      seen.add(status);
    }
  }

  private ZookeeperServiceDiscovery discovery() {
    return closeAfter(ZookeeperServiceDiscovery.create(ZkServer.settings(base)));
  }

  private ZookeeperServiceRegistry registry() {
    return closeAfter(ZookeeperServiceRegistry.create(ZkServer.settings(base)));
  }

  private static Set<Integer> ports(RecordingListener l) {
    List<Endpoint> last = l.last();
    return last == null ? Set.of() : last.stream().map(Endpoint::port).collect(Collectors.toSet());
  }

  @Test
  void aServerStoppedMidTrafficKeepsTheLastKnownGoodThenUpdatesFlowAgain() throws Exception {
    ZookeeperServiceRegistry registry = registry();
    Statuses statuses = new Statuses();
    ServiceRegistry.Registration a = closeAfter(registry.register(
        ServiceRegistration.of("restart", "127.0.0.1", 41001), statuses));
    closeAfter(registry.register(ServiceRegistration.of("restart", "127.0.0.1", 41002),
        ServiceRegistry.RegistrationListener.NONE));
    ZookeeperServiceDiscovery d = discovery();
    RecordingListener l = new RecordingListener();
    closeAfter(d.watch("restart", l));
    await().atMost(WAIT).until(() -> ports(l).equals(Set.of(41001, 41002)));
    int snapshots = l.snapshots().size();

    ZkServer.stop();
    try {
      await().atMost(WAIT).until(() -> !l.errors().isEmpty());
      assertThat(d.health().connected()).isFalse();
      assertThat(l.snapshots()).as("nothing pushed while the server is down").hasSize(snapshots);
      assertThat(ports(l)).isEqualTo(Set.of(41001, 41002));
    } finally {
      ZkServer.restart();
    }
    await().atMost(WAIT).until(() -> d.health().connected());
    assertThat(ports(l)).as("after the restart: the same instances, no empty list in between")
        .isEqualTo(Set.of(41001, 41002));
    assertThat(l.snapshots().subList(snapshots, l.snapshots().size()))
        .as("no empty list pushed during the outage or after it").allSatisfy(s -> assertThat(s).isNotEmpty());

    closeAfter(registry.register(ServiceRegistration.of("restart", "127.0.0.1", 41003),
        ServiceRegistry.RegistrationListener.NONE));
    await().atMost(WAIT).until(() -> ports(l).equals(Set.of(41001, 41002, 41003)));
    assertThat(a.status()).isEqualTo(RegistrationStatus.REGISTERED);
  }

  @Test
  void startedWhileZookeeperIsDownBothReportAndCatchUpWithoutBlockingTheCaller() throws Exception {
    ZkServer.stop();
    ZookeeperServiceDiscovery d;
    ServiceRegistry.Registration handle;
    Statuses statuses = new Statuses();
    RecordingListener l = new RecordingListener();
    try {
      ZookeeperSettings settings = ZkServer.settings(base).withConnectionTimeout(Duration.ofSeconds(1));
      d = closeAfter(ZookeeperServiceDiscovery.create(settings));
      closeAfter(d.watch("late", l));
      ZookeeperServiceRegistry registry = closeAfter(ZookeeperServiceRegistry.create(settings));
      handle = closeAfter(registry.register(ServiceRegistration.of("late", "127.0.0.1", 47001), statuses));
      assertThat(handle.status()).isEqualTo(RegistrationStatus.PENDING);
      await().atMost(WAIT).until(() -> !l.errors().isEmpty());
      assertThat(d.health().connected()).isFalse();
      assertThat(l.snapshots()).isEmpty();
    } finally {
      ZkServer.restart();
    }
    await().atMost(WAIT).until(() -> ports(l).equals(Set.of(47001)));
    await().atMost(WAIT).until(() -> handle.status() == RegistrationStatus.REGISTERED);
    assertThat(d.health().connected()).isTrue();
    assertThat(statuses.seen).startsWith(RegistrationStatus.PENDING).endsWith(RegistrationStatus.REGISTERED);
  }

  @Test
  void anExpiredSessionComesBackRegisteredWithItsLatestData() throws Exception {
    ZookeeperServiceRegistry registry = registry();
    Statuses statuses = new Statuses();
    ServiceRegistration reg = ServiceRegistration.of("expiry", "127.0.0.1", 42001).withLabel("v", "1");
    ServiceRegistry.Registration handle = closeAfter(registry.register(reg, statuses));
    ZookeeperServiceDiscovery d = discovery();
    RecordingListener l = new RecordingListener();
    closeAfter(d.watch("expiry", l));
    await().atMost(WAIT).until(() -> ports(l).equals(Set.of(42001)));
    String id = l.last().get(0).id();
    handle.update(reg.withLabel("v", "2"));
    await().atMost(WAIT).until(() -> "2".equals(l.last().get(0).labels().get("v")));

    // a real server-side expiry: the session is closed by a second handle on it (the server deletes its nodes);
    // repeated if the registry's own reconnect raced the close (the session moved back before it was closed)
    ZooKeeper zk = registryZooKeeper(registry);
    long session = zk.getSessionId();
    byte[] password = zk.getSessionPasswd();
    await().atMost(WAIT).pollInterval(Duration.ofSeconds(2)).until(() -> {
      if (!statuses.seen.contains(RegistrationStatus.LOST)) {
        closeSession(session, password);
      }
      return statuses.seen.contains(RegistrationStatus.LOST);
    });
    await().atMost(WAIT).until(() -> statuses.seen.get(statuses.seen.size() - 1) == RegistrationStatus.REGISTERED
        && statuses.seen.lastIndexOf(RegistrationStatus.REGISTERED) > statuses.seen.indexOf(RegistrationStatus.LOST));
    assertThat(handle.status()).isEqualTo(RegistrationStatus.REGISTERED);
    await().atMost(WAIT).until(() -> l.last() != null && l.last().size() == 1
        && l.last().get(0).id().equals(id) && "2".equals(l.last().get(0).labels().get("v")));
  }

  @Test
  void aClientSideExpiryReplacesTheNodeTheOldSessionStillHolds() throws Exception {
    ZookeeperServiceRegistry registry = registry();
    Statuses statuses = new Statuses();
    closeAfter(registry.register(ServiceRegistration.of("killed", "127.0.0.1", 43001), statuses));
    ZookeeperServiceDiscovery d = discovery();
    RecordingListener l = new RecordingListener();
    closeAfter(d.watch("killed", l));
    await().atMost(WAIT).until(() -> ports(l).equals(Set.of(43001)));
    ZooKeeper before = registryZooKeeper(registry);
    long oldSession = before.getSessionId();

    KillSession.kill(before); // the client takes its session for expired; the server still has it (and the node)
    await().atMost(WAIT).until(() -> statuses.seen.contains(RegistrationStatus.LOST));
    await().atMost(WAIT).until(() -> statuses.seen.get(statuses.seen.size() - 1) == RegistrationStatus.REGISTERED
        && statuses.seen.lastIndexOf(RegistrationStatus.REGISTERED) > statuses.seen.indexOf(RegistrationStatus.LOST));
    CuratorFramework c = closeAfter(ZkServer.client());
    String child = c.getChildren().forPath(base + "/killed").get(0);
    long owner = c.checkExists().forPath(base + "/killed/" + child).getEphemeralOwner();
    assertThat(owner).as("the node belongs to the new session").isNotEqualTo(oldSession)
        .isEqualTo(registryZooKeeper(registry).getSessionId());
    assertThat(ports(l)).isEqualTo(Set.of(43001));
  }

  @Test
  void oddServiceNamesAreServedOrSkippedAndNeverBreakTheirNeighbours() throws Exception {
    ZookeeperServiceRegistry registry = registry();
    String longName = "a".repeat(120) + "." + "b".repeat(120) + "-z";
    List<String> names = List.of("a.b-c_d", "x", "9lives", longName);
    int port = 44001;
    for (String n : names) {
      closeAfter(registry.register(ServiceRegistration.of(n, "127.0.0.1", port++),
          ServiceRegistry.RegistrationListener.NONE));
    }
    CuratorFramework c = closeAfter(ZkServer.client());
    byte[] valid = SpringInstances.bytes(SpringInstances.instance("Upper-Case", "127.0.0.1", 44100, Map.of()));
    c.create().creatingParentsIfNeeded().forPath(base + "/Upper-Case/i1", valid);
    c.create().creatingParentsIfNeeded().forPath(base + "/bad name/i1", valid);
    c.create().creatingParentsIfNeeded().forPath(base + "/inventário/i1", valid);
    c.create().creatingParentsIfNeeded().forPath(base + "/-dash/i1", valid);

    ZookeeperServiceDiscovery d = discovery();
    List<Set<String>> seenNames = new CopyOnWriteArrayList<>();
    closeAfter(d.watchServices(seenNames::add));
    await().atMost(WAIT).until(() -> !seenNames.isEmpty()
        && seenNames.get(seenNames.size() - 1).equals(Set.of("a.b-c_d", "x", "9lives", longName, "upper-case")));
    for (String n : List.of("a.b-c_d", "x", "9lives", longName, "upper-case")) {
      RecordingListener l = new RecordingListener();
      closeAfter(d.watch(n, l));
      await().atMost(WAIT).until(() -> l.lastIds().size() == 1);
    }
    assertThat(d.warningsLogged()).as("one WARN per unusable name").isEqualTo(3);
  }

  @Test
  void nearlyAMegabyteOfMetadataIsServedWithEveryLabelAndDeeplyNestedJsonIsSkippedNotFatal() throws Exception {
    Map<String, String> meta = new java.util.LinkedHashMap<>();
    for (int i = 0; i < 9_000; i++) { // ~900 KB: under ZooKeeper's 1 MB node limit
      meta.put("key-" + i, "v".repeat(90) + "=%\n" + i);
    }
    CuratorFramework c = closeAfter(ZkServer.client());
    byte[] big = SpringInstances.bytes(SpringInstances.instance("big", "127.0.0.1", 45101, meta));
    assertThat(big.length).isGreaterThan(800_000);
    c.create().creatingParentsIfNeeded().forPath(base + "/big/huge", big);
    String nested = "{\"address\":\"127.0.0.1\",\"port\":45102,\"payload\":{\"@class\":\""
        + InstanceJson.SPRING_PAYLOAD_CLASS + "\",\"metadata\":{\"k\":" + "[".repeat(50_000)
        + "]".repeat(50_000) + "}}}";
    c.create().forPath(base + "/big/nested", nested.getBytes(StandardCharsets.UTF_8));
    String portOutOfRange = "{\"address\":\"127.0.0.1\",\"port\":70000,\"sslPort\":-1}";
    c.create().forPath(base + "/big/port", portOutOfRange.getBytes(StandardCharsets.UTF_8));

    ZookeeperServiceDiscovery d = discovery();
    RecordingListener l = new RecordingListener();
    closeAfter(d.watch("big", l));
    await().atMost(WAIT).until(() -> l.lastIds().size() == 1);
    Endpoint e = java.util.Objects.requireNonNull(l.last()).get(0);
    assertThat(e.port()).isEqualTo(45101);
    assertThat(e.labels()).hasSize(9_001).containsEntry("key-8999", "v".repeat(90) + "=%\n8999");
    assertThat(d.warningsLogged()).as("one WARN each for the nested node and the bad port").isEqualTo(2);
  }

  @Test
  void anUnreadableNodeIsWarnedAboutOnceNotOnEveryRead() throws Exception {
    CuratorFramework c = closeAfter(ZkServer.client());
    c.create().creatingParentsIfNeeded().forPath(base + "/warn/good", valid(45001));
    c.create().forPath(base + "/warn/bad", "{\"truncated".getBytes(StandardCharsets.UTF_8));
    ZookeeperServiceDiscovery d = discovery();
    RecordingListener l = new RecordingListener();
    closeAfter(d.watch("warn", l));
    await().atMost(WAIT).until(() -> l.lastIds().size() == 1);
    assertThat(d.warningsLogged()).isEqualTo(1);

    // siblings change, and the server restarts (a full read again): no new warning for the same bad node
    c.create().forPath(base + "/warn/good2", valid(45002));
    await().atMost(WAIT).until(() -> l.lastIds().size() == 2);
    ZkServer.stop();
    await().atMost(WAIT).until(() -> !d.health().connected());
    ZkServer.restart();
    await().atMost(WAIT).until(() -> d.health().connected());
    c.create().forPath(base + "/warn/good3", valid(45003));
    await().atMost(WAIT).until(() -> l.lastIds().size() == 3);
    assertThat(d.warningsLogged()).isEqualTo(1);

    // new bad data in the same node is a new entry: one more warning
    c.setData().forPath(base + "/warn/bad", new byte[0]);
    c.create().forPath(base + "/warn/good4", valid(45004));
    await().atMost(WAIT).until(() -> l.lastIds().size() == 4);
    assertThat(d.warningsLogged()).isEqualTo(2);
  }

  @Test
  void aThousandRegistrationsOfOneServiceAreDiscovered() throws Exception {
    ZookeeperServiceRegistry registry = registry();
    for (int i = 0; i < 1000; i++) {
      registry.register(ServiceRegistration.of("big", "127.0.0.1", 46000 + i).withLabel("i", Integer.toString(i)),
          ServiceRegistry.RegistrationListener.NONE);
    }
    ZookeeperServiceDiscovery d = discovery();
    RecordingListener l = new RecordingListener();
    closeAfter(d.watch("big", l));
    await().atMost(Duration.ofSeconds(60)).until(() -> ports(l).size() == 1000);
    registry.close();
    await().atMost(Duration.ofSeconds(60)).until(() -> l.last() != null && l.last().isEmpty());
  }

  /** A Spring instance (its own random id) on {@code port}. */
  private static byte[] valid(int port) throws Exception {
    return SpringInstances.bytes(SpringInstances.instance("warn", "127.0.0.1", port, Map.of()));
  }

  /** Closes session {@code id} from a second handle, once that handle is connected. */
  private static void closeSession(long id, byte[] password) throws Exception {
    java.util.concurrent.CountDownLatch connected = new java.util.concurrent.CountDownLatch(1);
    ZooKeeper other = new ZooKeeper(ZkServer.connectString(), 10_000, e -> {
      if (e.getState() == org.apache.zookeeper.Watcher.Event.KeeperState.SyncConnected) {
        connected.countDown();
      }
    }, id, password);
    try {
      connected.await(5, java.util.concurrent.TimeUnit.SECONDS);
    } finally {
      other.close();
    }
  }

  private static ZooKeeper registryZooKeeper(ZookeeperServiceRegistry registry) throws Exception {
    return registry.client().getZookeeperClient().getZooKeeper();
  }
}
