/**
 * Load balancing: the balancer and picker SPI, built-in policies and their configuration.
 *
 * <p>Built-in policies ({@code lb.policy}): {@link io.meshsdk.core.loadbalancer.RoundRobinLoadBalancer
 * round-robin}, {@link io.meshsdk.core.loadbalancer.WeightedLoadBalancer weighted},
 * {@link io.meshsdk.core.loadbalancer.LeastRequestLoadBalancer least-request} (the default) and
 * {@link io.meshsdk.core.loadbalancer.RingHashLoadBalancer ring-hash}; optional wrappers
 * {@link io.meshsdk.core.loadbalancer.ZoneAwareLoadBalancer} and
 * {@link io.meshsdk.core.loadbalancer.SubsetLoadBalancer}, composed by
 * {@link io.meshsdk.core.loadbalancer.LoadBalancers#create}. Every picker is lock-free and allocation-free.
 */
@NullMarked
package io.meshsdk.core.loadbalancer;

import org.jspecify.annotations.NullMarked;
