package io.meshsdk.testing.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.discovery.ServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.endpoint.EndpointSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link ServiceDiscovery} backend must show, whatever its source: extend it, say how to build
 * the backend and how to change its source, and every test below runs against the real source.
 *
 * <ul>
 *   <li>the first snapshot of a service; additions, removals and updates; 1,000 instances of one service;
 *   <li>a service that appears after the mesh started becomes a mesh host; a deleted one stops being one;
 *   <li>a source that fails, and an empty push for a service that had endpoints, keep the last-known-good
 *       endpoints (in the mesh, and an error reaches the listener for the former);
 *   <li>callbacks are serialized; {@link ServiceDiscovery#close()} stops every callback and thread.
 * </ul>
 *
 * <p>Services are named {@code contract-<n>}; a subclass may be asked to publish to a service more than once.
 */
public abstract class AbstractServiceDiscoveryContractTest {

  private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();

  /** A new backend on the source this test changes with {@link #publish} and friends. */
  protected abstract ServiceDiscovery newDiscovery() throws Exception;

  /** Makes {@code endpoints} the endpoints of {@code service} in the source (replacing what it had). */
  protected abstract void publish(String service, List<Endpoint> endpoints) throws Exception;

  /** Removes every endpoint of {@code service} from the source but keeps the service (an empty push). */
  protected void publishEmpty(String service) throws Exception {
    publish(service, List.of());
  }

  /**
   * Waits until the backend handled what {@link #publishEmpty} did. Default: the watcher got an empty list. A
   * backend that never pushes an empty list for such a source (the file backend holds an incomplete file) overrides
   * it to wait for its own read.
   */
  protected void awaitEmptyPushHandled(RecordingListener listener) {
    await().atMost(propagation()).until(() -> {
      List<Endpoint> last = listener.last();
      return last != null && last.isEmpty();
    });
  }

  /** Deletes {@code service} from the source. */
  protected abstract void delete(String service) throws Exception;

  /** Makes the source fail (unreachable, unreadable); closing the result heals it. */
  protected abstract AutoCloseable breakSource() throws Exception;

  /** Prefixes of the names of the threads the backend starts, checked to be gone after close (default none). */
  protected Set<String> threadNamePrefixes() {
    return Set.of();
  }

  /** How long a source change may take to reach a watcher (default 10 s). */
  protected Duration propagation() {
    return Duration.ofSeconds(10);
  }

  /** Registers something to close after the test. */
  protected final <T extends AutoCloseable> T closeAfter(T closeable) {
    closeables.add(closeable);
    return closeable;
  }

  @AfterEach
  final void closeEverything() throws Exception {
    List<AutoCloseable> list = new ArrayList<>(closeables);
    java.util.Collections.reverse(list);
    for (AutoCloseable c : list) {
      c.close();
    }
    closeables.clear();
  }

  /** {@code n} endpoints of {@code service} on 127.0.0.1 from port {@code firstPort}. */
  protected static List<Endpoint> endpoints(String service, int firstPort, int n) {
    List<Endpoint> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(Endpoint.of(service, "127.0.0.1", firstPort + i));
    }
    return out;
  }

  private static Set<String> ids(List<Endpoint> endpoints) {
    return endpoints.stream().map(Endpoint::id).collect(Collectors.toSet());
  }

  private ServiceDiscovery discovery() throws Exception {
    return closeAfter(newDiscovery());
  }

  private Mesh mesh(ServiceDiscovery discovery) {
    return closeAfter(Mesh.builder().discovery(discovery).build());
  }

  private static Set<String> meshIds(Mesh mesh, String service) {
    EndpointSet set = mesh.endpoints(service);
    Set<String> ids = new java.util.HashSet<>();
    for (int i = 0; i < set.size(); i++) {
      ids.add(set.get(i).endpoint().id());
    }
    return ids;
  }

  @Test
  void firstSnapshotReachesAWatcher() throws Exception {
    List<Endpoint> two = endpoints("contract-1", 20001, 2);
    publish("contract-1", two);
    ServiceDiscovery d = discovery();
    RecordingListener l = new RecordingListener();
    closeAfter(d.watch("contract-1", l));
    await().atMost(propagation()).until(() -> l.lastIds().equals(ids(two)));
    assertThat(l.errors()).isEmpty();
  }

  @Test
  void additionsRemovalsAndUpdatesReachAWatcher() throws Exception {
    publish("contract-2", endpoints("contract-2", 20101, 2));
    ServiceDiscovery d = discovery();
    RecordingListener l = new RecordingListener();
    closeAfter(d.watch("contract-2", l));
    await().atMost(propagation()).until(() -> l.lastIds().size() == 2);

    List<Endpoint> three = endpoints("contract-2", 20101, 3);
    publish("contract-2", three);
    await().atMost(propagation()).until(() -> l.lastIds().equals(ids(three)));

    List<Endpoint> updated = List.of(
        Endpoint.builder("contract-2", "127.0.0.1", 20102).weight(7).zone("z1").label("version", "v2").build(),
        Endpoint.of("contract-2", "127.0.0.1", 20103));
    publish("contract-2", updated);
    await().atMost(propagation()).untilAsserted(() -> {
      List<Endpoint> last = l.last();
      assertThat(last).as("no snapshot yet").isNotNull(); // an AssertionError: the await polls again
      java.util.Objects.requireNonNull(last);
      assertThat(ids(last)).isEqualTo(ids(updated));
      Endpoint first = last.stream().filter(e -> e.port() == 20102).findFirst().orElseThrow();
      assertThat(first.weight()).isEqualTo(7);
      assertThat(first.zone()).isEqualTo("z1");
      assertThat(first.labels()).containsEntry("version", "v2");
    });
    assertThat(l.overlapped()).as("callbacks overlapped: they must be serialized").isFalse();
  }

  @Test
  void aThousandInstancesOfOneServiceArrive() throws Exception {
    List<Endpoint> many = endpoints("contract-3", 21000, 1000);
    publish("contract-3", many);
    ServiceDiscovery d = discovery();
    RecordingListener l = new RecordingListener();
    closeAfter(d.watch("contract-3", l));
    await().atMost(propagation()).until(() -> l.lastIds().size() == 1000);
    assertThat(l.lastIds()).isEqualTo(ids(many));
  }

  @Test
  void aServiceThatAppearsAfterStartBecomesAMeshHost() throws Exception {
    publish("contract-4", endpoints("contract-4", 20201, 1));
    ServiceDiscovery d = discovery();
    Mesh mesh = mesh(d);
    await().atMost(propagation()).until(() -> mesh.isMeshHost("contract-4"));

    List<Endpoint> late = endpoints("contract-5", 20301, 2);
    publish("contract-5", late);
    await().atMost(propagation()).until(() -> mesh.isMeshHost("contract-5")
        && meshIds(mesh, "contract-5").equals(ids(late)));
  }

  @Test
  void aDeletedServiceIsDroppedAndStopsBeingAMeshHost() throws Exception {
    publish("contract-6", endpoints("contract-6", 20401, 2));
    ServiceDiscovery d = discovery();
    RecordingListener l = new RecordingListener();
    closeAfter(d.watch("contract-6", l));
    Mesh mesh = mesh(d);
    await().atMost(propagation()).until(() -> meshIds(mesh, "contract-6").size() == 2);

    delete("contract-6");
    await().atMost(propagation()).until(() -> l.deletions() > 0);
    await().atMost(propagation()).until(() -> !mesh.isMeshHost("contract-6"));
    assertThat(mesh.endpoints()).doesNotContainKey("contract-6");
  }

  @Test
  void aFailingSourceKeepsTheLastKnownGoodEndpoints() throws Exception {
    List<Endpoint> two = endpoints("contract-7", 20501, 2);
    publish("contract-7", two);
    ServiceDiscovery d = discovery();
    RecordingListener l = new RecordingListener();
    closeAfter(d.watch("contract-7", l));
    Mesh mesh = mesh(d);
    await().atMost(propagation()).until(() -> meshIds(mesh, "contract-7").equals(ids(two)));

    try (AutoCloseable broken = breakSource()) {
      await().atMost(propagation()).until(() -> !l.errors().isEmpty());
      assertThat(meshIds(mesh, "contract-7")).as("last-known-good while the source fails").isEqualTo(ids(two));
      assertThat(d.health().connected()).isFalse();
    }
    List<Endpoint> three = endpoints("contract-7", 20501, 3);
    publish("contract-7", three);
    await().atMost(propagation()).until(() -> meshIds(mesh, "contract-7").equals(ids(three)));
    assertThat(d.health().connected()).isTrue();
  }

  @Test
  void anEmptyPushKeepsTheLastKnownGoodEndpoints() throws Exception {
    List<Endpoint> two = endpoints("contract-8", 20601, 2);
    publish("contract-8", two);
    ServiceDiscovery d = discovery();
    RecordingListener l = new RecordingListener();
    closeAfter(d.watch("contract-8", l));
    Mesh mesh = mesh(d);
    await().atMost(propagation()).until(() -> meshIds(mesh, "contract-8").equals(ids(two)));

    publishEmpty("contract-8");
    awaitEmptyPushHandled(l);
    assertThat(meshIds(mesh, "contract-8")).as("last-known-good after an empty push").isEqualTo(ids(two));
  }

  @Test
  void closeStopsEveryCallbackAndThread() throws Exception {
    publish("contract-9", endpoints("contract-9", 20701, 1));
    ServiceDiscovery d = newDiscovery();
    RecordingListener l = new RecordingListener();
    d.watch("contract-9", l);
    await().atMost(propagation()).until(() -> l.lastIds().size() == 1);
    d.close();
    int before = l.callbacks();
    publish("contract-9", endpoints("contract-9", 20701, 2));
    await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
        .until(() -> l.callbacks() == before);
    await().atMost(propagation()).untilAsserted(() -> assertThat(liveThreads()).isEmpty());
  }

  private List<String> liveThreads() {
    Set<String> prefixes = threadNamePrefixes();
    List<String> out = new ArrayList<>();
    for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
      String name = e.getKey().getName();
      for (String p : prefixes) {
        if (name.startsWith(p) && e.getKey().isAlive()) {
          out.add(name);
        }
      }
    }
    return out;
  }
}
