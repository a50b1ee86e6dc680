package io.meshsdk.core.internal.directory;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.Ticker;
import io.meshsdk.core.discovery.DiscoveryListener;
import io.meshsdk.core.discovery.ServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.endpoint.EndpointSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The current endpoints of every watched service, as immutable {@link EndpointSet} snapshots swapped atomically.
 *
 * <p>Safety rules (the reason this class exists rather than handing backend data straight to the balancer):
 *
 * <ul>
 *   <li>A backend error keeps the last-known-good set.
 *   <li>An empty set after a non-empty one keeps the last-known-good set too (a registry that lost its data must
 *       not take the whole fleet out of rotation); only {@link DiscoveryListener#onServiceDeleted()} empties a
 *       service.
 *   <li>Endpoint statistics and health are carried over by endpoint id; the record of an endpoint that leaves is
 *       dropped with the old snapshot.
 * </ul>
 *
 * <p>Reads ({@link Entry#snapshot}) are a volatile read; writes happen on discovery threads, one at a time per
 * service.
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
   * Starts watching {@code service} (idempotent) and returns its entry. The first snapshot may arrive before
   * this method returns (static and file backends) or later (remote backends).
   *
   * @throws IllegalStateException when the directory is closed
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
    try {
      created.subscription = discovery.watch(service, created);
    } catch (RuntimeException e) { // a backend must not throw here; if it does, report it as a backend error
      log.error("discovery '{}' threw from watch('{}'); treating it as a backend error", discovery.name(), service, e);
      created.onError(e);
    }
    return created;
  }

  /** The entry of {@code service}, or {@code null} when it is not watched. */
  public @Nullable Entry entry(String service) {
    return entries.get(service);
  }

  /**
   * Stops watching {@code service} and forgets its snapshot. Listeners of the entry get nothing more. No-op if it
   * is not watched.
   */
  public void unwatch(String service) {
    Entry e = entries.remove(requireNonNull(service, "service"));
    if (e != null) {
      e.close();
    }
  }

  /** How many services are watched. */
  public int size() {
    return entries.size();
  }

  @Override
  public void close() {
    closed = true;
    for (Entry e : entries.values()) {
      e.close();
    }
    entries.clear();
  }

  /** One watched service: its current snapshot and its change listeners. */
  public final class Entry implements DiscoveryListener {
    private final String service;
    private final List<Consumer<EndpointSet>> listeners = new CopyOnWriteArrayList<>();
    private final CountDownLatch firstWord = new CountDownLatch(1);
    private volatile EndpointSet snapshot;
    private volatile ServiceDiscovery.@Nullable Subscription subscription;
    private volatile @Nullable Throwable lastError;
    private volatile long lastKnownGoodSinceNanos; // 0 = serving what the backend said last
    private volatile long lastUpdateNanos;
    private volatile boolean deleted;
    private volatile boolean closed;
    private long version;

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
    public boolean awaitFirstWord(Duration timeout) {
      try {
        return firstWord.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }

    /** The current snapshot: a volatile read. */
    public EndpointSet snapshot() {
      return snapshot;
    }

    /** Whether the entry serves a last-known-good set because the backend failed or went empty. */
    public boolean isServingLastKnownGood() {
      return lastKnownGoodSinceNanos != 0;
    }

    /** Since when (ticker nanos) the last-known-good set is served; 0 when it is not. */
    public long lastKnownGoodSinceNanos() {
      return lastKnownGoodSinceNanos;
    }

    /** When the backend last reported endpoints (ticker nanos); 0 before it did. */
    public long lastUpdateNanos() {
      return lastUpdateNanos;
    }

    /** Whether the backend said the service was deleted, and said nothing since. */
    public boolean isDeleted() {
      return deleted;
    }

    /** The last backend error since the last good update, or {@code null}. */
    public @Nullable Throwable lastError() {
      return lastError;
    }

    /**
     * Adds a listener called with every new snapshot (on the discovery thread; must not block), and once right
     * away with the current one.
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

    void close() {
      closed = true;
      listeners.clear();
      ServiceDiscovery.Subscription s = subscription;
      if (s != null) {
        try {
          s.close();
        } catch (RuntimeException e) {
          log.warn("discovery '{}': closing the watch of '{}' failed", discovery.name(), service, e);
        }
      }
    }

    @Override
    public synchronized void onEndpoints(List<Endpoint> endpoints) {
      requireNonNull(endpoints, "endpoints");
      if (closed) {
        return;
      }
      EndpointSet current = snapshot;
      long now = ticker.read();
      if (endpoints.isEmpty() && !current.isEmpty()) {
        if (lastKnownGoodSinceNanos == 0) {
          lastKnownGoodSinceNanos = now;
          log.warn("discovery '{}' reported no endpoints for service '{}'; keeping the last-known-good {} "
              + "endpoint(s) until it reports some or deletes the service", discovery.name(), service,
              current.size());
        }
        firstWord.countDown();
        return;
      }
      Map<String, TrackedEndpoint> previous = new HashMap<>(current.size() * 2);
      for (int i = 0; i < current.size(); i++) {
        TrackedEndpoint s = (TrackedEndpoint) current.get(i);
        previous.put(s.endpoint().id(), s);
      }
      List<TrackedEndpoint> next = new ArrayList<>(endpoints.size());
      Map<String, Boolean> seen = new HashMap<>(endpoints.size() * 2);
      for (Endpoint e : endpoints) {
        if (!e.service().equals(service)) {
          log.warn("discovery '{}' reported endpoint {} under service '{}'; ignored", discovery.name(), e, service);
          continue;
        }
        if (seen.put(e.id(), Boolean.TRUE) != null) {
          log.warn("discovery '{}' reported endpoint id '{}' twice for service '{}'; kept the first",
              discovery.name(), e.id(), service);
          continue;
        }
        TrackedEndpoint old = previous.get(e.id());
        next.add(old == null ? new TrackedEndpoint(e, now) : old.carryOver(e));
      }
      if (lastKnownGoodSinceNanos != 0 || lastError != null) {
        log.info("discovery '{}' recovered for service '{}': {} endpoint(s)", discovery.name(), service, next.size());
      }
      lastKnownGoodSinceNanos = 0;
      lastError = null;
      deleted = false;
      lastUpdateNanos = now;
      publish(new EndpointSet(service, ++version, next));
      firstWord.countDown();
      if (current.size() != next.size()) {
        log.info("service '{}' now has {} endpoint(s) (was {})", service, next.size(), current.size());
      }
    }

    @Override
    public synchronized void onServiceDeleted() {
      if (closed) {
        return;
      }
      if (!snapshot.isEmpty()) {
        log.info("discovery '{}' deleted service '{}'; dropping its {} endpoint(s)", discovery.name(), service,
            snapshot.size());
      }
      lastKnownGoodSinceNanos = 0;
      lastError = null;
      deleted = true;
      lastUpdateNanos = ticker.read();
      publish(new EndpointSet(service, ++version, List.of()));
      firstWord.countDown();
    }

    @Override
    public synchronized void onError(Throwable error) {
      if (closed) {
        return;
      }
      boolean first = lastError == null;
      lastError = error;
      firstWord.countDown();
      if (first) {
        if (!snapshot.isEmpty() && lastKnownGoodSinceNanos == 0) {
          lastKnownGoodSinceNanos = ticker.read();
        }
        log.warn("discovery '{}' failed for service '{}': {}; serving the last-known-good {} endpoint(s)",
            discovery.name(), service, error.toString(), snapshot.size());
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
