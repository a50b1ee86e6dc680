package io.meshsdk.core.snapshot;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.sidecar.RouteMode;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One service as the mesh sees it now.
 *
 * @param service the service name
 * @param loadBalancer the balancer's policy name
 * @param routeMode where its calls go ({@code direct}, {@code sidecar}, {@code split:N})
 * @param breaker its circuit breaker
 * @param panicSince since when it is in panic mode (balancing over ejected endpoints too), or {@code null}
 * @param lastKnownGoodSince since when it serves last-known-good endpoints because discovery failed or went empty,
 *     or {@code null}
 * @param failsafeWrittenAt when it serves the endpoints of its failsafe file (a start with discovery down or
 *     silent): when that file was written, so its age is known; else {@code null}
 * @param discoveryError discovery's last error for it, or {@code null}
 * @param lastUpdate when discovery last reported its endpoints, or {@code null}
 * @param endpoints its endpoints
 */
public record ServiceSnapshot(
    String service,
    String loadBalancer,
    RouteMode routeMode,
    BreakerSnapshot breaker,
    @Nullable Instant panicSince,
    @Nullable Instant lastKnownGoodSince,
    @Nullable Instant failsafeWrittenAt,
    @Nullable String discoveryError,
    @Nullable Instant lastUpdate,
    List<EndpointSnapshot> endpoints) {

  /** Copies the list. */
  public ServiceSnapshot {
    requireNonNull(service, "service");
    requireNonNull(loadBalancer, "loadBalancer");
    requireNonNull(routeMode, "routeMode");
    requireNonNull(breaker, "breaker");
    endpoints = List.copyOf(endpoints);
  }

  /** How many endpoints take calls now (serving, in slow start, or in panic). */
  public long serving() {
    return endpoints.stream().filter(e -> e.status() != EndpointSnapshot.Status.EJECTED).count();
  }
}
