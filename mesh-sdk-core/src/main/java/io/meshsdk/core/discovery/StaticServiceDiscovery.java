package io.meshsdk.core.discovery;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.endpoint.Endpoint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Discovery from a programmatic list. Endpoints can be replaced at run time with {@link #set}, which pushes
 * the new snapshot to every watcher of that service (useful for tests, demos and small fixed fleets).
 */
public final class StaticServiceDiscovery implements ServiceDiscovery {

  private final Object lock = new Object();
  private final Map<String, List<Endpoint>> endpoints = new HashMap<>();
  private final Map<String, List<DiscoveryListener>> watchers = new HashMap<>();

  private StaticServiceDiscovery(Map<String, List<Endpoint>> initial) {
    initial.forEach((service, list) -> endpoints.put(service, List.copyOf(list)));
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
    List<DiscoveryListener> toNotify;
    synchronized (lock) {
      endpoints.put(service, copy);
      toNotify = List.copyOf(watchers.getOrDefault(service, List.of()));
      for (DiscoveryListener l : toNotify) {
        l.onEndpoints(copy);
      }
    }
  }

  /** Deletes {@code service}: watchers are told it no longer exists. */
  public void delete(String service) {
    synchronized (lock) {
      endpoints.remove(service);
      for (DiscoveryListener l : watchers.getOrDefault(service, List.of())) {
        l.onServiceDeleted();
      }
    }
  }

  @Override
  public String name() {
    return "static";
  }

  @Override
  public Set<String> knownServices() {
    synchronized (lock) {
      return Set.copyOf(endpoints.keySet());
    }
  }

  @Override
  public Subscription watch(String service, DiscoveryListener listener) {
    requireNonNull(service, "service");
    requireNonNull(listener, "listener");
    synchronized (lock) {
      watchers.computeIfAbsent(service, s -> new CopyOnWriteArrayList<>()).add(listener);
      // the full list is here: an unknown service is answered at once with "none"
      listener.onEndpoints(endpoints.getOrDefault(service, List.of()));
    }
    return () -> {
      synchronized (lock) {
        List<DiscoveryListener> list = watchers.get(service);
        if (list != null) {
          list.remove(listener);
        }
      }
    };
  }

  @Override
  public void close() {
    synchronized (lock) {
      watchers.clear();
    }
  }
}
