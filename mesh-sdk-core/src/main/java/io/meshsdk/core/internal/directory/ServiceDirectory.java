package io.meshsdk.core.internal.directory;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.Ticker;
import io.meshsdk.core.discovery.DiscoveryListener;
import io.meshsdk.core.discovery.ServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.endpoint.EndpointSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
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
  private final @Nullable FailsafeStore failsafe;
  private final LongSupplier wallMillis;
  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
  private volatile StaleListener staleListener = (service, stale, reason) -> { };
  private volatile boolean closed;

  /** Told when a service starts or stops serving last-known-good endpoints (on the discovery thread). */
  @FunctionalInterface
  public interface StaleListener {
    /** {@code service} serves last-known-good endpoints ({@code stale}) or fresh ones again; {@code reason} why. */
    void onStale(String service, boolean stale, String reason);
  }

  /** Sets the listener of last-known-good transitions (one; the engine's). */
  public void staleListener(StaleListener listener) {
    this.staleListener = requireNonNull(listener, "listener");
  }

  /** A directory fed by {@code discovery}, with no failsafe files. */
  public ServiceDirectory(ServiceDiscovery discovery, Ticker ticker) {
    this(discovery, ticker, null, System::currentTimeMillis);
  }

  /**
   * A directory fed by {@code discovery}.
   *
   * @param failsafe where each service's last-known-good endpoints are kept on disk for a cold start with the
   *     registry down, or {@code null}
   * @param wallMillis the wall clock (epoch millis), to place a provider's start time ({@link
   *     Endpoint#START_TIME_LABEL}) on the ticker
   */
  public ServiceDirectory(ServiceDiscovery discovery, Ticker ticker, @Nullable FailsafeStore failsafe,
      LongSupplier wallMillis) {
    this.discovery = requireNonNull(discovery, "discovery");
    this.ticker = requireNonNull(ticker, "ticker");
    this.failsafe = failsafe;
    this.wallMillis = requireNonNull(wallMillis, "wallMillis");
  }

  /** The services the failsafe directory has files for (none without one). */
  public Set<String> failsafeServices() {
    return failsafe == null ? Set.of() : failsafe.services();
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
    if (failsafe != null) {
      failsafe.close();
    }
  }

  /**
   * When the provider behind {@code e} started, on the ticker: its {@link Endpoint#START_TIME_LABEL} placed on the
   * ticker and never later than {@code now}, or {@code now} when it has none (first seen counts as started).
   */
  private long providerStartNanos(Endpoint e, long now) {
    java.time.Instant started = e.startTime();
    if (started == null) {
      return now;
    }
    long agoMillis = wallMillis.getAsLong() - started.toEpochMilli();
    if (agoMillis <= 0) {
      return now; // a clock ahead of ours: it starts now
    }
    return now - Math.min(agoMillis, Long.MAX_VALUE / 4_000_000L) * 1_000_000L;
  }

  /** Whether {@code a} and {@code b} have the same id: the same object first (a backend keeps unchanged ones). */
  @SuppressWarnings("ReferenceEquality")
  private static boolean sameId(Endpoint a, Endpoint b) {
    return a == b || a.id().equals(b.id());
  }

  /** One watched service: its current snapshot and its change listeners. */
  public final class Entry implements DiscoveryListener {
    private final String service;
    private final List<Consumer<EndpointSet>> listeners = new CopyOnWriteArrayList<>();
    private final CountDownLatch firstWord = new CountDownLatch(1);
    private final StatsArena arena = new StatsArena(); // the endpoints' statistics cells, under this entry's lock
    private volatile EndpointSet snapshot;
    private volatile ServiceDiscovery.@Nullable Subscription subscription;
    private volatile @Nullable Throwable lastError;
    private volatile long lastKnownGoodSinceNanos; // 0 = serving what the backend said last
    private volatile long lastUpdateNanos;
    private volatile java.time.@Nullable Instant failsafeWrittenAt;
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
        if (firstWord.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
          return true;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      io.meshsdk.core.discovery.DiscoveryHealth health = discovery.health();
      if (health.connected() && health.lastUpdate() != null) {
        return false; // the backend is up and answering: its silence about this service is an answer
      }
      return useFailsafe("said nothing within " + timeout.toMillis() + " ms");
    }

    /**
     * When this entry serves the endpoints of a failsafe file (a cold start with discovery down or silent): when
     * that file was written; else {@code null}.
     */
    public java.time.@Nullable Instant failsafeWrittenAt() {
      return failsafeWrittenAt;
    }

    /** Serves the failsafe file, if there is one and nothing better: returns whether it did. */
    private synchronized boolean useFailsafe(String why) {
      FailsafeStore store = failsafe;
      if (store == null || closed || !snapshot.isEmpty() || deleted) {
        return false;
      }
      FailsafeStore.Loaded loaded = store.load(service);
      if (loaded == null || loaded.endpoints().isEmpty()) {
        return false;
      }
      long now = ticker.read();
      arena.reserve(loaded.endpoints().size());
      List<TrackedEndpoint> next = new ArrayList<>(loaded.endpoints().size());
      for (Endpoint e : loaded.endpoints()) {
        next.add(track(e, now));
      }
      failsafeWrittenAt = loaded.writtenAt();
      lastKnownGoodSinceNanos = now;
      stale(true, "discovery '" + discovery.name() + "' " + why + "; endpoints from the failsafe file written at "
          + loaded.writtenAt());
      Duration age = Duration.ofMillis(Math.max(0, wallMillis.getAsLong() - loaded.writtenAt().toEpochMilli()));
      log.warn("discovery '{}' {} for service '{}'; serving {} endpoint(s) from the failsafe file {} written at {} "
          + "({} s old) until it answers", discovery.name(), why, service, next.size(), store.fileOf(service),
          loaded.writtenAt(), age.toSeconds());
      publish(new EndpointSet(service, ++version, next));
      firstWord.countDown();
      return true;
    }

    private void stale(boolean stale, String reason) {
      try {
        staleListener.onStale(service, stale, reason);
      } catch (RuntimeException e) {
        log.warn("stale listener for service '{}' failed", service, e);
      }
    }

    private TrackedEndpoint track(Endpoint e, long now) {
      TrackedEndpoint t = arena.newRecord(e, now);
      long started = providerStartNanos(e, now);
      if (started != now) {
        t.warmFrom(started);
      }
      return t;
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
        keepLastKnownGood(current, now);
        return;
      }
      if (current.isEmpty()) {
        arena.reserve(endpoints.size()); // a first snapshot's cells in one block
      }
      RecordIndex previous = null; // built only when an endpoint moved: registries keep order
      List<TrackedEndpoint> next = new ArrayList<>(endpoints.size());
      // an id listed twice: a known id's record is claimed twice (the arena's marks), a new id is seen twice
      IdSet newIds = null;
      arena.begin();
      int i = -1;
      for (Endpoint e : endpoints) {
        i++;
        if (!e.service().equals(service)) {
          log.warn("discovery '{}' reported endpoint {} under service '{}'; ignored", discovery.name(), e, service);
          continue;
        }
        TrackedEndpoint old = null;
        if (i < current.size() && sameId(current.get(i).endpoint(), e)) {
          old = (TrackedEndpoint) current.get(i);
        } else {
          if (previous == null) {
            previous = new RecordIndex(current);
          }
          old = previous.get(e.id());
        }
        boolean twice;
        if (old != null) {
          twice = !arena.claim(old);
        } else {
          if (newIds == null) {
            newIds = new IdSet();
          }
          twice = !newIds.add(e.id());
        }
        if (twice) {
          log.warn("discovery '{}' reported endpoint id '{}' twice for service '{}'; kept the first",
              discovery.name(), e.id(), service);
          continue;
        }
        if (old == null) {
          next.add(track(e, now));
          continue;
        }
        TrackedEndpoint kept = old.carryOver(e);
        if (kept != old) {
          java.time.Instant started = e.startTime();
          java.time.Instant before = old.endpoint().startTime();
          if (before != null && started != null && started.isAfter(before)) {
            // the provider restarted at the same address: a new process, so its old ejection is not its own;
            // it ramps up from its start like any new provider
            kept.restore(now);
            kept.resetEjectionCount();
            kept.warmFrom(providerStartNanos(e, now));
          }
        }
        next.add(kept);
      }
      if (next.isEmpty() && !current.isEmpty()) { // every entry skipped: no usable endpoint is an empty answer
        keepLastKnownGood(current, now);
        return;
      }
      if (lastKnownGoodSinceNanos != 0 || lastError != null) {
        log.info("discovery '{}' recovered for service '{}': {} endpoint(s)", discovery.name(), service, next.size());
      }
      if (lastKnownGoodSinceNanos != 0) {
        stale(false, "discovery '" + discovery.name() + "' reported " + next.size() + " endpoint(s)");
      }
      lastKnownGoodSinceNanos = 0;
      lastError = null;
      failsafeWrittenAt = null;
      deleted = false;
      lastUpdateNanos = now;
      arena.sweep(current, now);
      publish(new EndpointSet(service, ++version, next));
      if (failsafe != null && !next.isEmpty()) {
        List<Endpoint> accepted = new ArrayList<>(next.size());
        for (TrackedEndpoint t : next) {
          accepted.add(t.endpoint());
        }
        failsafe.save(service, accepted);
      }
      firstWord.countDown();
      if (current.size() != next.size()) {
        log.info("service '{}' now has {} endpoint(s) (was {})", service, next.size(), current.size());
      }
    }

    private void keepLastKnownGood(EndpointSet current, long now) {
      if (lastKnownGoodSinceNanos == 0) {
        lastKnownGoodSinceNanos = now;
        stale(true, "discovery '" + discovery.name() + "' reported no endpoints");
        log.warn("discovery '{}' reported no endpoints for service '{}'; keeping the last-known-good {} "
            + "endpoint(s) until it reports some or deletes the service", discovery.name(), service,
            current.size());
      }
      firstWord.countDown();
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
      if (lastKnownGoodSinceNanos != 0) {
        stale(false, "discovery '" + discovery.name() + "' deleted the service");
      }
      lastKnownGoodSinceNanos = 0;
      lastError = null;
      failsafeWrittenAt = null;
      deleted = true;
      lastUpdateNanos = ticker.read();
      arena.begin();
      arena.sweep(snapshot, lastUpdateNanos);
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
      if (snapshot.isEmpty() && useFailsafe("is failing (" + error + ")")) {
        return;
      }
      firstWord.countDown();
      if (first) {
        if (!snapshot.isEmpty() && lastKnownGoodSinceNanos == 0) {
          lastKnownGoodSinceNanos = ticker.read();
          stale(true, "discovery '" + discovery.name() + "' is failing: " + error);
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
