package io.meshsdk.discovery.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.Client;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.registration.ServiceRegistration;
import io.meshsdk.core.registration.ServiceRegistry;
import io.meshsdk.testing.contract.RecordingListener;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Garbage values, odd keys and odd names in a real etcd. */
class EtcdHostileInputIT {

  private static final Duration WAIT = Duration.ofSeconds(20);

  private final EtcdServer etcd = EtcdServer.shared();
  private final String prefix = EtcdTestSupport.newPrefix();
  private Client admin;
  private EtcdServiceDiscovery discovery;

  @BeforeEach
  void open() {
    admin = etcd.adminClient();
  }

  @AfterEach
  void close() {
    if (discovery != null) {
      discovery.close();
    }
    admin.close();
  }

  @Test
  void valuesThatDoNotParseAreSkippedWithOneWarningEach() throws Exception {
    Endpoint good = Endpoint.of("svc", "127.0.0.1", 42001);
    EtcdTestSupport.publish(admin, prefix, "svc", List.of(good));
    Map<String, String> garbage = Map.of(
        prefix + "/svc/not-json", "this is not json",
        prefix + "/svc/truncated", EtcdTestSupport.json(Endpoint.of("svc", "127.0.0.1", 42002)).substring(0, 30),
        prefix + "/svc/no-port", "{\"host\":\"127.0.0.1\"}",
        prefix + "/svc/bad-host", "{\"host\":\"evil host%\",\"port\":80}",
        prefix + "/svc/other-service", "{\"service\":\"other\",\"host\":\"127.0.0.1\",\"port\":80}",
        prefix + "/svc/deep", "[".repeat(10_000),
        prefix + "/svc/bad-label", "{\"host\":\"127.0.0.1\",\"port\":80,\"labels\":{\"a\":1}}",
        prefix + "/svc/a/b", EtcdTestSupport.json(Endpoint.of("svc", "127.0.0.1", 42003)),
        prefix + "/Svc/x", EtcdTestSupport.json(Endpoint.of("svc", "127.0.0.1", 42004)),
        prefix + "/bad name/x", "{}");
    for (Map.Entry<String, String> e : garbage.entrySet()) {
      EtcdTestSupport.put(admin, e.getKey(), e.getValue());
    }
    discovery = EtcdServiceDiscovery.create(etcd.config(prefix, Duration.ofSeconds(3)));
    RecordingListener l = new RecordingListener();
    discovery.watch("svc", l);
    List<Set<String>> names = new CopyOnWriteArrayList<>();
    discovery.watchServices(names::add);
    await().atMost(WAIT).until(() -> l.lastIds().equals(Set.of(good.id())));
    assertThat(l.errors()).isEmpty();
    assertThat(discovery.warnings()).as("one WARN per unusable key").isEqualTo(garbage.size());

    // more changes (a new good instance, a garbage key rewritten with the same garbage): no repeated warning for
    // the keys already reported, one for the rewritten one (a new revision)
    Endpoint second = Endpoint.of("svc", "127.0.0.1", 42005);
    EtcdTestSupport.put(admin, EtcdTestSupport.key(prefix, second), EtcdTestSupport.json(second));
    await().atMost(WAIT).until(() -> l.lastIds().equals(Set.of(good.id(), second.id())));
    assertThat(discovery.warnings()).isEqualTo(garbage.size());

    // a good instance rewritten with garbage is no longer usable: it leaves the set, the others stay
    EtcdTestSupport.put(admin, EtcdTestSupport.key(prefix, second), "{\"host\":");
    await().atMost(WAIT).until(() -> l.lastIds().equals(Set.of(good.id())));
    assertThat(discovery.warnings()).isEqualTo(garbage.size() + 1);
    assertThat(names.get(names.size() - 1)).containsExactly("svc");
  }

  @Test
  void oddButValidNamesAndValuesRoundTrip() throws Exception {
    String longName = "a".repeat(120) + "." + "b".repeat(120) + ".c9";
    List<String> services = List.of("a", "a.b-c_d", "9lives", longName);
    discovery = EtcdServiceDiscovery.create(etcd.config(prefix, Duration.ofSeconds(3)));
    List<Set<String>> names = new CopyOnWriteArrayList<>();
    discovery.watchServices(names::add);
    Map<String, String> labels = Map.of("quote\"d", "new\nline", "unicode", "inventário ✓", "zone", "eu-1a",
        "empty", "");
    try (EtcdServiceRegistry registry = EtcdServiceRegistry.create(etcd.config(prefix, Duration.ofSeconds(3)))) {
      for (int i = 0; i < services.size(); i++) {
        registry.register(new ServiceRegistration(services.get(i), "::1", 43000 + i, labels),
            ServiceRegistry.RegistrationListener.NONE);
      }
      // an instance id with spaces, colons and non-ASCII, written by hand
      Endpoint odd = Endpoint.builder("a", "127.0.0.1", 43100).id("ïd 1:x").build();
      EtcdTestSupport.put(admin, prefix + "/a/ïd 1:x", EtcdTestSupport.json(odd));
      await().atMost(WAIT).until(() -> !names.isEmpty() && names.get(names.size() - 1).equals(Set.copyOf(services)));
      for (int i = 0; i < services.size(); i++) {
        RecordingListener l = new RecordingListener();
        discovery.watch(services.get(i), l);
        int port = 43000 + i;
        await().atMost(WAIT).untilAsserted(() -> {
          Endpoint e = l.last().stream().filter(x -> x.port() == port).findFirst().orElseThrow();
          assertThat(e.host()).isEqualTo("::1");
          assertThat(e.labels()).isEqualTo(labels);
          assertThat(e.zone()).isEqualTo("eu-1a");
        });
        if (i == 0) {
          await().atMost(WAIT).until(() -> l.lastIds().contains("ïd 1:x"));
        }
      }
    }
  }
}
