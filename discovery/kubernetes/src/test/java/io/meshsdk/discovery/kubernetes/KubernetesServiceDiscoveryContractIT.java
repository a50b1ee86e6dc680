package io.meshsdk.discovery.kubernetes;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.meshsdk.core.discovery.ServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.testing.contract.AbstractServiceDiscoveryContractTest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.time.Duration;
import static org.awaitility.Awaitility.await;

/**
 * The discovery contract against fabric8's mock API server in CRUD mode. The source is Kubernetes' own model: a
 * publish writes a Service and its EndpointSlices (endpoints that share a port, weight and labels share a slice;
 * weight as the slice annotation {@code meshsdk.io/weight}, labels as slice labels, zone in the endpoint); an empty
 * push is a slice with no endpoints (what the EndpointSlice controller writes for a Service with no pods); a
 * deletion deletes the Service and its slices; a failing source is the API server made unreachable.
 */
class KubernetesServiceDiscoveryContractIT extends AbstractServiceDiscoveryContractTest {

  private final MockApi api = MockApi.get();
  private final String namespace = MockApi.namespace("contract");

  private final List<KubernetesServiceDiscovery> backends = new CopyOnWriteArrayList<>();

  @Override
  protected ServiceDiscovery newDiscovery() {
    KubernetesServiceDiscovery d = api.discovery(KubernetesDiscoveryOptions.of(namespace));
    backends.add(d);
    return d;
  }

  /**
   * The contract's endpoints differ by port, so they live in several slices, and slices change one at a time: a
   * backend may see a part of them in between (as it would in a cluster). An empty push is made while the backends
   * hold their changes, so that they see it as one change, the way the contract means it.
   */
  @Override
  protected void publishEmpty(String service) throws Exception {
    List<AutoCloseable> holds = new ArrayList<>();
    for (KubernetesServiceDiscovery d : backends) {
      holds.add(d.hold());
    }
    try {
      publish(service, List.of());
      for (KubernetesServiceDiscovery d : backends) {
        await().atMost(Duration.ofSeconds(10)).until(() -> d.cachedEndpoints(service) == 0);
      }
    } finally {
      for (AutoCloseable h : holds) {
        h.close();
      }
    }
  }

  /**
   * The mock server does not replay history to a watch that starts from an older resourceVersion (a real API server
   * does), so a change made between a backend's list and its watch would be lost: changes wait for open watches.
   */
  private void awaitWatching() {
    for (KubernetesServiceDiscovery d : backends) {
      if (!d.isClosed()) {
        await().atMost(Duration.ofSeconds(10)).until(d::watching);
      }
    }
  }

  @Override
  protected void publish(String service, List<Endpoint> endpoints) {
    awaitWatching();
    api.service(namespace, service);
    Map<String, Slices> groups = new LinkedHashMap<>();
    for (Endpoint e : endpoints) {
      String key = e.port() + "|" + e.weight() + "|" + e.secure() + "|" + e.labels();
      Slices s = groups.computeIfAbsent(key, k -> {
        Slices n = Slices.slice(service + "-" + groups.size(), service).port(e.secure() ? "https" : "http", e.port());
        e.labels().forEach(n::label);
        if (e.weight() != Endpoint.DEFAULT_WEIGHT) {
          n.annotation(SliceTranslator.WEIGHT_ANNOTATION, Integer.toString(e.weight()));
        }
        return n;
      });
      s.endpoint(null, e.host(), true, true, false, e.zone().isEmpty() ? null : e.zone());
    }
    List<EndpointSlice> slices = new ArrayList<>();
    groups.values().forEach(s -> slices.add(s.build()));
    if (slices.isEmpty()) {
      slices.add(Slices.slice(service + "-0", service).port("http", 8080).build());
    }
    api.slices(namespace, service, slices);
  }

  @Override
  protected void delete(String service) {
    awaitWatching();
    api.deleteService(namespace, service);
    api.slices(namespace, service, List.of());
  }

  @Override
  protected AutoCloseable breakSource() throws Exception {
    // a watch not yet seen open gets 10 s before it counts as an outage; one seen open, 1 s
    for (KubernetesServiceDiscovery d : backends) {
      await().atMost(Duration.ofSeconds(10)).until(d::watchConfirmed);
    }
    api.cut();
    return () -> api.restore();
  }

  @Override
  protected Set<String> threadNamePrefixes() {
    return Set.of("mesh-k8s-");
  }
}
