package io.meshsdk.core.loadbalancer;

import io.meshsdk.core.Ticker;
import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.endpoint.EndpointState;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Least-request with power-of-two-choices over peak-EWMA latency (Finagle / Linkerd style): pick two
 * endpoints at random and send the call to the cheaper, where cost = latency EWMA × (in-flight + 1).
 */
public final class LeastRequestLoadBalancer implements LoadBalancer {

  @Override
  public Picker newPicker(EndpointSet all, List<EndpointState> eligible) {
    if (eligible.isEmpty()) {
      return Picker.EMPTY;
    }
    EndpointState[] arr = eligible.toArray(new EndpointState[0]);
    return ctx -> {
      int n = arr.length;
      if (n == 1) {
        return arr[0];
      }
      ThreadLocalRandom r = ThreadLocalRandom.current();
      int a = r.nextInt(n);
      int b = r.nextInt(n - 1);
      if (b >= a) {
        b++;
      }
      EndpointState x = arr[a];
      EndpointState y = arr[b];
      return cost(x) <= cost(y) ? x : y;
    };
  }

  private static double cost(EndpointState s) {
    double ewma = s.ewmaNanos();
    return (ewma == 0.0 ? 1.0 : ewma) * (s.inFlight() + 1);
  }

  @Override
  public String name() {
    return LoadBalancerConfig.LEAST_REQUEST;
  }

  /** Registers {@value LoadBalancerConfig#LEAST_REQUEST}. */
  static final class Provider implements LoadBalancerProvider {
    @Override
    public String name() {
      return LoadBalancerConfig.LEAST_REQUEST;
    }

    @Override
    public LoadBalancer newLoadBalancer(LoadBalancerConfig config, Ticker ticker) {
      return new LeastRequestLoadBalancer();
    }
  }
}
