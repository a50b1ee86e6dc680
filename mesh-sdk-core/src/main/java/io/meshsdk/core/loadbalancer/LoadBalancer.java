package io.meshsdk.core.loadbalancer;

import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.endpoint.EndpointState;
import java.util.List;

/**
 * SPI: a load-balancing policy for one service, following gRPC's "picker" pattern. Whenever the endpoints
 * or their health change, the engine asks for a new immutable {@link Picker} (serialized, off the call path)
 * and swaps it in atomically; calls then only run {@link Picker#pick}. Anything expensive (rings, weight
 * tables, zone partitions) is computed here, once per change.
 */
public interface LoadBalancer {

  /**
   * A picker over {@code eligible}, the endpoints calls may go to (healthy ones, or all in panic mode).
   *
   * @param all every endpoint of the service with its state (for shares such as zone health)
   * @param eligible the endpoints to pick from, a subset of {@code all} in the same order
   */
  Picker newPicker(EndpointSet all, List<EndpointState> eligible);

  /** The policy name, for logs and metrics tags. */
  String name();
}
