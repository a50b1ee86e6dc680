package io.meshsdk.core.discovery;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.ServiceNames;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.registration.RegistrationStatus;
import io.meshsdk.core.registration.ServiceRegistration;
import io.meshsdk.core.registration.ServiceRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Discovery from a list held in memory: endpoints can be replaced at run time with {@link #set}, which pushes the
 * new snapshot to every watcher of that service, and instances can register themselves through {@link #registry()}
 * (useful for tests, demos and small fixed fleets). A service set after the mesh started becomes a mesh host at
 * once; {@link #delete} removes it.
 */
public final class StaticServiceDiscovery extends AbstractServiceDiscovery {

  private StaticServiceDiscovery(Map<String, List<Endpoint>> initial) {
    super(true);
    replaceAll(initial);
  }

  /** An empty discovery; add services with {@link #set} or through {@link #registry()}. */
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
   * Replaces the endpoints of {@code service} and notifies its watchers. An empty list is reported as-is (the mesh
   * then keeps the last-known-good set); use {@link #delete} to remove a service.
   *
   * @throws IllegalArgumentException if an endpoint belongs to another service, or the name is not a valid
   *     service name
   */
  public void set(String service, List<Endpoint> newEndpoints) {
    // read once, into an array, before set returns; never kept
    setEndpoints(ServiceNames.canonical("service", service), requireNonNull(newEndpoints, "newEndpoints"));
  }

  /** Deletes {@code service}: watchers are told it no longer exists. */
  public void delete(String service) {
    deleteService(ServiceNames.canonical("service", service));
  }

  @Override
  public String name() {
    return "static";
  }

  /**
   * A registry over this list: a registration adds an endpoint to its service (id {@code host:port}, labels
   * copied) until its handle, or the registry, is closed. Registered at once. Each call returns a new registry (its
   * {@code close()} deregisters only what it registered; the list stays).
   */
  public ServiceRegistry registry() {
    return new InMemoryRegistry();
  }

  /** Registrations kept as endpoints of this list. */
  private final class InMemoryRegistry implements ServiceRegistry {
    private final java.util.Set<Registration> open = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @Override
    public String name() {
      return "static";
    }

    @Override
    public Registration register(ServiceRegistration registration, RegistrationListener listener) {
      requireNonNull(registration, "registration");
      requireNonNull(listener, "listener");
      Endpoint e = toEndpoint(registration);
      putEndpoint(e);
      listener.onStatus(registration, RegistrationStatus.REGISTERED, "added to the in-memory list");
      Registration r = new Registration() {
        private volatile ServiceRegistration current = registration;
        private volatile RegistrationStatus status = RegistrationStatus.REGISTERED;

        @Override
        public ServiceRegistration registration() {
          return current;
        }

        @Override
        public RegistrationStatus status() {
          return status;
        }

        @Override
        public synchronized void update(ServiceRegistration updated) {
          requireNonNull(updated, "updated");
          if (!updated.service().equals(current.service()) || !updated.host().equals(current.host())
              || updated.port() != current.port()) {
            throw new IllegalArgumentException("registration: " + updated
                + " (expected: the same service, host and port as " + current + ")");
          }
          if (status == RegistrationStatus.DEREGISTERED) {
            return;
          }
          current = updated;
          putEndpoint(toEndpoint(updated));
        }

        @Override
        public synchronized void close() {
          if (status == RegistrationStatus.DEREGISTERED) {
            return;
          }
          status = RegistrationStatus.DEREGISTERED;
          open.remove(this);
          removeEndpoint(current.service(), e.id());
          listener.onStatus(current, RegistrationStatus.DEREGISTERED, "removed from the in-memory list");
        }
      };
      open.add(r);
      return r;
    }

    @Override
    public void close() {
      for (Registration r : List.copyOf(open)) {
        r.close();
      }
    }
  }

  private static Endpoint toEndpoint(ServiceRegistration r) {
    return Endpoint.builder(r.service(), r.host(), r.port()).labels(r.labels()).build();
  }
}
