package io.meshsdk.discovery.kubernetes;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds EndpointSlices for tests, as the EndpointSlice controller writes them. */
final class Slices {

  private final String name;
  private final String service;
  private String addressType = "IPv4";
  private final List<EndpointPort> ports = new ArrayList<>();
  private final List<io.fabric8.kubernetes.api.model.discovery.v1.Endpoint> endpoints = new ArrayList<>();
  private final Map<String, String> labels = new LinkedHashMap<>();
  private final Map<String, String> annotations = new LinkedHashMap<>();

  private Slices(String name, String service) {
    this.name = name;
    this.service = service;
    labels.put(SliceTranslator.SERVICE_NAME_LABEL, service);
    labels.put("endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io");
  }

  static Slices slice(String name, String service) {
    return new Slices(name, service);
  }

  Slices ipv6() {
    addressType = "IPv6";
    return this;
  }

  Slices port(String portName, int port) {
    ports.add(new EndpointPortBuilder().withName(portName).withPort(port).withProtocol("TCP").build());
    return this;
  }

  Slices label(String key, String value) {
    labels.put(key, value);
    return this;
  }

  Slices annotation(String key, String value) {
    annotations.put(key, value);
    return this;
  }

  /** A ready endpoint of pod {@code pod} at {@code address}. */
  Slices ready(String pod, String address) {
    return endpoint(pod, address, true, true, false, null);
  }

  /** An endpoint with these conditions ({@code null} zone: none). */
  Slices endpoint(String pod, String address, Boolean ready, Boolean serving, Boolean terminating, String zone) {
    EndpointBuilder b = new EndpointBuilder().withAddresses(address)
        .withNewConditions().withReady(ready).withServing(serving).withTerminating(terminating).endConditions();
    if (pod != null) {
      b.withNodeName("node-" + Math.floorMod(pod.hashCode(), 3));
      b.withNewTargetRef().withKind("Pod").withName(pod).withNamespace("ignored").endTargetRef();
    }
    if (zone != null) {
      b.withZone(zone);
    }
    endpoints.add(b.build());
    return this;
  }

  /** A raw endpoint, for odd cases. */
  Slices raw(io.fabric8.kubernetes.api.model.discovery.v1.Endpoint e) {
    endpoints.add(e);
    return this;
  }

  EndpointSlice build() {
    return new EndpointSliceBuilder().withNewMetadata().withName(name).withLabels(labels)
        .withAnnotations(annotations).endMetadata()
        .withAddressType(addressType).withPorts(ports).withEndpoints(endpoints).build();
  }

  String service() {
    return service;
  }
}
