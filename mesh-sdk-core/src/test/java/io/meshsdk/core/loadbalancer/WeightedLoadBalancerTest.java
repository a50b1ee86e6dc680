package io.meshsdk.core.loadbalancer;

import static io.meshsdk.core.loadbalancer.LbTesting.count;
import static io.meshsdk.core.loadbalancer.LbTesting.picker;
import static io.meshsdk.core.loadbalancer.LbTesting.state;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.endpoint.EndpointState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WeightedLoadBalancerTest {

  private final LbTesting.ManualTicker ticker = new LbTesting.ManualTicker();
  private final WeightedLoadBalancer lb = new WeightedLoadBalancer(RandomSource.seeded(3));

  private List<EndpointState> oneTwoSeven() {
    return List.of(state("a", 1, ticker), state("b", 2, ticker), state("c", 7, ticker));
  }

  @Test
  void respectsWeightsOneTwoSevenExactlyInEveryWindowOfTen() {
    Picker p = picker(lb, oneTwoSeven());
    List<String> seq = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      seq.add(p.pick(PickContext.empty()).endpoint().id());
    }
    for (int start = 0; start + 10 <= seq.size(); start += 7) {
      List<String> window = seq.subList(start, start + 10);
      assertThat(window.stream().filter("a"::equals).count()).isEqualTo(1);
      assertThat(window.stream().filter("b"::equals).count()).isEqualTo(2);
      assertThat(window.stream().filter("c"::equals).count()).isEqualTo(7);
    }
  }

  @Test
  void isSmoothNoLongBurstsToTheHeaviestEndpoint() {
    Picker p = picker(lb, oneTwoSeven());
    int run = 0;
    int maxRun = 0;
    String prev = "";
    for (int i = 0; i < 1_000; i++) {
      String id = p.pick(PickContext.empty()).endpoint().id();
      run = id.equals(prev) ? run + 1 : 1;
      maxRun = Math.max(maxRun, run);
      prev = id;
    }
    assertThat(maxRun).isLessThanOrEqualTo(3); // 7 of 10 cannot do better than 3
  }

  @Test
  void manyEndpointsWithMixedWeightsWithinChiSquareBounds() {
    SplittableRandom r = new SplittableRandom(11);
    List<EndpointState> s = new ArrayList<>();
    Map<String, Double> expected = new LinkedHashMap<>();
    int total = 0;
    for (int i = 0; i < 50; i++) {
      int w = 1 + r.nextInt(20);
      s.add(state("e" + i, w, ticker));
      total += w;
    }
    for (EndpointState e : s) {
      expected.put(e.endpoint().id(), e.endpoint().weight() / (double) total);
    }
    int picks = 100_003; // deliberately not a whole number of periods
    Map<String, Integer> counts = count(picker(lb, s), PickContext.empty(), picks);
    assertThat(LbTesting.chiSquare(counts, expected, picks)).isLessThan(LbTesting.chiSquareCritical(49));
  }

  @Test
  void equalWeightsAreRoundRobin() {
    List<EndpointState> s = List.of(state("a", 5, ticker), state("b", 5, ticker), state("c", 5, ticker));
    assertThat(picker(lb, s)).isInstanceOf(RoundRobinLoadBalancer.RoundRobinPicker.class);
    assertThat(count(picker(lb, s), PickContext.empty(), 3_000).values()).containsOnly(1_000);
  }

  @Test
  void counterWrapsAroundIntegerMaxValue() {
    WeightedLoadBalancer.WeightedPicker built = (WeightedLoadBalancer.WeightedPicker) picker(lb, oneTwoSeven());
    EndpointState[] schedule = built.schedule();
    EndpointState[] endpoints = oneTwoSeven().toArray(new EndpointState[0]);
    Picker p = new WeightedLoadBalancer.WeightedPicker(schedule, endpoints, Integer.MAX_VALUE - 13,
        SlowStart.of(endpoints, 0, 0), RandomSource.seeded(1));
    // Wrapping shifts the phase once (2^32 is not a multiple of the period): at most one slot off.
    Map<String, Integer> counts = count(p, PickContext.empty(), 1_000);
    assertThat(counts.get("a")).isBetween(99, 101);
    assertThat(counts.get("b")).isBetween(199, 201);
    assertThat(counts.get("c")).isBetween(699, 701);
  }

  @Test
  void retryGoesToAnEndpointNotTriedYet() {
    List<EndpointState> s = oneTwoSeven();
    Picker p = picker(lb, s);
    for (int i = 0; i < 100; i++) {
      LbTesting.Ctx ctx = new LbTesting.Ctx();
      EndpointState first = p.pick(ctx);
      ctx.tried(first);
      EndpointState second = p.pick(ctx);
      ctx.tried(second);
      EndpointState third = p.pick(ctx);
      assertThat(List.of(first, second, third)).doesNotHaveDuplicates();
    }
  }

  @Test
  void aHugeWeightSpreadStillPicksEveryEndpoint() {
    List<EndpointState> s = List.of(
        state("light", 1, ticker), state("heavy", 1_000_000, ticker), state("mid", 999_999, ticker));
    Picker p = picker(lb, s);
    Map<String, Integer> counts = count(p, PickContext.empty(), 1 << 17);
    assertThat(counts.get("light")).isBetween(1, 4);
    assertThat((double) counts.get("heavy") / counts.get("mid")).isBetween(0.99, 1.01);
  }
}
