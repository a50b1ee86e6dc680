package io.meshsdk.core.loadbalancer;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.Ticker;
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

  /** The balancer for one service as {@code config} describes it. */
  public static LoadBalancer create(LoadBalancerConfig config, Ticker ticker) {
    requireNonNull(config, "config");
    requireNonNull(ticker, "ticker");
    LoadBalancerProvider provider = PROVIDERS.get(config.policy());
    if (provider == null) {
      throw new IllegalArgumentException(
          "lb.policy: \"" + config.policy() + "\" (expected: one of " + knownNames() + ")");
    }
    return provider.newLoadBalancer(config, ticker);
  }

  private static Map<String, LoadBalancerProvider> loadProviders() {
    Map<String, LoadBalancerProvider> m = new LinkedHashMap<>();
    register(m, new RoundRobinLoadBalancer.Provider());
    register(m, new LeastRequestLoadBalancer.Provider());
    for (LoadBalancerProvider p : ServiceLoader.load(LoadBalancerProvider.class)) {
      register(m, p);
    }
    return Map.copyOf(m);
  }

  private static void register(Map<String, LoadBalancerProvider> m, LoadBalancerProvider p) {
    m.putIfAbsent(p.name(), p);
  }
}
