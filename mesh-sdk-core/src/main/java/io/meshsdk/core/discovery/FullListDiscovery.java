package io.meshsdk.core.discovery;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.endpoint.Endpoint;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/**
 * Base of the backends that hold the full list of services in memory (static, file): the list, the
 * watchers, and the rules for telling them about changes. Callbacks for all services are serialized under one
 * lock, as {@link ServiceDiscovery} requires; the listeners (the directory) only swap a snapshot.
 */
abstract class FullListDiscovery implements ServiceDiscovery {

  private final Object lock = new Object();
  private final Map<String, List<DiscoveryListener>> watchers = new HashMap<>();
  private Map<String, List<Endpoint>> services = Map.of();
  private @Nullable Throwable error;

  /** Replaces the whole list; tells each watched service that changed (or all, after an error). */
  final void replaceAll(Map<String, List<Endpoint>> next) {
    synchronized (lock) {
      boolean recovered = error != null;
      Map<String, List<Endpoint>> previous = services;
      services = Map.copyOf(next);
      error = null;
      watchers.forEach((service, listeners) -> {
        List<Endpoint> now = next.get(service);
        List<Endpoint> before = previous.get(service);
        if (now == null) {
          if (before != null || recovered) {
            listeners.forEach(DiscoveryListener::onServiceDeleted);
          }
        } else if (!now.equals(before) || recovered) {
          listeners.forEach(l -> l.onEndpoints(now));
        }
      });
    }
  }

  /** Replaces one service's endpoints and tells its watchers. */
  final void replace(String service, List<Endpoint> endpoints) {
    synchronized (lock) {
      Map<String, List<Endpoint>> next = new HashMap<>(services);
      next.put(service, List.copyOf(endpoints));
      services = Map.copyOf(next);
      for (DiscoveryListener l : watchers.getOrDefault(service, List.of())) {
        l.onEndpoints(endpoints);
      }
    }
  }

  /** Removes one service and tells its watchers it was deleted. */
  final void remove(String service) {
    synchronized (lock) {
      Map<String, List<Endpoint>> next = new HashMap<>(services);
      next.remove(service);
      services = Map.copyOf(next);
      for (DiscoveryListener l : watchers.getOrDefault(service, List.of())) {
        l.onServiceDeleted();
      }
    }
  }

  /**
   * The source failed: every watcher is told (the directory keeps its last-known-good sets) and new watchers
   * are told too, until {@link #replaceAll} succeeds.
   *
   * @return whether this is a new error (not the same message as the one already reported)
   */
  final boolean fail(Throwable failure) {
    synchronized (lock) {
      Throwable previous = error;
      error = failure;
      for (List<DiscoveryListener> ls : watchers.values()) {
        ls.forEach(l -> l.onError(failure));
      }
      return previous == null || !String.valueOf(previous.getMessage()).equals(failure.getMessage());
    }
  }

  /** Whether the last read failed. */
  final boolean failing() {
    synchronized (lock) {
      return error != null;
    }
  }

  @Override
  public final Set<String> knownServices() {
    synchronized (lock) {
      return Set.copyOf(services.keySet());
    }
  }

  @Override
  public final Subscription watch(String service, DiscoveryListener listener) {
    requireNonNull(service, "service");
    requireNonNull(listener, "listener");
    synchronized (lock) {
      watchers.computeIfAbsent(service, s -> new CopyOnWriteArrayList<>()).add(listener);
      Throwable e = error;
      if (e != null) {
        listener.onError(e);
      } else {
        // the full list is here: an unknown service is answered at once with "none"
        listener.onEndpoints(services.getOrDefault(service, List.of()));
      }
    }
    return () -> {
      synchronized (lock) {
        List<DiscoveryListener> ls = watchers.get(service);
        if (ls != null) {
          ls.remove(listener);
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
