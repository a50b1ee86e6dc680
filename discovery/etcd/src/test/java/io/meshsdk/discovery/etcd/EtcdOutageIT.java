package io.meshsdk.discovery.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import io.meshsdk.core.Mesh;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.registration.RegistrationStatus;
import io.meshsdk.core.registration.ServiceRegistration;
import io.meshsdk.core.registration.ServiceRegistry;
import io.meshsdk.testing.LoopbackBackend;
import io.meshsdk.testing.contract.RecordingListener;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * etcd killed, restarted, cut off and compacted under a watching discovery and live registrations. These tests
 * stop and start the shared etcd; each leaves it running at its usual port.
 */
class EtcdOutageIT {

  private static final Duration WAIT = Duration.ofSeconds(30);

  private final EtcdServer etcd = EtcdServer.shared();
  private final String prefix = EtcdTestSupport.newPrefix();
  private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();

  private <T extends AutoCloseable> T closeAfter(T c) {
    closeables.add(0, c);
    return c;
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    etcd.restart(); // back at its port for the next test, whatever happened
  }

  private static Set<Integer> meshPorts(Mesh mesh, String service) {
    EndpointSet set = mesh.endpoints(service);
    Set<Integer> ports = new HashSet<>();
    for (int i = 0; i < set.size(); i++) {
      ports.add(set.get(i).endpoint().port());
    }
    return ports;
  }

  /** Records the statuses of one registration. */
  private static final class Statuses implements ServiceRegistry.RegistrationListener {
    final List<RegistrationStatus> seen = new CopyOnWriteArrayList<>();

    @Override
    public void onStatus(ServiceRegistration registration, RegistrationStatus status, String detail) {
      seen.add(status);
    }
  }

  @Test
  void etcdKilledMidTrafficFailsNoCallAndRegistrationsComeBackAfterItRestarts() throws Exception {
    LoopbackBackend b1 = closeAfter(LoopbackBackend.start("orders-1", 1));
    LoopbackBackend b2 = closeAfter(LoopbackBackend.start("orders-2", 2));
    EtcdServiceRegistry registry = closeAfter(EtcdServiceRegistry.create(etcd.config(prefix, Duration.ofSeconds(3))));
    Statuses s1 = new Statuses();
    ServiceRegistry.Registration r1 = registry.register(ServiceRegistration.of("orders", "127.0.0.1", b1.port()), s1);
    registry.register(ServiceRegistration.of("orders", "127.0.0.1", b2.port()), ServiceRegistry.RegistrationListener.NONE);
    EtcdServiceDiscovery discovery = EtcdServiceDiscovery.create(etcd.config(prefix, Duration.ofSeconds(3)));
    Mesh mesh = closeAfter(Mesh.builder().discovery(discovery).build());
    await().atMost(WAIT).until(() -> meshPorts(mesh, "orders").equals(Set.of(b1.port(), b2.port())));

    OkHttpClient http = mesh.newOkHttpClient();
    AtomicLong ok = new AtomicLong();
    List<String> failures = new CopyOnWriteArrayList<>();
    AtomicBoolean stop = new AtomicBoolean();
    Thread traffic = new Thread(() -> {
      while (!stop.get()) {
        try (Response r = http.newCall(new Request.Builder().url("http://orders/x").build()).execute()) {
          if (r.code() == 200) {
            ok.incrementAndGet();
          } else {
            failures.add("HTTP " + r.code());
          }
        } catch (Exception e) {
          failures.add(String.valueOf(e));
        }
      }
    }, "etcd-it-traffic");
    traffic.start();
    try {
      await().atMost(WAIT).until(() -> ok.get() > 100);
      etcd.kill();
      await().atMost(WAIT).until(() -> !discovery.health().connected());
      // keep-alives fail for a whole TTL: the registration says it may be invisible
      await().atMost(WAIT).until(() -> s1.seen.contains(RegistrationStatus.LOST));
      long before = ok.get();
      await().atMost(WAIT).until(() -> ok.get() > before + 200);
      assertThat(meshPorts(mesh, "orders")).as("last-known-good while etcd is down")
          .isEqualTo(Set.of(b1.port(), b2.port()));

      // a registration made while etcd is down is written once it is back
      LoopbackBackend b3 = closeAfter(LoopbackBackend.start("orders-3", 3));
      Statuses s3 = new Statuses();
      ServiceRegistry.Registration r3 = registry.register(ServiceRegistration.of("orders", "127.0.0.1", b3.port()), s3);
      assertThat(r3.status()).isEqualTo(RegistrationStatus.PENDING);
      etcd.restart();
      await().atMost(WAIT).until(() -> meshPorts(mesh, "orders").equals(Set.of(b1.port(), b2.port(), b3.port())));
      await().atMost(WAIT).until(() -> r1.status() == RegistrationStatus.REGISTERED);
      assertThat(s1.seen).containsSubsequence(RegistrationStatus.REGISTERED, RegistrationStatus.LOST,
          RegistrationStatus.REGISTERED);
      assertThat(s3.seen).containsExactly(RegistrationStatus.REGISTERED);
      await().atMost(WAIT).until(() -> discovery.health().connected());

      // the lease itself is lost (as after an expiry): LOST, a new lease, REGISTERED, visible again
      int lostBefore = (int) s1.seen.stream().filter(s -> s == RegistrationStatus.LOST).count();
      try (Client admin = etcd.adminClient()) {
        long lease = leaseOf(admin, b1.port());
        admin.getLeaseClient().revoke(lease).get(10, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> s1.seen.stream().filter(s -> s == RegistrationStatus.LOST).count()
            > lostBefore && r1.status() == RegistrationStatus.REGISTERED);
        await().atMost(WAIT).until(() -> leaseOf(admin, b1.port()) != lease);
      }
      await().atMost(WAIT).until(() -> meshPorts(mesh, "orders").equals(Set.of(b1.port(), b2.port(), b3.port())));
      long after = ok.get();
      await().atMost(WAIT).until(() -> ok.get() > after + 100);
    } finally {
      stop.set(true);
      traffic.join(10_000);
    }
    assertThat(failures).as("calls to live endpoints while etcd was down and back").isEmpty();
  }

