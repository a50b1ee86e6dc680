package io.meshsdk.discovery.kubernetes;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.meshsdk.core.endpoint.Endpoint;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Turns the EndpointSlices of one service into mesh endpoints. Pure: what it cannot use it reports to a
 * {@link Warnings} sink (which logs each problem once) and skips; it never fails the whole service.
 *
 * <p>Rules: the port is the one named by the options, else the slice's only port, else the one named {@code http};
 * an endpoint is used when its {@code ready} condition is true (absent means true, as the API says); when no
 * endpoint of the whole service is ready and the options allow it, the endpoints that are {@code serving} and
 * {@code terminating} are used instead (kube-proxy's fallback). Addresses are the endpoints' own (pod IPs), never a
 * Service's ClusterIP, which the slices do not carry.
 */
final class SliceTranslator {

  /** Label on slices naming their Service. */
  static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
  /** Annotation on a slice giving its endpoints' weight. */
  static final String WEIGHT_ANNOTATION = "meshsdk.io/weight";
  /** Fallback zone key in an endpoint's {@code deprecatedTopology}. */
  static final String ZONE_LABEL = "topology.kubernetes.io/zone";
  /** Endpoint labels this backend adds. */
  static final String LABEL_POD = "k8s.pod";
  static final String LABEL_NODE = "k8s.node";
  static final String LABEL_HOSTNAME = "k8s.hostname";
  static final String LABEL_TERMINATING = "k8s.terminating";

  /** Where problems go, keyed so that the sink logs each once. */
  interface Warnings {
    void warn(String slice, String problem, String message);
  }

  private SliceTranslator() {}

  static List<Endpoint> endpoints(
      String service, List<EndpointSlice> slices, KubernetesDiscoveryOptions options, Warnings warnings) {
    List<EndpointSlice> sorted = new ArrayList<>(slices);
    // IPv4 before IPv6 (a dual-stack pod is listed once, by its first address), then by name: deterministic
    sorted.sort(Comparator.comparing((EndpointSlice s) -> String.valueOf(s.getAddressType()))
        .thenComparing(s -> String.valueOf(s.getMetadata().getName())));
    List<Endpoint> ready = new ArrayList<>();
    List<Endpoint> terminating = new ArrayList<>();
    for (EndpointSlice slice : sorted) {
      String sliceName = String.valueOf(slice.getMetadata().getName());
      EndpointPort port = port(slice, options.portName(), sliceName, warnings);
      if (port == null) {
        continue;
      }
      int weight = weight(slice.getMetadata(), sliceName, warnings);
      Map<String, String> sliceLabels = userLabels(slice.getMetadata());
      boolean secure = "https".equalsIgnoreCase(port.getAppProtocol()) || "https".equals(port.getName());
      List<io.fabric8.kubernetes.api.model.discovery.v1.Endpoint> list = slice.getEndpoints();
      if (list == null) {
        continue;
      }
      for (io.fabric8.kubernetes.api.model.discovery.v1.Endpoint ep : list) {
        EndpointConditions c = ep.getConditions();
        boolean isReady = c == null || c.getReady() == null || c.getReady();
        boolean isServing = (c == null || c.getServing() == null) ? isReady : c.getServing();
        boolean isTerminating = c != null && c.getTerminating() != null && c.getTerminating();
        if (!isReady && !(isServing && isTerminating)) {
          continue;
        }
        List<String> addresses = ep.getAddresses();
        if (addresses == null || addresses.isEmpty()) {
          warnings.warn(sliceName, "no-address", "an endpoint of slice '" + sliceName + "' has no address; skipped");
          continue;
        }
        for (String address : addresses) {
          Endpoint e = toEndpoint(service, ep, address, addresses.size(), port.getPort(), secure, weight,
              sliceLabels, !isReady, sliceName, warnings);
          if (e != null) {
            (isReady ? ready : terminating).add(e);
          }
        }
      }
    }
    if (ready.isEmpty() && options.includeTerminating()) {
      return terminating;
    }
    return ready;
  }

  private static @Nullable Endpoint toEndpoint(String service,
      io.fabric8.kubernetes.api.model.discovery.v1.Endpoint ep, String address, int addressCount, int port,
      boolean secure, int weight, Map<String, String> sliceLabels, boolean terminating, String sliceName,
      Warnings warnings) {
    Map<String, String> labels = new LinkedHashMap<>(sliceLabels);
    String pod = null;
    ObjectReference ref = ep.getTargetRef();
    if (ref != null && "Pod".equals(ref.getKind()) && ref.getName() != null && !ref.getName().isBlank()) {
      pod = ref.getName();
      labels.put(LABEL_POD, pod);
    }
    if (ep.getNodeName() != null && !ep.getNodeName().isBlank()) {
      labels.put(LABEL_NODE, ep.getNodeName());
    }
    if (ep.getHostname() != null && !ep.getHostname().isBlank()) {
      labels.put(LABEL_HOSTNAME, ep.getHostname());
    }
    if (terminating) {
      labels.put(LABEL_TERMINATING, "true");
    }
    String zone = ep.getZone();
    if ((zone == null || zone.isBlank()) && ep.getDeprecatedTopology() != null) {
      zone = ep.getDeprecatedTopology().get(ZONE_LABEL);
    }
    try {
      Endpoint.Builder b = Endpoint.builder(service, address, port).secure(secure).weight(weight).labels(labels);
      if (zone != null && !zone.isBlank()) {
        b.zone(zone);
      }
      if (pod != null) {
        b.id(addressCount == 1 ? pod : pod + "/" + address);
      }
      return b.build();
    } catch (IllegalArgumentException e) {
      warnings.warn(sliceName, "address " + address,
          "slice '" + sliceName + "': endpoint " + address + ":" + port + " is not usable (" + e.getMessage()
              + "); skipped");
      return null;
    }
  }

  private static @Nullable EndpointPort port(
      EndpointSlice slice, @Nullable String wanted, String sliceName, Warnings warnings) {
    List<EndpointPort> ports = slice.getPorts() == null ? List.of() : slice.getPorts();
    EndpointPort chosen = null;
    if (wanted != null) {
      for (EndpointPort p : ports) {
        if (wanted.equals(p.getName())) {
          chosen = p;
        }
      }
      if (chosen == null) {
        warnings.warn(sliceName, "port", "slice '" + sliceName + "' has no port named '" + wanted + "' (ports: "
            + names(ports) + "); its endpoints are skipped (mesh.discovery.kubernetes.port-name)");
        return null;
      }
    } else if (ports.size() == 1) {
      chosen = ports.get(0);
    } else {
      for (EndpointPort p : ports) {
        if ("http".equals(p.getName())) {
          chosen = p;
        }
      }
      if (chosen == null) {
        if (!ports.isEmpty()) { // a slice with no ports has no endpoints worth a warning (e.g. an empty service)
          warnings.warn(sliceName, "port", "slice '" + sliceName + "' has ports " + names(ports)
              + " and none named 'http'; its endpoints are skipped: set mesh.discovery.kubernetes.port-name");
        }
        return null;
      }
    }
    Integer number = chosen.getPort();
    if (number == null || number < 1 || number > 65535) {
      warnings.warn(sliceName, "port", "slice '" + sliceName + "' port '" + chosen.getName() + "' has no usable"
          + " number (" + number + "); its endpoints are skipped");
      return null;
    }
    if (chosen.getProtocol() != null && !"TCP".equals(chosen.getProtocol())) {
      warnings.warn(sliceName, "port", "slice '" + sliceName + "' port '" + chosen.getName() + "' is "
          + chosen.getProtocol() + ", not TCP; its endpoints are skipped");
      return null;
    }
    return chosen;
  }

  private static List<String> names(List<EndpointPort> ports) {
    List<String> out = new ArrayList<>();
    for (EndpointPort p : ports) {
      out.add(p.getName() == null ? "<unnamed>:" + p.getPort() : p.getName() + ":" + p.getPort());
    }
    return out;
  }

  private static int weight(ObjectMeta meta, String sliceName, Warnings warnings) {
    Map<String, String> annotations = meta.getAnnotations();
    String text = annotations == null ? null : annotations.get(WEIGHT_ANNOTATION);
    if (text == null) {
      return Endpoint.DEFAULT_WEIGHT;
    }
    try {
      int w = Integer.parseInt(text.trim());
      if (w >= Endpoint.MIN_WEIGHT && w <= Endpoint.MAX_WEIGHT) {
        return w;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    warnings.warn(sliceName, "weight", "slice '" + sliceName + "': annotation " + WEIGHT_ANNOTATION + "=" + text
        + " is not " + Endpoint.MIN_WEIGHT + "-" + Endpoint.MAX_WEIGHT + "; weight " + Endpoint.DEFAULT_WEIGHT
        + " used");
    return Endpoint.DEFAULT_WEIGHT;
  }

  /** The slice's labels without Kubernetes' own ({@code *kubernetes.io/*}, {@code *k8s.io/*}). */
  private static Map<String, String> userLabels(ObjectMeta meta) {
    Map<String, String> labels = meta.getLabels();
    if (labels == null || labels.isEmpty()) {
      return Map.of();
    }
    Map<String, String> out = new LinkedHashMap<>();
    labels.forEach((k, v) -> {
      int slash = k.indexOf('/');
      String prefix = slash < 0 ? "" : k.substring(0, slash);
      if (!prefix.endsWith("kubernetes.io") && !prefix.endsWith("k8s.io") && v != null) {
        out.put(k, v);
      }
    });
    return out;
  }
}
