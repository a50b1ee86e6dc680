package io.meshsdk.core.sidecar;

import io.meshsdk.core.endpoint.EndpointState;
import io.meshsdk.core.loadbalancer.PickContext;
import java.io.IOException;
import okhttp3.Interceptor;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * The in-process path of one service, as the bridge sees it: implemented by the engine's pipeline.
 * Internal SPI between the engine and the bridge.
 */
public interface DirectPath {

  /** Runs the call on the full direct path (balancing, resilience, retries, observers). */
  Response execute(Interceptor.Chain chain) throws IOException;

  /**
   * Runs on the full direct path a call that was meant for the sidecar, reporting
   * {@link io.meshsdk.core.observe.MeshEvent#SIDECAR_FALLBACK} with {@code reason} to the call's observer.
   */
  Response executeFallback(Interceptor.Chain chain, String reason) throws IOException;

  /**
   * The deadline (ticker nanos, or {@link io.meshsdk.core.resilience.Deadlines#NONE}) of a call starting at
   * {@code nowNanos}: the earliest of the thread's inbound deadline, {@code headerValue} (the request's own
   * {@value io.meshsdk.core.resilience.Deadlines#HEADER}) and the service's {@code timeout.call}.
   */
  long deadline(long nowNanos, @Nullable String headerValue);

  /** Counts a call failed for lack of time in the service's resilience stats. */
  void countDeadlineExceeded();

  /** The value of header {@code x-mesh-caller} sent on every call, or {@code null}. */
  @Nullable String caller();

  /** The calling thread's trace id from the mesh's observers, or {@code null} (see MeshObserver). */
  @Nullable String currentTraceId();

  /** Picks an endpoint for the one direct attempt after the sidecar refused a call; {@code null} if none. */
  @Nullable EndpointState pick(PickContext context);
}