  private long leaseOf(Client admin, int port) throws Exception {
    for (KeyValue kv : admin.getKVClient().get(EtcdTestSupport.bytes(prefix + "/orders/"),
        GetOption.builder().isPrefix(true).build()).get(10, TimeUnit.SECONDS).getKvs()) {
      if (kv.getValue().toString(StandardCharsets.UTF_8).contains("\"port\":" + port + ",")) {
        return kv.getLease();
      }
    }
    return -1;
  }

  @Test
  void aWatchCutOffResumesAtItsRevisionMissingAndRepeatingNothing() throws Exception {
    try (Client admin = etcd.adminClient()) {
      EtcdTestSupport.publish(admin, prefix, "svc", AbstractEndpoints.of("svc", 40001, 3));
    }
    EtcdServiceDiscovery d = closeAfter(EtcdServiceDiscovery.create(etcd.config(prefix, Duration.ofSeconds(3))));
    RecordingListener l = new RecordingListener();
    closeAfter(d.watch("svc", l));
    await().atMost(WAIT).until(() -> l.lastIds().size() == 3);
    int applied = d.eventsApplied();

    etcd.restartOnOtherPort(); // etcd serves, but not where the discovery looks
    await().atMost(WAIT).until(() -> !d.health().connected());
    try (Client admin = etcd.adminClient()) {
      Endpoint added = Endpoint.of("svc", "127.0.0.1", 40004);
      Endpoint updated = Endpoint.builder("svc", "127.0.0.1", 40003).label("v", "2").build();
      EtcdTestSupport.put(admin, EtcdTestSupport.key(prefix, added), EtcdTestSupport.json(added));
      EtcdTestSupport.delete(admin, prefix + "/svc/127.0.0.1:40002");
      EtcdTestSupport.put(admin, EtcdTestSupport.key(prefix, updated), EtcdTestSupport.json(updated));
    }
    etcd.restart();
    await().atMost(WAIT).until(() -> l.lastIds().equals(Set.of("127.0.0.1:40001", "127.0.0.1:40003",
        "127.0.0.1:40004")) && "2".equals(label(l.last(), 40003, "v")));
    await().atMost(WAIT).until(() -> d.health().connected());
    assertThat(d.listings()).as("resumed, not read again").isEqualTo(1);
    assertThat(d.eventsApplied() - applied).as("exactly the three changes, none twice").isEqualTo(3);
  }

