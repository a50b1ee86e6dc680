package io.meshsdk.core.observe;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.endpoint.EndpointState;
import java.util.List;

/**
 * SPI through which metrics and tracing watch the mesh: one {@link CallObserver} per logical call, plus
 * mesh-wide state changes. Modelled on OkHttp's {@code EventListener} and Spring Cloud's
 * {@code LoadBalancerLifecycle}: fast, lock-free, never throws.
 *
 * <p>With no observer installed the engine builds no event objects at all.
 */
public interface MeshObserver {

  /** Observes nothing. */
  MeshObserver NOOP = call -> CallObserver.NOOP;

  /**
   * A call starts, on the caller's thread. Return {@link CallObserver#NOOP} to skip the call (e.g. when a
   * trace is sampled out and no metric is wanted).
   */
  CallObserver onCallStart(CallInfo call);

  /** The outlier detector ejected ({@code ejected = true}) or restored an endpoint. */
  default void onEndpointHealthChange(EndpointState endpoint, boolean ejected) {}

  /**
   * The 32-hex-digit id of the trace the calling thread is in, or {@code null}: the stable request key that
   * {@code split:N} routing uses when a request carries no configured key header and no {@code traceparent}
   * yet (a tracing observer injects that header only when the attempt starts). Called on the caller's
   * thread; must not allocate. Default: {@code null}.
   */
  default @org.jspecify.annotations.Nullable String currentTraceId() {
    return null;
  }

  /** The local sidecar became ready or stopped being ready. */
  default void onSidecarReadinessChange(boolean ready) {}

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
