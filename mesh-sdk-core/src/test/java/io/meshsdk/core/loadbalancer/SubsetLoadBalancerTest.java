package io.meshsdk.core.loadbalancer;

import static io.meshsdk.core.loadbalancer.LbTesting.count;
import static io.meshsdk.core.loadbalancer.LbTesting.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.internal.directory.TrackedEndpoint;
import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.endpoint.EndpointState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SubsetLoadBalancerTest {

  private static final String HEADER = "x-version";

  private final LbTesting.ManualTicker ticker = new LbTesting.ManualTicker();
  private final List<EndpointState> all = new ArrayList<>();

  {
    for (int i = 0; i < 3; i++) {
      all.add(new TrackedEndpoint(endpoint("v1-" + i, 1, "", Map.of("version", "v1")), ticker.read()));
    }
    for (int i = 0; i < 2; i++) {
      all.add(new TrackedEndpoint(endpoint("v2-" + i, 1, "", Map.of("version", "v2")), ticker.read()));
    }
    all.add(new TrackedEndpoint(endpoint("plain", 1, "", Map.of()), ticker.read()));
  }

  private static Map<String, Integer> weights(int v1, int v2) {
    Map<String, Integer> w = new LinkedHashMap<>();
    w.put("v1", v1);
    w.put("v2", v2);
    return w;
  }

  private Picker picker(Map<String, Integer> weights, List<EndpointState> eligible) {
    SubsetLoadBalancer lb = new SubsetLoadBalancer(
        new RoundRobinLoadBalancer(RandomSource.seeded(1)), "version", HEADER, weights, RandomSource.seeded(2));
    return lb.newPicker(new EndpointSet("svc", 1, all), eligible);
  }

  private static Map<String, Integer> bySubset(Map<String, Integer> counts) {
    Map<String, Integer> out = new LinkedHashMap<>();
    counts.forEach((id, c) -> out.merge(id.startsWith("v") ? id.substring(0, 2) : id, c, Integer::sum));
    return out;
  }

  @Test
  void theHeaderPinsTheCallToItsSubset() {
    Picker p = picker(weights(90, 10), all);
    assertThat(count(p, new LbTesting.Ctx().header(HEADER, "v2"), 1_000)).containsOnlyKeys("v2-0", "v2-1");
    assertThat(count(p, new LbTesting.Ctx().header(HEADER, "v1"), 1_000))
        .containsOnlyKeys("v1-0", "v1-1", "v1-2");
  }

  @Test
  void withoutTheHeaderCallsSplitByWeight() {
    Map<String, Integer> counts = bySubset(count(picker(weights(90, 10), all), PickContext.empty(), 10_000));
    assertThat(counts).containsOnlyKeys("v1", "v2");
    assertThat(counts.get("v2")).isBetween(950, 1_050); // 10 % (exact: the split is a smooth schedule)
  }

  @Test
  void theSplitIsSmoothNotNinetyInARowThenTen() {
    Picker p = picker(weights(90, 10), all);
    int maxRun = 0;
    int run = 0;
    for (int i = 0; i < 1_000; i++) {
      boolean v1 = p.pick(PickContext.empty()).endpoint().id().startsWith("v1");
      run = v1 ? run + 1 : 0;
      maxRun = Math.max(maxRun, run);
    }
    assertThat(maxRun).isLessThanOrEqualTo(9);
  }

  @Test
  void anUnknownHeaderValueFallsBackToTheWeightedSplit() {
    Map<String, Integer> counts =
        bySubset(count(picker(weights(90, 10), all), new LbTesting.Ctx().header(HEADER, "v9"), 10_000));
    assertThat(counts.get("v2")).isBetween(950, 1_050);
  }

  @Test
  void withoutWeightsUnpinnedCallsGoToEveryEligibleEndpoint() {
    Map<String, Integer> counts = count(picker(Map.of(), all), new LbTesting.Ctx().header(HEADER, "v9"), 6_000);
    assertThat(counts).hasSize(6).containsKey("plain");
  }

  @Test
  void aWeightedSubsetWithoutEligibleEndpointsGivesItsShareToTheOthers() {
    List<EndpointState> noV2 = new ArrayList<>(all);
    noV2.removeIf(s -> s.endpoint().id().startsWith("v2"));
    Picker p = picker(weights(90, 10), noV2);
    assertThat(bySubset(count(p, PickContext.empty(), 1_000))).containsOnlyKeys("v1");
    // ...and a call pinned to it is not lost either
    assertThat(bySubset(count(p, new LbTesting.Ctx().header(HEADER, "v2"), 100))).containsOnlyKeys("v1");
  }

  @Test
  void eachSubsetHasItsOwnPickerSoRoundRobinIsEvenWithinIt() {
    Map<String, Integer> counts = count(picker(weights(90, 10), all), new LbTesting.Ctx().header(HEADER, "v1"),
        3_000);
    assertThat(counts.values()).containsOnly(1_000);
  }

  @Test
  void theSplitCounterWrapsAroundIntegerMaxValue() {
    EndpointState v1 = all.get(0);
    EndpointState v2 = all.get(3);
    Picker[] split = new Picker[10];
    java.util.Arrays.fill(split, (Picker) ctx -> v1);
    split[4] = ctx -> v2;
    Picker p = new SubsetLoadBalancer.SubsetPicker("", Map.of(), split, Integer.MAX_VALUE - 3, Picker.EMPTY);
    Map<String, Integer> counts = count(p, PickContext.empty(), 1_000);
    assertThat(counts.get(v2.endpoint().id())).isBetween(99, 101);
  }

  @Test
  void emptyEligibleGivesTheEmptyPicker() {
    assertThat(picker(weights(90, 10), List.of())).isSameAs(Picker.EMPTY);
  }
}
