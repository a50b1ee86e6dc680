package io.meshsdk.core.observe;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.endpoint.EndpointState;
import io.meshsdk.core.registration.RegistrationStatus;
import io.meshsdk.core.registration.ServiceRegistration;
import io.meshsdk.core.resilience.BreakerState;
import io.meshsdk.core.sidecar.RouteTransition;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * SPI through which metrics, tracing and reports watch the mesh: one {@link CallObserver} per logical call, plus
 * the lifecycle of services and endpoints (every exclusion with its reason), breaker and sidecar state changes.
 * Modelled on OkHttp's {@code EventListener} and Spring Cloud's {@code LoadBalancerLifecycle}: fast, lock-free,
 * never throws (the engine logs and ignores an observer that does).
 *
 * <p>Threads: {@link #onCallStart} and the {@link CallObserver} run on the thread making the call. Lifecycle
 * callbacks never run inside a call: service added/removed on the mesh's control thread ({@code mesh-control});
 * endpoint, ejection and breaker changes serialized per service, on {@code mesh-control} or on the thread that
 * delivers a discovery snapshot (a registry's thread, or an application thread calling
 * {@code StaticServiceDiscovery.set}). Two services' callbacks may run at the same time.
 *
 * <p>With no observer installed the engine builds no event objects at all.
 */
public interface MeshObserver {

  /** Observes nothing. */
  MeshObserver NOOP = call -> CallObserver.NOOP;

  /**
   * A call starts, on the caller's thread. Return {@link CallObserver#NOOP} to skip the call (e.g. when a trace is
   * sampled out and no metric is wanted).
   */
  CallObserver onCallStart(CallInfo call);

  /** The mesh now routes {@code service} (declared, discovered, or first called under the mesh domain). */
  default void onServiceAdded(String service) {}

  /**
   * The mesh no longer routes {@code service} (discovery deleted it and the config does not declare it): drop
   * every meter and cache kept for it.
   */
  default void onServiceRemoved(String service) {}

  /** {@code service}'s endpoints changed (discovery update); {@code endpoints} is the new snapshot. */
  default void onEndpointsChanged(String service, EndpointSet endpoints) {}

  /** An endpoint left or re-entered rotation, with the reason. */
  default void onEndpointStateChanged(EndpointState endpoint, EndpointStateChange change) {}

  /** {@code service}'s circuit breaker is now in {@code state} (also told once when the breaker is set up). */
  default void onBreakerStateChanged(String service, BreakerState state) {}

  /**
   * {@code service} now serves its last-known-good endpoints ({@code stale} true: discovery failed or went empty
   * for it, or they come from the failsafe file at a cold start) or fresh ones again ({@code stale} false);
   * {@code reason} says why.
   */
  default void onDiscoveryStale(String service, boolean stale, String reason) {}

  /** The local sidecar became ready or stopped being ready; {@code reason} says why. */
  default void onSidecarReadinessChanged(boolean ready, String reason) {}

  /**
   * Whether {@code service}'s sidecar-routed calls go to the sidecar changed (the sidecar's readiness, or the
   * service's own probe through it with {@code route.sidecar-health-path}); told for services set to use the
   * sidecar, first when they are, then on every change. {@code ready == false} means they run direct.
   */
  default void onServiceSidecarReadinessChanged(String service, boolean ready, String reason) {}

  /**
   * In {@code route.mode=shadow:N}, a call's direct answer and its shadow copy's answer via the sidecar differed:
   * {@code directStatus} and {@code shadowStatus} are the HTTP statuses, -1 for a failure without one (I/O error,
   * timeout). Called once per differing pair, on whichever thread completed the pair last (the caller's, or a
   * {@code mesh-shadow} thread); must be quick. Default: nothing.
   */
  default void onShadowMismatch(String service, int directStatus, int shadowStatus) {}

  /**
   * {@code transition} was recorded in a service's route audit trail ({@code Mesh.transitions(service)}): a route
   * change through {@code Mesh.route}, a new config, or a migration plan's step, rollback, pause or alignment (with
   * its evidence). Called on the thread that made the change, while the mesh's route state is locked: must be quick
   * and must not block on another thread that changes routes. Default: nothing.
   */
  default void onRouteTransition(RouteTransition transition) {}

  /** A registration of this process changed status (registered, lost, regained, deregistered). */
  default void onRegistrationChanged(ServiceRegistration registration, RegistrationStatus status, String detail) {}

  /**
   * The 32-hex-digit id of the trace the calling thread is in, or {@code null}: the stable request key that
   * {@code split:N} routing uses when a request carries no configured key header and no {@code traceparent} yet.
   * Called on the caller's thread; must not allocate. Default: {@code null}.
   */
  default @Nullable String currentTraceId() {
    return null;
  }

  /**
   * Captures what this observer needs from the calling thread to observe a call that will run on another thread
   * (e.g. the current trace context), when the application creates the call with {@code Mesh.callFactory}.
   * Default: nothing.
   */
  default @Nullable Object captureContext() {
    return null;
  }

  /** Makes {@code captured} (from {@link #captureContext()}) current on this thread until the scope is closed. */
  default ContextScope restoreContext(Object captured) {
    return ContextScope.NONE;
  }

  /** One observer that forwards to each of {@code observers} in order. */
  static MeshObserver composite(List<MeshObserver> observers) {
    requireNonNull(observers, "observers");
    List<MeshObserver> list = observers.stream().filter(o -> o != NOOP).toList();
    if (list.isEmpty()) {
      return NOOP;
    }
    if (list.size() == 1) {
      return list.get(0);
    }
    return new CompositeMeshObserver(list.toArray(new MeshObserver[0]));
  }
}
