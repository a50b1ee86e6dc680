package io.meshsdk.core.registration;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.Hosts;
import io.meshsdk.core.common.ServiceNames;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one instance of this process advertises to a registry: an immutable value.
 *
 * @param service the logical service name, e.g. {@code inventory}
 * @param host the host or IP that callers connect to
 * @param port the port callers connect to, 1-65535
 * @param labels free-form labels (version, zone...) copied into the registry entry
 */
public record ServiceRegistration(String service, String host, int port, Map<String, String> labels) {

  /** Validates every component. */
  public ServiceRegistration {
    requireNonNull(service, "service");
    requireNonNull(host, "host");
    requireNonNull(labels, "labels");
    service = ServiceNames.canonical("service", service);
    host = Hosts.canonical("host", host);
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
    }
    labels = Map.copyOf(labels);
  }

  /** A registration with no labels. */
  public static ServiceRegistration of(String service, String host, int port) {
    return new ServiceRegistration(service, host, port, Map.of());
  }

  /** A copy advertising another port. */
  public ServiceRegistration withPort(int newPort) {
    return new ServiceRegistration(service, host, newPort, labels);
  }

  /** A copy with one more (or a replaced) label. */
  public ServiceRegistration withLabel(String key, String value) {
    Map<String, String> copy = new HashMap<>(labels);
    copy.put(requireNonNull(key, "key"), requireNonNull(value, "value"));
    return new ServiceRegistration(service, host, port, copy);
  }

  @Override
  public String toString() {
    return service + "@" + host + ":" + port + (labels.isEmpty() ? "" : " " + new TreeMap<>(labels));
  }
}
