package io.meshsdk.core.loadbalancer;

import static io.meshsdk.core.loadbalancer.LbTesting.count;
import static io.meshsdk.core.loadbalancer.LbTesting.picker;
import static io.meshsdk.core.loadbalancer.LbTesting.states;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.endpoint.EndpointState;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RoundRobinLoadBalancerTest {

  private final LbTesting.ManualTicker ticker = new LbTesting.ManualTicker();
  private final RoundRobinLoadBalancer lb = new RoundRobinLoadBalancer(RandomSource.seeded(1));

  @Test
  void visitsEveryEndpointOncePerRound() {
    List<EndpointState> s = states(5, ticker);
    Picker p = picker(lb, s);
    for (int round = 0; round < 20; round++) {
      Set<EndpointState> seen = new HashSet<>();
      for (int i = 0; i < 5; i++) {
        seen.add(p.pick(PickContext.empty()));
      }
      assertThat(seen).hasSize(5);
    }
    Map<String, Integer> counts = count(p, PickContext.empty(), 10_000);
    assertThat(counts.values()).containsOnly(2_000);
  }

  @Test
  void newPickersStartAtDifferentPositions() {
    List<EndpointState> s = states(10, ticker);
    Set<EndpointState> firsts = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      firsts.add(picker(lb, s).pick(PickContext.empty()));
    }
    assertThat(firsts.size()).isGreaterThan(5);
  }

  @Test
  void counterWrapsAroundIntegerMaxValue() {
    List<EndpointState> s = states(3, ticker);
    EndpointState[] a = s.toArray(new EndpointState[0]);
    Picker p = new RoundRobinLoadBalancer.RoundRobinPicker(a, Integer.MAX_VALUE - 4,
        SlowStart.of(a, ticker.read(), 0), RandomSource.seeded(1));
    Map<String, Integer> counts = count(p, PickContext.empty(), 3_000);
    assertThat(counts).hasSize(3);
    assertThat(counts.values()).allSatisfy(c -> assertThat(c).isBetween(999, 1001));
  }

  @Test
  void retryGoesToAnEndpointNotTriedYet() {
    List<EndpointState> s = states(4, ticker);
    Picker p = picker(lb, s);
    for (int i = 0; i < 100; i++) {
      LbTesting.Ctx ctx = new LbTesting.Ctx();
      EndpointState first = p.pick(ctx);
      ctx.tried(first);
      EndpointState second = p.pick(ctx);
      ctx.tried(second);
      EndpointState third = p.pick(ctx);
      assertThat(Set.of(first, second, third)).hasSize(3);
    }
  }

  @Test
  void whenEverythingWasTriedARetryStillGetsAnEndpoint() {
    List<EndpointState> s = states(2, ticker);
    Picker p = picker(lb, s);
    LbTesting.Ctx ctx = new LbTesting.Ctx().tried(s.get(0)).tried(s.get(1));
    assertThat(p.pick(ctx)).isIn(s.get(0), s.get(1));
  }
}
