package io.meshsdk.discovery.kubernetes;

import static io.meshsdk.discovery.kubernetes.Slices.slice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.testing.contract.RecordingListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the backend makes of EndpointSlices, against the CRUD mock API server: each test in a namespace of its own.
 */
class KubernetesServiceDiscoveryIT {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final MockApi api = MockApi.get();
  private final String ns = MockApi.namespace("k8s");
  private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    List<AutoCloseable> list = new ArrayList<>(closeables);
    java.util.Collections.reverse(list);
    for (AutoCloseable c : list) {
      c.close();
    }
  }

  private KubernetesServiceDiscovery discovery(KubernetesDiscoveryOptions options) {
    KubernetesServiceDiscovery d = api.discovery(options);
    closeables.add(d);
    await().atMost(WAIT).until(() -> d.watching() && d.watchConfirmed());
    return d;
  }

  private KubernetesServiceDiscovery discovery() {
    return discovery(KubernetesDiscoveryOptions.of(ns));
  }

  private RecordingListener watch(KubernetesServiceDiscovery d, String service) {
    RecordingListener l = new RecordingListener();
    closeables.add(d.watch(service, l));
    return l;
  }

  private static void awaitLast(RecordingListener l, Predicate<List<Endpoint>> p) {
    await().atMost(WAIT).until(() -> {
      List<Endpoint> last = l.last();
      return last != null && p.test(last);
    });
  }

  private static Set<String> hosts(List<Endpoint> endpoints) {
    return endpoints.stream().map(Endpoint::host).collect(Collectors.toSet());
  }

  private static Endpoint byHost(List<Endpoint> endpoints, String host) {
    return endpoints.stream().filter(e -> e.host().equals(host)).findFirst().orElseThrow();
  }

  @Test
  void slicesCreatedUpdatedAndDeletedReachAWatcher() {
    api.service(ns, "orders");
    KubernetesServiceDiscovery d = discovery();
    RecordingListener l = watch(d, "orders");

    api.put(ns, slice("orders-a", "orders").port("http", 8080).ready("orders-1", "10.1.0.1").build());
    awaitLast(l, e -> hosts(e).equals(Set.of("10.1.0.1")));
    Endpoint first = l.last().get(0);
    assertThat(first.id()).as("id: the pod's name").isEqualTo("orders-1");
    assertThat(first.port()).isEqualTo(8080);
    assertThat(first.labels()).containsEntry(SliceTranslator.LABEL_POD, "orders-1")
        .containsKey(SliceTranslator.LABEL_NODE);

    api.put(ns, slice("orders-a", "orders").port("http", 8080).ready("orders-1", "10.1.0.1")
        .ready("orders-2", "10.1.0.2").build());
    awaitLast(l, e -> hosts(e).equals(Set.of("10.1.0.1", "10.1.0.2")));

    api.put(ns, slice("orders-b", "orders").port("http", 8080).ready("orders-3", "10.1.0.3").build());
    awaitLast(l, e -> hosts(e).equals(Set.of("10.1.0.1", "10.1.0.2", "10.1.0.3")));

    api.deleteSlice(ns, "orders-a");
    awaitLast(l, e -> hosts(e).equals(Set.of("10.1.0.3")));
    assertThat(l.deletions()).isZero();
    assertThat(l.overlapped()).isFalse();
  }

  @Test
  void conditionsDecideWhichEndpointsAreUsed() {
    api.service(ns, "pay");
    KubernetesServiceDiscovery d = discovery();
    RecordingListener l = watch(d, "pay");

    // ready -> in
    api.put(ns, slice("pay-a", "pay").port("http", 80).ready("pay-1", "10.2.0.1").ready("pay-2", "10.2.0.2")
        .build());
    awaitLast(l, e -> hosts(e).equals(Set.of("10.2.0.1", "10.2.0.2")));

    // pay-2 not ready (not serving, not terminating) -> out
    api.put(ns, slice("pay-a", "pay").port("http", 80).ready("pay-1", "10.2.0.1")
        .endpoint("pay-2", "10.2.0.2", false, false, false, null).build());
    awaitLast(l, e -> hosts(e).equals(Set.of("10.2.0.1")));

    // pay-1 terminating but still serving while pay-3 is ready: only the ready one
    api.put(ns, slice("pay-a", "pay").port("http", 80).endpoint("pay-1", "10.2.0.1", false, true, true, null)
        .ready("pay-3", "10.2.0.3").build());
    awaitLast(l, e -> hosts(e).equals(Set.of("10.2.0.3")));

    // nothing ready: the terminating-but-serving ones, marked, rather than nothing (kube-proxy's fallback)
    api.put(ns, slice("pay-a", "pay").port("http", 80).endpoint("pay-1", "10.2.0.1", false, true, true, null)
        .endpoint("pay-3", "10.2.0.3", false, false, true, null).build());
    awaitLast(l, e -> hosts(e).equals(Set.of("10.2.0.1")));
    assertThat(l.last().get(0).labels()).containsEntry(SliceTranslator.LABEL_TERMINATING, "true");

    // terminating and no longer serving: nothing usable, an empty push (the mesh keeps its last-known-good)
    api.put(ns, slice("pay-a", "pay").port("http", 80).endpoint("pay-1", "10.2.0.1", false, false, true, null)
        .build());
    awaitLast(l, List::isEmpty);

    // conditions absent mean ready, as the API says
    api.put(ns, slice("pay-a", "pay").port("http", 80).raw(new EndpointBuilder().withAddresses("10.2.0.9").build())
        .build());
    awaitLast(l, e -> hosts(e).equals(Set.of("10.2.0.9")));
  }

  @Test
  void withoutTheTerminatingFallbackOnlyReadyEndpointsCount() {
    api.service(ns, "strict");
    KubernetesServiceDiscovery d = discovery(KubernetesDiscoveryOptions.of(ns).withIncludeTerminating(false));
    RecordingListener l = watch(d, "strict");
    api.put(ns, slice("strict-a", "strict").port("http", 80).ready("s-1", "10.3.0.1").build());
    awaitLast(l, e -> e.size() == 1);
    api.put(ns, slice("strict-a", "strict").port("http", 80).endpoint("s-1", "10.3.0.1", false, true, true, null)
        .build());
    awaitLast(l, List::isEmpty);
  }

  @Test
  void slicesOfAServiceAreMergedAcrossAddressFamilies() {
    api.service(ns, "dual");
    KubernetesServiceDiscovery d = discovery();
    RecordingListener l = watch(d, "dual");
    api.put(ns, slice("dual-v4", "dual").port("http", 8080).ready("dual-1", "10.4.0.1").ready("dual-2", "10.4.0.2")
        .build());
    api.put(ns, slice("dual-v6", "dual").ipv6().port("http", 8080).ready("dual-1", "fd00::1")
        .ready("dual-3", "fd00::3").build());
    awaitLast(l, e -> e.size() == 3);
    // a dual-stack pod is one instance (its IPv4 address); an IPv6-only pod is used by its IPv6 address
    assertThat(hosts(l.last())).containsExactlyInAnyOrder("10.4.0.1", "10.4.0.2", "fd00::3");
    assertThat(byHost(l.last(), "fd00::3").authority()).isEqualTo("[fd00::3]:8080");
  }

  @Test
  void thePortIsChosenByName() {
    api.service(ns, "multi");
    api.service(ns, "nameless");
    KubernetesServiceDiscovery byName = discovery(KubernetesDiscoveryOptions.of(ns).withPortName("grpc"));
    KubernetesServiceDiscovery byDefault = discovery();
    RecordingListener grpc = watch(byName, "multi");
    RecordingListener http = watch(byDefault, "multi");
    api.put(ns, slice("multi-a", "multi").port("metrics", 9090).port("grpc", 9000).port("http", 8080)
        .ready("m-1", "10.5.0.1").build());
    awaitLast(grpc, e -> e.size() == 1 && e.get(0).port() == 9000);
    awaitLast(http, e -> e.size() == 1 && e.get(0).port() == 8080);

    // no port named 'http' and no port-name: skipped with one WARN, however often the slice changes
    RecordingListener nameless = watch(byDefault, "nameless");
    api.put(ns, slice("nameless-a", "nameless").port("web", 80).port("admin", 81).ready("n-1", "10.5.1.1")
        .build());
    api.put(ns, slice("nameless-b", "nameless").port("only", 7070).ready("n-2", "10.5.1.2").build());
    awaitLast(nameless, e -> hosts(e).equals(Set.of("10.5.1.2")));
    api.put(ns, slice("nameless-a", "nameless").port("web", 80).port("admin", 81).ready("n-1", "10.5.1.1")
        .ready("n-3", "10.5.1.3").build());
    api.put(ns, slice("nameless-b", "nameless").port("only", 7070).ready("n-2", "10.5.1.2")
        .ready("n-4", "10.5.1.4").build());
    awaitLast(nameless, e -> hosts(e).equals(Set.of("10.5.1.2", "10.5.1.4")));
    assertThat(byDefault.warnedProblems()).containsExactly("nameless-a: port");

    // the named port missing from a slice: that slice is skipped, the others are used
    RecordingListener missing = watch(byName, "nameless");
    api.put(ns, slice("nameless-c", "nameless").port("grpc", 9001).ready("n-5", "10.5.1.5").build());
    awaitLast(missing, e -> hosts(e).equals(Set.of("10.5.1.5")));
    assertThat(byName.warnedProblems()).contains("nameless-a: port", "nameless-b: port");
  }

  @Test
  void theClusterIpIsNeverUsed() {
    api.service(ns, "web"); // ClusterIP 10.96.0.10, port 80
    KubernetesServiceDiscovery d = discovery();
    RecordingListener l = watch(d, "web");
    api.put(ns, slice("web-a", "web").port("http", 8080).ready("web-1", "10.6.0.1").build());
    awaitLast(l, e -> e.size() == 1);
    assertThat(l.last()).allSatisfy(e -> {
      assertThat(e.host()).isNotEqualTo("10.96.0.10");
      assertThat(e.port()).as("the pod's port, not the Service's").isEqualTo(8080);
    });
  }

  @Test
  void zonesComeFromTheEndpointOrItsTopology() {
    api.service(ns, "zoned");
    KubernetesServiceDiscovery d = discovery();
    RecordingListener l = watch(d, "zoned");
    api.put(ns, slice("zoned-a", "zoned").port("http", 80)
        .endpoint("z-1", "10.7.0.1", true, true, false, "eu-west-1a")
        .raw(new EndpointBuilder().withAddresses("10.7.0.2")
            .withDeprecatedTopology(Map.of(SliceTranslator.ZONE_LABEL, "eu-west-1b")).build())
        .ready("z-3", "10.7.0.3").build());
    awaitLast(l, e -> e.size() == 3);
    assertThat(byHost(l.last(), "10.7.0.1").zone()).isEqualTo("eu-west-1a");
    assertThat(byHost(l.last(), "10.7.0.2").zone()).isEqualTo("eu-west-1b");
    assertThat(byHost(l.last(), "10.7.0.3").zone()).isEmpty();
  }

  @Test
  void aThousandEndpointsInTenSlices() {
    api.service(ns, "big");
    KubernetesServiceDiscovery d = discovery();
    RecordingListener l = watch(d, "big");
    for (int s = 0; s < 10; s++) {
      Slices slice = slice("big-" + s, "big").port("http", 8080);
      for (int i = 0; i < 100; i++) {
        slice.ready("big-pod-" + s + "-" + i, "10.8." + s + "." + (i + 1));
      }
      api.put(ns, slice.build());
    }
    awaitLast(l, e -> e.size() == 1000);
    Set<String> ids = new HashSet<>();
    l.last().forEach(e -> ids.add(e.id()));
    assertThat(ids).hasSize(1000).contains("big-pod-0-0", "big-pod-9-99");
  }

  @Test
  void slicesInOtherNamespacesAreIgnored() {
    String other = MockApi.namespace("other");
    api.service(ns, "shared");
    api.service(other, "shared");
    KubernetesServiceDiscovery d = discovery();
    RecordingListener l = watch(d, "shared");
    api.put(other, slice("shared-x", "shared").port("http", 80).ready("x-1", "10.9.9.9").build());
    api.put(ns, slice("shared-a", "shared").port("http", 80).ready("a-1", "10.9.0.1").build());
    awaitLast(l, e -> hosts(e).equals(Set.of("10.9.0.1")));
    api.put(other, slice("shared-y", "shared").port("http", 80).ready("y-1", "10.9.9.8").build());
    api.put(ns, slice("shared-b", "shared").port("http", 80).ready("b-1", "10.9.0.2").build());
    awaitLast(l, e -> hosts(e).equals(Set.of("10.9.0.1", "10.9.0.2")));
  }

  @Test
  void oddNamesAndUnusableEntriesAreSkippedNotFatal() {
    String longName = "s" + "x".repeat(61) + "1";
    KubernetesServiceDiscovery d = discovery();
    RecordingListener odd = watch(d, "odd_name.v2");
    RecordingListener longest = watch(d, longName);
    api.put(ns, slice("odd-a", "Odd_Name.v2").port("http", 80).ready("o-1", "10.10.0.1").build());
    api.put(ns, slice("long-a", longName).port("http", 80).ready("l-1", "10.10.1.1")
        .ready("l-2", "not an address").ready("l-3", "10.10.1.3").build());
    api.put(ns, slice("bad-a", "bad name!").port("http", 80).ready("b-1", "10.10.2.1").build());
    // truncated entries: an endpoint without addresses; a slice whose port has no number; a slice with no ports
    api.put(ns, slice("odd-b", "Odd_Name.v2").port("http", 80).raw(new EndpointBuilder().build())
        .ready("o-2", "10.10.0.2").build());
    io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice noNumber = slice("odd-c", "odd_name.v2")
        .port("http", 80).ready("o-3", "10.10.0.3").build();
    noNumber.getPorts().get(0).setPort(null);
    api.put(ns, noNumber);
    api.put(ns, slice("odd-d", "odd_name.v2").ready("o-4", "10.10.0.4").build());
    awaitLast(odd, e -> hosts(e).equals(Set.of("10.10.0.1", "10.10.0.2")));
    awaitLast(longest, e -> hosts(e).equals(Set.of("10.10.1.1", "10.10.1.3")));
    await().atMost(WAIT).until(() -> d.warnedProblems().contains("bad-a: service-name"));
    await().atMost(WAIT).until(() -> d.warnedProblems().containsAll(
        List.of("long-a: address not an address", "odd-b: no-address", "odd-c: port")));
    assertThat(d.knownServices()).containsExactlyInAnyOrder("odd_name.v2", longName);
  }

  @Test
  void aServiceWithoutSlicesIsEmptyUntilItsServiceIsDeleted() {
    api.service(ns, "gone");
    api.put(ns, slice("gone-a", "gone").port("http", 80).ready("g-1", "10.11.0.1").build());
    KubernetesServiceDiscovery d = discovery();
    RecordingListener l = watch(d, "gone");
    List<Set<String>> names = new CopyOnWriteArrayList<>();
    closeables.add(d.watchServices(names::add));
    awaitLast(l, e -> e.size() == 1);
    await().atMost(WAIT).until(() -> !names.isEmpty() && names.get(names.size() - 1).contains("gone"));

    api.deleteSlice(ns, "gone-a"); // the Service is still there: "no endpoints now", not "gone"
    awaitLast(l, List::isEmpty);
    assertThat(l.deletions()).isZero();
    assertThat(d.knownServices()).contains("gone");

    api.deleteService(ns, "gone");
    await().atMost(WAIT).until(() -> l.deletions() == 1);
    await().atMost(WAIT).until(() -> !names.get(names.size() - 1).contains("gone"));
  }

  @Test
  void labelsAndWeightComeFromTheSlice() {
    api.service(ns, "labelled");
    KubernetesServiceDiscovery d = discovery();
    RecordingListener l = watch(d, "labelled");
    api.put(ns, slice("labelled-a", "labelled").port("http", 80).label("version", "v2")
        .label("app.kubernetes.io/name", "labelled").annotation(SliceTranslator.WEIGHT_ANNOTATION, "5")
        .ready("l-1", "10.12.0.1").build());
    api.put(ns, slice("labelled-b", "labelled").port("http", 81)
        .annotation(SliceTranslator.WEIGHT_ANNOTATION, "heavy").ready("l-2", "10.12.0.2").build());
    awaitLast(l, e -> e.size() == 2);
    Endpoint a = byHost(l.last(), "10.12.0.1");
    assertThat(a.weight()).isEqualTo(5);
    assertThat(a.labels()).containsEntry("version", "v2")
        .doesNotContainKeys(SliceTranslator.SERVICE_NAME_LABEL, "app.kubernetes.io/name",
            "endpointslice.kubernetes.io/managed-by");
    assertThat(byHost(l.last(), "10.12.0.2").weight()).isEqualTo(Endpoint.DEFAULT_WEIGHT);
    assertThat(d.warnedProblems()).contains("labelled-b: weight");
  }

  @Test
  void aLabelSelectorNarrowsTheSlices() {
    api.service(ns, "sel");
    KubernetesServiceDiscovery d = discovery(KubernetesDiscoveryOptions.of(ns).withLabelSelector("mesh=enabled"));
    RecordingListener l = watch(d, "sel");
    api.put(ns, slice("sel-a", "sel").port("http", 80).ready("s-1", "10.13.0.1").build());
    api.put(ns, slice("sel-b", "sel").port("http", 80).label("mesh", "enabled").ready("s-2", "10.13.0.2").build());
    awaitLast(l, e -> hosts(e).equals(Set.of("10.13.0.2")));
  }

  @Test
  void anUnreachableApiServerIsReportedAndRecoveredFrom() throws Exception {
    api.service(ns, "flaky");
    api.put(ns, slice("flaky-a", "flaky").port("http", 80).ready("f-1", "10.14.0.1").build());
    KubernetesServiceDiscovery d = discovery();
    RecordingListener l = watch(d, "flaky");
    awaitLast(l, e -> e.size() == 1);
    api.cut();
    try {
      await().atMost(WAIT).until(() -> !l.errors().isEmpty());
      assertThat(d.health().connected()).isFalse();
      assertThat(l.last()).hasSize(1);
      // changed while unreachable: seen after the reconnect (by the relist or the resumed watch)
      api.put(ns, slice("flaky-a", "flaky").port("http", 80).ready("f-1", "10.14.0.1").ready("f-2", "10.14.0.2")
          .build());
    } finally {
      api.restore();
    }
    awaitLast(l, e -> e.size() == 2);
    await().atMost(WAIT).until(() -> d.health().connected());
  }

  @Test
  void aWatchThatStaysDownIsReplacedByAFreshList() throws Exception {
    api.service(ns, "stuck");
    api.put(ns, slice("stuck-a", "stuck").port("http", 80).ready("st-1", "10.15.0.1").build());
    KubernetesServiceDiscovery d = discovery();
    RecordingListener l = watch(d, "stuck");
    awaitLast(l, e -> e.size() == 1);
    api.refuseWatches(true); // lists answer, watches fail: only a new list can show a change
    try {
      await().atMost(WAIT).until(() -> !l.errors().isEmpty());
      api.put(ns, slice("stuck-a", "stuck").port("http", 80).ready("st-1", "10.15.0.1").ready("st-2", "10.15.0.2")
          .build());
      awaitLast(l, e -> e.size() == 2);
    } finally {
      api.refuseWatches(false);
    }
    await().atMost(WAIT).until(() -> d.health().connected());
  }
}
