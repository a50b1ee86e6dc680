package io.meshsdk.core.loadbalancer;

import io.meshsdk.core.Ticker;
import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.endpoint.EndpointState;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Plain round-robin over the eligible endpoints: an array and one atomic counter per picker. */
public final class RoundRobinLoadBalancer implements LoadBalancer {

  @Override
  public Picker newPicker(EndpointSet all, List<EndpointState> eligible) {
    if (eligible.isEmpty()) {
      return Picker.EMPTY;
    }
    return new RoundRobinPicker(eligible.toArray(new EndpointState[0]));
  }

  @Override
  public String name() {
    return LoadBalancerConfig.ROUND_ROBIN;
  }

  static final class RoundRobinPicker implements Picker {
    private final EndpointState[] endpoints;
    private final AtomicInteger next = new AtomicInteger();

    RoundRobinPicker(EndpointState[] endpoints) {
      this.endpoints = endpoints;
    }

    @Override
    public EndpointState pick(PickContext ctx) {
      int n = endpoints.length;
      for (int i = 0; i < n; i++) {
        EndpointState e = endpoints[Math.floorMod(next.getAndIncrement(), n)];
        if (i == n - 1 || ctx.attempt() == 0 || !ctx.alreadyTried(e)) {
          return e;
        }
      }
      return endpoints[0]; // unreachable: the loop returns on its last turn
    }
  }

  /** Registers {@value LoadBalancerConfig#ROUND_ROBIN}. */
  static final class Provider implements LoadBalancerProvider {
    @Override
    public String name() {
      return LoadBalancerConfig.ROUND_ROBIN;
    }

    @Override
    public LoadBalancer newLoadBalancer(LoadBalancerConfig config, Ticker ticker) {
      return new RoundRobinLoadBalancer();
    }
  }
}
