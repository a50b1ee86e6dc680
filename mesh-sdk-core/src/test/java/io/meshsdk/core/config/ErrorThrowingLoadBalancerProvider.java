package io.meshsdk.core.config;

import io.meshsdk.core.common.Ticker;
import io.meshsdk.core.loadbalancer.LoadBalancer;
import io.meshsdk.core.loadbalancer.LoadBalancerConfig;
import io.meshsdk.core.loadbalancer.LoadBalancerProvider;

/**
 * A load-balancing plugin (registered in {@code META-INF/services} of the test resources) whose balancer cannot
 * be made: {@code newLoadBalancer} throws an {@link Error}, as a plugin missing one of its own dependencies
 * does. Selected with {@code lb.policy=}{@value #NAME}; used by {@link ConfigFailureIT}.
 */
public final class ErrorThrowingLoadBalancerProvider implements LoadBalancerProvider {

  /** The policy name. */
  public static final String NAME = "test-error-on-build";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public LoadBalancer newLoadBalancer(LoadBalancerConfig config, Ticker ticker) {
    throw new NoClassDefFoundError("com/example/lb/MissingDependency (test: plugin cannot build its balancer)");
  }
}
