package io.meshsdk.core.loadbalancer;

import io.meshsdk.core.endpoint.EndpointState;
import org.jspecify.annotations.Nullable;

/**
 * Picks one endpoint per call. Built by a {@link LoadBalancer} for one endpoint snapshot and immutable apart
 * from its own counters: {@link #pick} must be lock-free, allocation-free and safe from any thread.
 */
@FunctionalInterface
public interface Picker {

  /** A picker with no endpoints: always returns {@code null}. */
  Picker EMPTY = ctx -> null;

  /** The endpoint for this call, or {@code null} when there is none to pick. */
  @Nullable EndpointState pick(PickContext ctx);
}