  @Test
  void compactionWhileCutOffIsRecoveredByReadingAgain() throws Exception {
    try (Client admin = etcd.adminClient()) {
      EtcdTestSupport.publish(admin, prefix, "svc", AbstractEndpoints.of("svc", 41001, 3));
      EtcdTestSupport.publish(admin, prefix, "gone", AbstractEndpoints.of("gone", 41101, 1));
    }
    EtcdServiceDiscovery d = closeAfter(EtcdServiceDiscovery.create(etcd.config(prefix, Duration.ofSeconds(3))));
    RecordingListener l = new RecordingListener();
    RecordingListener gone = new RecordingListener();
    closeAfter(d.watch("svc", l));
    closeAfter(d.watch("gone", gone));
    await().atMost(WAIT).until(() -> l.lastIds().size() == 3 && gone.lastIds().size() == 1);

    etcd.restartOnOtherPort();
    await().atMost(WAIT).until(() -> !d.health().connected());
    try (Client admin = etcd.adminClient()) {
      Endpoint updated = Endpoint.builder("svc", "127.0.0.1", 41003).weight(5).build();
      EtcdTestSupport.put(admin, EtcdTestSupport.key(prefix, updated), EtcdTestSupport.json(updated));
      EtcdTestSupport.delete(admin, prefix + "/svc/127.0.0.1:41001");
      Endpoint added = Endpoint.of("svc", "127.0.0.1", 41004);
      EtcdTestSupport.put(admin, EtcdTestSupport.key(prefix, added), EtcdTestSupport.json(added));
      EtcdTestSupport.deleteService(admin, prefix, "gone");
      long rev = admin.getKVClient().get(EtcdTestSupport.bytes("x")).get(10, TimeUnit.SECONDS).getHeader()
          .getRevision();
      admin.getKVClient().compact(rev).get(10, TimeUnit.SECONDS);
    }
    etcd.restart();
    await().atMost(WAIT).until(() -> l.lastIds().equals(Set.of("127.0.0.1:41002", "127.0.0.1:41003",
        "127.0.0.1:41004")));
    await().atMost(WAIT).until(() -> gone.deletions() == 1);
    await().atMost(WAIT).until(() -> d.health().connected());
    assertThat(weight(l.last(), 41003)).isEqualTo(5);
    assertThat(d.listings()).as("the compacted revision forced one more read").isEqualTo(2);
    // after the re-read the watch follows again from the new revision
    try (Client admin = etcd.adminClient()) {
      EtcdTestSupport.delete(admin, prefix + "/svc/127.0.0.1:41002");
    }
    await().atMost(WAIT).until(() -> l.lastIds().equals(Set.of("127.0.0.1:41003", "127.0.0.1:41004")));
    assertThat(d.listings()).isEqualTo(2);
  }

  private static String label(List<Endpoint> endpoints, int port, String key) {
    return endpoints == null ? null : endpoints.stream().filter(e -> e.port() == port).findFirst()
        .map(e -> e.labels().get(key)).orElse(null);
  }

  private static int weight(List<Endpoint> endpoints, int port) {
    return endpoints.stream().filter(e -> e.port() == port).findFirst().orElseThrow().weight();
  }

  /** Endpoint lists for tests. */
  static final class AbstractEndpoints {
    private AbstractEndpoints() {}

    static List<Endpoint> of(String service, int firstPort, int n) {
      return java.util.stream.IntStream.range(0, n).mapToObj(i -> Endpoint.of(service, "127.0.0.1", firstPort + i))
          .toList();
    }
  }
}
