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

  /** Picks an endpoint for the one direct attempt after the sidecar refused a call; {@code null} if none. */
  @Nullable EndpointState pick(PickContext context);
}
