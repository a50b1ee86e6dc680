package io.meshsdk.core.loadbalancer;

import static io.meshsdk.core.loadbalancer.LbTesting.count;
import static io.meshsdk.core.loadbalancer.LbTesting.picker;
import static io.meshsdk.core.loadbalancer.LbTesting.state;
import static io.meshsdk.core.loadbalancer.LbTesting.states;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.endpoint.EndpointState;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RingHashLoadBalancerTest {

  private static final String HEADER = "x-user";
  private static final int KEYS = 10_000;

  private final LbTesting.ManualTicker ticker = new LbTesting.ManualTicker();
  private final RingHashLoadBalancer lb =
      new RingHashLoadBalancer(HEADER, LoadBalancerConfig.DEFAULT_RING_SIZE, RandomSource.seeded(5));

  private static LbTesting.Ctx key(String value) {
    return new LbTesting.Ctx().header(HEADER, value);
  }

  private static String[] route(Picker p) {
    String[] out = new String[KEYS];
    for (int k = 0; k < KEYS; k++) {
      out[k] = p.pick(key("user-" + k)).endpoint().id();
    }
    return out;
  }

  @Test
  void theSameKeyAlwaysLandsOnTheSameEndpoint() {
    List<EndpointState> s = states(10, ticker);
    Picker p = picker(lb, s);
    Picker rebuilt = picker(new RingHashLoadBalancer(HEADER, 1024), new ArrayList<>(s));
    for (int k = 0; k < 1_000; k++) {
      EndpointState first = p.pick(key("user-" + k));
      for (int i = 0; i < 5; i++) {
        assertThat(p.pick(key("user-" + k))).isSameAs(first);
      }
      assertThat(rebuilt.pick(key("user-" + k))).isSameAs(first);
    }
  }

  @Test
  void keysSpreadOverAllEndpoints() {
    List<EndpointState> s = states(10, ticker);
    String[] routes = route(picker(lb, s));
    Map<String, Integer> counts = new java.util.HashMap<>();
    for (String id : routes) {
      counts.merge(id, 1, Integer::sum);
    }
    assertThat(counts).hasSize(10);
    // ~100 points per endpoint: each gets its share within ±40 %.
    assertThat(counts.values()).allSatisfy(c -> assertThat(c).isBetween(600, 1400));
  }

  @Test
  void addingOneEndpointToTenRemapsAboutAnEleventhOfTheKeys() {
    List<EndpointState> ten = states(10, ticker);
    String[] before = route(picker(lb, ten));
    List<EndpointState> eleven = new ArrayList<>(ten);
    eleven.add(state("e10", ticker));
    String[] after = route(picker(lb, eleven));
    int moved = 0;
    for (int k = 0; k < KEYS; k++) {
      if (!before[k].equals(after[k])) {
        moved++;
        assertThat(after[k]).as("a key only ever moves to the new endpoint").isEqualTo("e10");
      }
    }
    double n = 10;
    assertThat(moved / (double) KEYS).isBetween(0.5 / n, 1.6 / n);
  }

  @Test
  void removingOneEndpointOnlyMovesItsOwnKeys() {
    List<EndpointState> ten = states(10, ticker);
    String[] before = route(picker(lb, ten));
    List<EndpointState> nine = new ArrayList<>(ten);
    nine.remove(4);
    String[] after = route(picker(lb, nine));
    for (int k = 0; k < KEYS; k++) {
      if (!before[k].equals("e4")) {
        assertThat(after[k]).isEqualTo(before[k]);
      }
    }
  }

  @Test
  void weightsAreRespected() {
    List<EndpointState> s = List.of(state("a", 1, ticker), state("b", 3, ticker));
    String[] routes = route(picker(lb, s));
    long toB = java.util.Arrays.stream(routes).filter("b"::equals).count();
    assertThat(toB / (double) KEYS).isBetween(0.65, 0.85);
  }

  @Test
  void retryWalksToADifferentEndpoint() {
    List<EndpointState> s = states(5, ticker);
    Picker p = picker(lb, s);
    for (int k = 0; k < 200; k++) {
      LbTesting.Ctx ctx = key("user-" + k);
      EndpointState first = p.pick(ctx);
      ctx.tried(first);
      EndpointState second = p.pick(ctx);
      assertThat(second).isNotSameAs(first);
      assertThat(p.pick(key("user-" + k).tried(first))).as("the retry target is consistent too").isSameAs(second);
      ctx.tried(second);
      assertThat(p.pick(ctx)).isNotIn(first, second);
    }
  }

  @Test
  void noHeaderFallsBackToAWeightedRandomPick() {
    List<EndpointState> s = states(4, ticker);
    Map<String, Integer> counts = count(picker(lb, s), PickContext.empty(), 40_000);
    assertThat(counts).hasSize(4);
    assertThat(counts.values()).allSatisfy(c -> assertThat(c).isBetween(6_000, 14_000));
  }

  @Test
  void theRingHoldsAboutRingSizePointsAndAtLeastOnePerEndpoint() {
    RingHashLoadBalancer.RingPicker p10 = (RingHashLoadBalancer.RingPicker) picker(lb, states(10, ticker));
    assertThat(p10.size()).isBetween(512, 1024);
    RingHashLoadBalancer small = new RingHashLoadBalancer(HEADER, 4, RandomSource.seeded(1));
    List<EndpointState> many = states(100, ticker);
    RingHashLoadBalancer.RingPicker p100 = (RingHashLoadBalancer.RingPicker) picker(small, many);
    assertThat(p100.size()).isEqualTo(100);
    Set<EndpointState> reached = new HashSet<>();
    for (int k = 0; k < 20_000; k++) {
      reached.add(p100.pick(key("k" + k)));
    }
    assertThat(reached.size()).isGreaterThan(90);
  }
}
