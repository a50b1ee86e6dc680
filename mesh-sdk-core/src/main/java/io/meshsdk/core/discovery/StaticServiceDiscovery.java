package io.meshsdk.core.discovery;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.endpoint.Endpoint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Discovery from a programmatic list. Endpoints can be replaced at run time with {@link #set}, which pushes
 * the new snapshot to every watcher of that service (useful for tests, demos and small fixed fleets).
 */
public final class StaticServiceDiscovery extends FullListDiscovery {

  private StaticServiceDiscovery(Map<String, List<Endpoint>> initial) {
    Map<String, List<Endpoint>> copy = new LinkedHashMap<>();
    initial.forEach((service, list) -> copy.put(service, List.copyOf(list)));
    replaceAll(copy);
  }

  /** An empty discovery; add services with {@link #set}. */
  public static StaticServiceDiscovery create() {
    return new StaticServiceDiscovery(Map.of());
  }

  /** A discovery holding {@code endpoints}, grouped by their service. */
  public static StaticServiceDiscovery of(Endpoint... endpoints) {
    return of(List.of(endpoints));
  }

  /** A discovery holding {@code endpoints}, grouped by their service. */
  public static StaticServiceDiscovery of(List<Endpoint> endpoints) {
    Map<String, List<Endpoint>> byService = new LinkedHashMap<>();
    for (Endpoint e : endpoints) {
      byService.computeIfAbsent(e.service(), s -> new ArrayList<>()).add(e);
    }
    return new StaticServiceDiscovery(byService);
  }

  /**
   * Replaces the endpoints of {@code service} and notifies its watchers. An empty list is reported as-is
   * (the directory then keeps the last-known-good set); use {@link #delete} to remove a service.
   *
   * @throws IllegalArgumentException if an endpoint belongs to another service
   */
  public void set(String service, List<Endpoint> newEndpoints) {
    requireNonNull(service, "service");
    List<Endpoint> copy = List.copyOf(requireNonNull(newEndpoints, "newEndpoints"));
    for (Endpoint e : copy) {
      if (!e.service().equals(service)) {
        throw new IllegalArgumentException(
            "endpoint " + e + " belongs to service '" + e.service() + "', not '" + service + "'");
      }
    }
    replace(service, copy);
  }

  /** Deletes {@code service}: watchers are told it no longer exists. */
  public void delete(String service) {
    remove(requireNonNull(service, "service"));
  }

  @Override
  public String name() {
    return "static";
  }
}
