package io.meshsdk.core.discovery;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.SerialExecutor;
import io.meshsdk.core.endpoint.Endpoint;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The base of every discovery backend (the mesh's own static and file backends, and {@code discovery/*} modules):
 * a backend reports what it learns with the protected methods below, full snapshots or incremental changes, from
 * any thread; this class keeps the current endpoints of every service, the watchers, and delivers the callbacks
 * the {@link ServiceDiscovery} contract asks for: serialized (one at a time, in the order the changes were
 * made), never while a lock is held, only when something changed, and with the error rules that let the mesh keep
 * its last-known-good endpoints.
 *
 * <pre>{@code
 * final class MyDiscovery extends AbstractServiceDiscovery {
 *   MyDiscovery() { super(false); }                     // a remote backend: watches per service
 *   public String name() { return "my-registry"; }
 *   protected void watchStarted(String service) { client.watch(service, this::onChange); }
 *   private void onChange(String service, List<Endpoint> now) { setEndpoints(service, now); }
 *   private void onDisconnect(Exception e) { reportError(e); }   // watchers keep last-known-good
 * }
 * }</pre>
 *
 * <p>Two kinds of backend:
 *
 * <ul>
 *   <li><b>Full list</b> ({@code holdsFullList = true}: static, file): the backend holds every service, so a
 *       watcher of a service it does not hold is told "no endpoints" at once, and {@link #replaceAll} deletes the
 *       services it no longer lists.
 *   <li><b>Per service</b> ({@code false}: registries): a watcher of a service the backend has not reported yet
 *       hears nothing until it does; {@link #watchStarted} tells the backend to start following a service.
 * </ul>
 */
public abstract class AbstractServiceDiscovery implements ServiceDiscovery {

  private static final Logger log = LoggerFactory.getLogger(AbstractServiceDiscovery.class);

  private final boolean holdsFullList;
  private final Object lock = new Object();
  private final SerialExecutor delivery = new SerialExecutor("discovery callbacks", Runnable::run);
  private final Map<String, HeldEndpoints> services = new LinkedHashMap<>();
  private final Map<String, List<DiscoveryListener>> watchers = new HashMap<>();
  private final List<Consumer<Set<String>>> nameWatchers = new CopyOnWriteArrayList<>();
  private final Map<String, Throwable> serviceErrors = new HashMap<>();
  private @Nullable Throwable error;
  private volatile @Nullable Instant lastUpdate;
  private volatile @Nullable String lastError;
  private volatile @Nullable Instant lastErrorAt;
  private boolean closed;

  /**
   * A backend.
   *
   * @param holdsFullList whether the backend holds the full list of services (see the class comment)
   */
  protected AbstractServiceDiscovery(boolean holdsFullList) {
    this.holdsFullList = holdsFullList;
  }

  // ---- for the backend ----------------------------------------------------------------------------------------

  /**
   * The full current endpoints of {@code service}, replacing what was reported before. An empty collection means
   * "none right now" (the mesh keeps its last-known-good endpoints); use {@link #deleteService} when the service is
   * really gone. Endpoints with an id seen before in the collection are ignored (the first wins). The collection
   * is read before this method returns and not kept.
   *
   * <p>Watchers hear of it only when something changed: an id arrived or left, or an endpoint's value (address,
   * weight, zone, labels) differs. The endpoints are kept across updates, so the cost is one walk of the
   * collection, with a hash lookup only for an endpoint not at the position it had, plus one comparison per
   * endpoint that is not the very object reported before; an endpoint equal to the one reported before reaches
   * the watchers as that same object (the mesh's directory then recognises it by identity).
   *
   * @throws IllegalArgumentException if an endpoint belongs to another service
   */
  protected final void setEndpoints(String service, Collection<Endpoint> given) {
    requireNonNull(service, "service");
    // one snapshot (an array copy of the references) read by both the check and the walk: a collection changed
    // while it is read (a caller's list, a live view) can neither fail the walk half way nor differ from what
    // was checked
    List<Endpoint> endpoints = snapshot(requireNonNull(given, "endpoints"));
    HeldEndpoints.check(service, endpoints);
    synchronized (lock) {
      if (closed) {
        return;
      }
      boolean recovered = serviceErrors.remove(service) != null;
      HeldEndpoints held = services.get(service);
      boolean fresh = held == null;
      if (held == null) {
        held = new HeldEndpoints();
        services.put(service, held);
      }
      boolean changed = held.replace(endpoints);
      touch();
      if (fresh) {
        enqueueNames();
      }
      if (recovered || fresh || changed) {
        enqueueEndpoints(service, held);
      }
    }
    delivery.flush();
  }

  /** Adds {@code endpoint} to its service, or replaces the endpoint with the same id. */
  protected final void putEndpoint(Endpoint endpoint) {
    requireNonNull(endpoint, "endpoint");
    synchronized (lock) {
      if (closed) {
        return;
      }
      HeldEndpoints held = services.get(endpoint.service());
      boolean fresh = held == null;
      if (held == null) {
        held = new HeldEndpoints();
        services.put(endpoint.service(), held);
      }
      boolean changed = held.put(endpoint);
      touch();
      if (fresh) {
        enqueueNames();
      }
      if (changed) {
        enqueueEndpoints(endpoint.service(), held);
      }
    }
    delivery.flush();
  }

  /**
   * Removes endpoint {@code id} of {@code service}. When it was the last one the watchers hear "none right now"
   * (and keep their last-known-good endpoints); the service itself stays until {@link #deleteService}.
   */
  protected final void removeEndpoint(String service, String id) {
    requireNonNull(service, "service");
    requireNonNull(id, "id");
    synchronized (lock) {
      HeldEndpoints held = services.get(service);
      if (closed || held == null || !held.remove(id)) {
        return;
      }
      touch();
      enqueueEndpoints(service, held);
    }
    delivery.flush();
  }

  /** The service is gone: its watchers drop its endpoints, last-known-good ones included. */
  protected final void deleteService(String service) {
    requireNonNull(service, "service");
    synchronized (lock) {
      if (closed) {
        return;
      }
      boolean existed = services.remove(service) != null;
      serviceErrors.remove(service);
      touch();
      if (existed) {
        enqueueNames();
        enqueueDeleted(service);
      }
    }
    delivery.flush();
  }

  /**
   * The full current list of every service (full-list backends): services not in {@code all} are deleted, the
   * others set as by {@link #setEndpoints}. Clears a backend-wide error: after one, every watcher hears the current
   * state again.
   *
   * @throws IllegalArgumentException if an endpoint is listed under another service than its own
   */
  protected final void replaceAll(Map<String, ? extends Collection<Endpoint>> given) {
    requireNonNull(given, "all");
    Map<String, List<Endpoint>> all = new LinkedHashMap<>();
    given.forEach((service, endpoints) -> all.put(requireNonNull(service, "service"),
        snapshot(requireNonNull(endpoints, "endpoints"))));
    all.forEach((service, endpoints) -> HeldEndpoints.check(service, endpoints));
    synchronized (lock) {
      if (closed) {
        return;
      }
      boolean recovered = error != null;
      error = null;
      serviceErrors.clear();
      Map<String, HeldEndpoints> previous = new LinkedHashMap<>(services);
      Set<String> changed = new HashSet<>();
      services.clear();
      all.forEach((service, endpoints) -> {
        HeldEndpoints held = previous.get(service);
        if (held == null) {
          held = new HeldEndpoints();
          held.replace(endpoints);
          changed.add(service);
        } else if (held.replace(endpoints)) {
          changed.add(service);
        }
        services.put(service, held);
      });
      touch();
      if (!previous.keySet().equals(services.keySet())) {
        enqueueNames();
      }
      for (String service : watchers.keySet()) {
        HeldEndpoints now = services.get(service);
        if (now == null) {
          if (previous.containsKey(service) || (recovered && holdsFullList)) {
            enqueueDeleted(service);
          }
        } else if (recovered || changed.contains(service)) {
          enqueueEndpoints(service, now);
        }
      }
    }
    delivery.flush();
  }

  /**
   * The backend failed as a whole (source unreadable, session lost): every watcher, and every new one until the
   * backend reports data again, is told; the mesh keeps its last-known-good endpoints.
   *
   * @return whether this is a new error rather than the one already reported (same message), for logging once
   */
  protected final boolean reportError(Throwable failure) {
    requireNonNull(failure, "failure");
    boolean fresh;
    synchronized (lock) {
      if (closed) {
        return false;
      }
      Throwable previous = error;
      error = failure;
      fresh = previous == null || !String.valueOf(previous.getMessage()).equals(failure.getMessage());
      noteError(failure);
      for (Map.Entry<String, List<DiscoveryListener>> e : watchers.entrySet()) {
        for (DiscoveryListener l : e.getValue()) {
          delivery.enqueue(() -> l.onError(failure));
        }
      }
    }
    delivery.flush();
    return fresh;
  }

  /** Reading one service failed; its watchers are told and keep their last-known-good endpoints. */
  protected final void reportError(String service, Throwable failure) {
    requireNonNull(service, "service");
    requireNonNull(failure, "failure");
    synchronized (lock) {
      if (closed) {
        return;
      }
      serviceErrors.put(service, failure);
      noteError(failure);
      for (DiscoveryListener l : watchers.getOrDefault(service, List.of())) {
        delivery.enqueue(() -> l.onError(failure));
      }
    }
    delivery.flush();
  }

  /**
   * The backend reaches its source again after {@link #reportError(Throwable)} (a per-service backend that re-read
   * every service, or a session that came back): {@link #health()} says connected and new watchers are no longer
   * told of the old error. Push the current endpoints with {@link #setEndpoints} as well; full-list backends call
   * {@link #replaceAll} instead, which does both.
   */
  protected final void reportRecovered() {
    synchronized (lock) {
      error = null;
    }
  }

  /** Whether the backend is in a backend-wide error state (since {@link #reportError(Throwable)}). */
  protected final boolean failing() {
    synchronized (lock) {
      return error != null;
    }
  }

  /** The services the backend holds now. */
  protected final Set<String> services() {
    synchronized (lock) {
      return Set.copyOf(services.keySet());
    }
  }

  /** The current endpoints of {@code service} the backend reported, or an empty list. */
  protected final List<Endpoint> endpoints(String service) {
    synchronized (lock) {
      HeldEndpoints held = services.get(service);
      return held == null ? List.of() : held.view();
    }
  }

  /**
   * Called (outside any lock, on the thread that subscribed) when the first watcher of {@code service} arrives: a
   * per-service backend starts following it here. Default: nothing.
   */
  protected void watchStarted(String service) {}

  /** Called when the last watcher of {@code service} leaves: a per-service backend stops following it. */
  protected void watchStopped(String service) {}

  // ---- the ServiceDiscovery contract ------------------------------------------------------------------------

  @Override
  public final Subscription watch(String service, DiscoveryListener listener) {
    requireNonNull(service, "service");
    requireNonNull(listener, "listener");
    boolean first;
    synchronized (lock) {
      if (closed) {
        return Subscription.NONE;
      }
      List<DiscoveryListener> list = watchers.computeIfAbsent(service, s -> new ArrayList<>());
      first = list.isEmpty();
      list.add(listener);
      Throwable e = error != null ? error : serviceErrors.get(service);
      HeldEndpoints current = services.get(service);
      if (current != null) { // last-known data first, even while failing: a new watcher gets last-known-good too
        List<Endpoint> now = current.view();
        delivery.enqueue(() -> listener.onEndpoints(now));
        if (e != null) {
          delivery.enqueue(() -> listener.onError(e));
        }
      } else if (e != null) {
        delivery.enqueue(() -> listener.onError(e));
      } else if (holdsFullList) {
        delivery.enqueue(() -> listener.onEndpoints(List.of())); // the full list is here: "none" at once
      }
    }
    delivery.flush();
    if (first) {
      callHook(() -> watchStarted(service), "watchStarted", service);
    }
    return new Subscription() {
      private boolean closedSub;

      @Override
      public void close() {
        boolean last;
        synchronized (lock) {
          if (closedSub) {
            return;
          }
          closedSub = true;
          List<DiscoveryListener> list = watchers.get(service);
          if (list == null || !list.remove(listener)) {
            return;
          }
          last = list.isEmpty();
          if (last) {
            watchers.remove(service);
          }
        }
        if (last) {
          callHook(() -> watchStopped(service), "watchStopped", service);
        }
      }
    };
  }

  @Override
  public final Subscription watchServices(Consumer<Set<String>> listener) {
    requireNonNull(listener, "listener");
    synchronized (lock) {
      if (closed) {
        return Subscription.NONE;
      }
      nameWatchers.add(listener);
      Set<String> names = Set.copyOf(services.keySet());
      delivery.enqueue(() -> listener.accept(names));
    }
    delivery.flush();
    return () -> nameWatchers.remove(listener);
  }

  @Override
  public DiscoveryHealth health() {
    boolean connected;
    synchronized (lock) {
      connected = error == null;
    }
    return new DiscoveryHealth(connected, lastUpdate, connected ? null : lastError, connected ? null : lastErrorAt);
  }

  /** Stops every callback; subclasses release their resources and call {@code super.close()}. */
  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      watchers.clear();
      nameWatchers.clear();
    }
    delivery.close();
  }

  // ---- helpers ------------------------------------------------------------------------------------------------

  private void enqueueEndpoints(String service, HeldEndpoints now) {
    List<DiscoveryListener> list = watchers.get(service);
    if (list == null || list.isEmpty()) {
      return;
    }
    List<Endpoint> snapshot = now.view(); // immutable: the next change holds new arrays
    for (DiscoveryListener l : list) {
      delivery.enqueue(() -> l.onEndpoints(snapshot));
    }
  }

  private void enqueueDeleted(String service) {
    for (DiscoveryListener l : watchers.getOrDefault(service, List.of())) {
      delivery.enqueue(l::onServiceDeleted);
    }
  }

  private void enqueueNames() {
    if (nameWatchers.isEmpty()) {
      return;
    }
    Set<String> names = Set.copyOf(services.keySet());
    for (Consumer<Set<String>> l : nameWatchers) {
      delivery.enqueue(() -> l.accept(names));
    }
  }

  private void touch() {
    lastUpdate = Instant.now();
  }

  private void noteError(Throwable failure) {
    lastError = String.valueOf(failure.getMessage());
    lastErrorAt = Instant.now();
  }

  private void callHook(Runnable hook, String what, String service) {
    try {
      hook.run();
    } catch (RuntimeException e) {
      log.error("discovery '{}': {}('{}') failed", name(), what, service, e);
      reportError(service, e);
    }
  }

  /** The endpoints of {@code endpoints} as one fixed array, read once (its size and its elements agree). */
  private static List<Endpoint> snapshot(Collection<Endpoint> endpoints) {
    return Arrays.asList(endpoints.toArray(new Endpoint[0]));
  }
}
