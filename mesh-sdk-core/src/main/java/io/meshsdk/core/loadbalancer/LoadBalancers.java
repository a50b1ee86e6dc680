package io.meshsdk.core.loadbalancer;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.Ticker;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * The registry of load-balancing policies (built-ins plus {@link LoadBalancerProvider}s on the class path),
 * and the factory that composes a service's balancer from its {@link LoadBalancerConfig}.
 */
public final class LoadBalancers {

  private static final Map<String, LoadBalancerProvider> PROVIDERS = loadProviders();

  private LoadBalancers() {}

  /** Whether {@code policy} names a registered policy. */
  public static boolean isKnown(String policy) {
    return PROVIDERS.containsKey(policy);
  }

  /** The registered policy names, for error messages. */
  public static String knownNames() {
    return String.join(", ", PROVIDERS.keySet());
  }

  /**
   * The balancer for one service as {@code config} describes it: the base policy ({@code lb.policy}), wrapped
   * in a {@link ZoneAwareLoadBalancer} when {@code lb.local-zone} is set, wrapped in a
   * {@link SubsetLoadBalancer} when {@code lb.subset-label} is set:
   *
   * <pre>subset( zone-aware( base ) )</pre>
   *
   * <p>Subsets are the outer layer so that a call pinned to (or split to) a subset stays in it, and zone
   * awareness then works within the subset: a {@code v2} call prefers local {@code v2} endpoints and spills to
   * remote {@code v2} ones, rather than falling back to local {@code v1} ones.
   */
  public static LoadBalancer create(LoadBalancerConfig config, Ticker ticker) {
    requireNonNull(config, "config");
    requireNonNull(ticker, "ticker");
    LoadBalancerProvider provider = PROVIDERS.get(config.policy());
    if (provider == null) {
      throw new IllegalArgumentException(
          "lb.policy: \"" + config.policy() + "\" (expected: one of " + knownNames() + ")");
    }
    LoadBalancer lb = provider.newLoadBalancer(config, ticker);
    if (!config.localZone().isEmpty()) {
      lb = new ZoneAwareLoadBalancer(lb, config.localZone(), config.zoneMinHealthyPercent());
    }
    if (!config.subsetLabel().isEmpty()) {
      lb = new SubsetLoadBalancer(lb, config.subsetLabel(), config.subsetHeader(), config.subsetWeights());
    }
    return lb;
  }

  private static Map<String, LoadBalancerProvider> loadProviders() {
    Map<String, LoadBalancerProvider> m = new LinkedHashMap<>();
    register(m, new RoundRobinLoadBalancer.Provider());
    register(m, new WeightedLoadBalancer.Provider());
    register(m, new LeastRequestLoadBalancer.Provider());
    register(m, new RingHashLoadBalancer.Provider());
    for (LoadBalancerProvider p : ServiceLoader.load(LoadBalancerProvider.class)) {
      register(m, p);
    }
    return Collections.unmodifiableMap(m); // keeps registration order for knownNames()
  }

  private static void register(Map<String, LoadBalancerProvider> m, LoadBalancerProvider p) {
    m.putIfAbsent(p.name(), p);
  }
}
