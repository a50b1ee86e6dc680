package io.meshsdk.core.internal.engine;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Which service names a TLS endpoint's certificate may be verified against, by endpoint host: the mesh connects to
 * an endpoint's address but verifies its certificate against the service's identity (the name callers use), never
 * only against an IP. Updated when endpoints change (rare), read when a TLS connection is made (once per
 * connection, not per call).
 */
public final class TlsIdentities {

  private final Map<String, Set<String>> hostsByService = new HashMap<>();
  private volatile Map<String, Set<String>> namesByHost = Map.of();

  /**
   * The services whose secure endpoints live on {@code host}: a certificate presented by {@code host} is verified
   * against these names (empty when the host is no secure endpoint).
   */
  public Set<String> namesFor(String host) {
    return namesByHost.getOrDefault(host, Set.of());
  }

  /** {@code service}'s secure endpoints are now on {@code hosts}. */
  synchronized void update(String service, Set<String> hosts) {
    Set<String> previous = hostsByService.get(service);
    if (hosts.equals(previous == null ? Set.of() : previous)) {
      return;
    }
    if (hosts.isEmpty()) {
      hostsByService.remove(service);
    } else {
      hostsByService.put(service, Set.copyOf(hosts));
    }
    Map<String, Set<String>> next = new HashMap<>();
    hostsByService.forEach((s, hs) -> {
      for (String h : hs) {
        next.computeIfAbsent(h, k -> new HashSet<>()).add(s);
      }
    });
    next.replaceAll((h, names) -> Set.copyOf(names));
    namesByHost = Map.copyOf(next);
  }
}
