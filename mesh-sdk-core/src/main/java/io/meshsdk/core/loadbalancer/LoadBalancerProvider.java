package io.meshsdk.core.loadbalancer;

import io.meshsdk.core.common.Ticker;

/**
 * SPI: makes {@link LoadBalancer}s of one named policy. Built-ins are registered by {@link LoadBalancers};
 * others are found with {@link java.util.ServiceLoader} ({@code META-INF/services}) and selected by
 * {@link #name()} in {@code lb.policy}.
 */
public interface LoadBalancerProvider {

  /** The policy name used in config, lower-case with dashes, e.g. {@code least-request}. */
  String name();

  /** A new balancer for one service. */
  LoadBalancer newLoadBalancer(LoadBalancerConfig config, Ticker ticker);
}
