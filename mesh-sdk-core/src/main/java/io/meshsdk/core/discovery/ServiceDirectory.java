package io.meshsdk.core.discovery;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.Ticker;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.endpoint.EndpointState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The current endpoints of every watched service, as immutable {@link EndpointSet} snapshots swapped
 * atomically.
 *
 * <p>Safety rules (the reason this class exists rather than handing backend data straight to the balancer):
 *
 * <ul>
 *   <li>A backend error keeps the last-known-good set.
 *   <li>An empty set after a non-empty one keeps the last-known-good set too (a registry that lost its data
 *       must not take the whole fleet out of rotation); only {@link DiscoveryListener#onServiceDeleted()}
 *       empties a service.
 *   <li>Endpoint statistics and health are carried over by endpoint id; state of an endpoint that leaves is
 *       dropped with the old snapshot.
 * </ul>
 *
 * <p>Reads ({@link #snapshot}) are a map lookup plus a volatile read; writes happen on discovery threads.
 */
public final class ServiceDirectory implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ServiceDirectory.class);

  private final ServiceDiscovery discovery;
  private final Ticker ticker;
  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /** A directory fed by {@code discovery}. */
  public ServiceDirectory(ServiceDiscovery discovery, Ticker ticker) {
    this.discovery = requireNonNull(discovery, "discovery");
    this.ticker = requireNonNull(ticker, "ticker");
  }

  /** The backend feeding this directory. */
  public ServiceDiscovery discovery() {
    return discovery;
  }

  /**
   * Starts watching {@code service} (idempotent) and returns its entry. The first snapshot may arrive
   * before this method returns (static and file backends) or later (remote backends).
   */
  public Entry watch(String service) {
    requireNonNull(service, "service");
    if (closed) {
      throw new IllegalStateException("ServiceDirectory is closed");
    }
    Entry existing = entries.get(service);
    if (existing != null) {
      return existing;
    }
    Entry created = new Entry(service);
    Entry raced = entries.putIfAbsent(service, created);
    if (raced != null) {
      return raced;
    }
    created.subscription = discovery.watch(service, created);
    return created;
  }

  /**
   * Stops watching {@code service} and forgets its snapshot (e.g. a name that turned out to be unknown).
   * Listeners of the entry get nothing more. No-op if it is not watched.
   */
  public void unwatch(String service) {
    Entry e = entries.remove(requireNonNull(service, "service"));
    if (e != null) {
      ServiceDiscovery.Subscription s = e.subscription;
      if (s != null) {
        s.close();
      }
    }
  }

  /** The services the backend knows without being asked (see {@link ServiceDiscovery#knownServices()}). */
  public Set<String> knownServices() {
    return discovery.knownServices();
  }

  /** The current snapshot of {@code service}, or an empty one if it is not watched. */
  public EndpointSet snapshot(String service) {
    Entry e = entries.get(service);
    return e == null ? EndpointSet.empty(service) : e.snapshot();
  }

  /** The watched services and their current snapshots. */
  public Map<String, EndpointSet> snapshots() {
    Map<String, EndpointSet> out = new LinkedHashMap<>();
    entries.forEach((k, v) -> out.put(k, v.snapshot()));
    return out;
  }

  @Override
  public void close() {
    closed = true;
    for (Entry e : entries.values()) {
      ServiceDiscovery.Subscription s = e.subscription;
      if (s != null) {
        s.close();
      }
    }
    entries.clear();
  }

  /** One watched service: its current snapshot and its change listeners. */
  public final class Entry implements DiscoveryListener {
    private final String service;
    private final List<Consumer<EndpointSet>> listeners = new CopyOnWriteArrayList<>();
    private volatile EndpointSet snapshot;
    private volatile ServiceDiscovery.@Nullable Subscription subscription;
    private volatile @Nullable Throwable lastError;
    private volatile boolean servingLastKnownGood;
    private long version;
    private final java.util.concurrent.CountDownLatch firstWord = new java.util.concurrent.CountDownLatch(1);

    Entry(String service) {
      this.service = service;
      this.snapshot = EndpointSet.empty(service);
    }

    /** The service name. */
    public String service() {
      return service;
    }

    /** The name of the discovery backend feeding this entry. */
    public String discoveryName() {
      return discovery.name();
    }

    /** Whether the backend has said anything (endpoints, deletion or an error) about this service yet. */
    public boolean hasHeardFromBackend() {
      return firstWord.getCount() == 0;
    }

    /**
     * Waits up to {@code timeout} for the backend's first word about this service.
     *
     * @return whether it arrived in time
     */
    public boolean awaitFirstWord(java.time.Duration timeout) {
      try {
        return firstWord.await(timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }

    /** The current snapshot: a volatile read. */
    public EndpointSet snapshot() {
      return snapshot;
    }

    /** Whether the entry is serving a last-known-good set because the backend failed or went empty. */
    public boolean isServingLastKnownGood() {
      return servingLastKnownGood;
    }

    /** The last backend error since the last good update, or {@code null}. */
    public @Nullable Throwable lastError() {
      return lastError;
    }

    /**
     * Adds a listener called with every new snapshot (on the discovery thread; must not block), and once
     * right away with the current one.
     */
    public void addListener(Consumer<EndpointSet> listener) {
      requireNonNull(listener, "listener");
      listeners.add(listener);
      listener.accept(snapshot);
    }

    /** Removes a listener added with {@link #addListener}. */
    public void removeListener(Consumer<EndpointSet> listener) {
      listeners.remove(listener);
    }

    @Override
    public synchronized void onEndpoints(List<Endpoint> endpoints) {
      requireNonNull(endpoints, "endpoints");
      EndpointSet current = snapshot;
      if (endpoints.isEmpty() && !current.isEmpty()) {
        if (!servingLastKnownGood) {
          servingLastKnownGood = true;
          log.warn(
              "discovery '{}' reported no endpoints for service '{}'; keeping the last-known-good {} "
                  + "endpoint(s) until it reports some or deletes the service",
              discovery.name(),
              service,
              current.size());
        }
        return;
      }
      Map<String, EndpointState> previous = new HashMap<>(current.size() * 2);
      for (EndpointState s : current.states()) {
        previous.put(s.endpoint().id(), s);
      }
      long now = ticker.read();
      List<EndpointState> next = new ArrayList<>(endpoints.size());
      Map<String, Boolean> seen = new HashMap<>(endpoints.size() * 2);
      for (Endpoint e : endpoints) {
        if (!e.service().equals(service)) {
          log.warn(
              "discovery '{}' reported endpoint {} under service '{}'; ignored", discovery.name(), e, service);
          continue;
        }
        if (seen.put(e.id(), Boolean.TRUE) != null) {
          log.warn("discovery '{}' reported endpoint id '{}' twice for service '{}'; kept the first",
              discovery.name(), e.id(), service);
          continue;
        }
        EndpointState old = previous.get(e.id());
        next.add(old == null ? new EndpointState(e, now) : old.carryOver(e));
      }
      if (servingLastKnownGood || lastError != null) {
        log.info(
            "discovery '{}' recovered for service '{}': {} endpoint(s)", discovery.name(), service, next.size());
      }
      servingLastKnownGood = false;
      lastError = null;
      publish(new EndpointSet(service, ++version, next));
      firstWord.countDown();
      if (current.size() != next.size()) {
        log.info("service '{}' now has {} endpoint(s) (was {})", service, next.size(), current.size());
      }
    }

    @Override
    public synchronized void onServiceDeleted() {
      if (!snapshot.isEmpty()) {
        log.info("discovery '{}' deleted service '{}'; dropping its {} endpoint(s)",
            discovery.name(), service, snapshot.size());
      }
      servingLastKnownGood = false;
      publish(new EndpointSet(service, ++version, List.of()));
      firstWord.countDown();
    }

    @Override
    public synchronized void onError(Throwable error) {
      boolean first = lastError == null;
      lastError = error;
      firstWord.countDown();
      if (first) {
        servingLastKnownGood = !snapshot.isEmpty();
        log.warn(
            "discovery '{}' failed for service '{}': {}; serving the last-known-good {} endpoint(s)",
            discovery.name(),
            service,
            error.toString(),
            snapshot.size());
      }
    }

    private void publish(EndpointSet next) {
      snapshot = next;
      for (Consumer<EndpointSet> l : listeners) {
        try {
          l.accept(next);
        } catch (RuntimeException e) {
          log.error("endpoint listener for service '{}' failed", service, e);
        }
      }
    }
  }
}
