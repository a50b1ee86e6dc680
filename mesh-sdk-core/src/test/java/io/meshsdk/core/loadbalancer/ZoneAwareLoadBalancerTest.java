package io.meshsdk.core.loadbalancer;

import static io.meshsdk.core.loadbalancer.LbTesting.count;
import static io.meshsdk.core.loadbalancer.LbTesting.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.internal.directory.TrackedEndpoint;
import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.endpoint.EndpointState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ZoneAwareLoadBalancerTest {

  private final LbTesting.ManualTicker ticker = new LbTesting.ManualTicker();
  private final ZoneAwareLoadBalancer lb =
      new ZoneAwareLoadBalancer(new RoundRobinLoadBalancer(RandomSource.seeded(1)), "zone-a", 70);

  /** 4 endpoints in zone-a (a0..a3), 3 in zone-b, 3 in zone-c. */
  private final List<EndpointState> all = new ArrayList<>();

  {
    for (int i = 0; i < 4; i++) {
      all.add(new TrackedEndpoint(endpoint("a" + i, 1, "zone-a", Map.of()), ticker.read()));
    }
    for (int i = 0; i < 3; i++) {
      all.add(new TrackedEndpoint(endpoint("b" + i, 1, "zone-b", Map.of()), ticker.read()));
      all.add(new TrackedEndpoint(endpoint("c" + i, 1, "zone-c", Map.of()), ticker.read()));
    }
  }

  private List<EndpointState> without(String... ids) {
    List<EndpointState> out = new ArrayList<>(all);
    out.removeIf(s -> List.of(ids).contains(s.endpoint().id()));
    return out;
  }

  private Map<String, Integer> picks(List<EndpointState> eligible) {
    return count(lb.newPicker(new EndpointSet("svc", 1, all), eligible), PickContext.empty(), 1_000);
  }

  @Test
  void prefersTheLocalZoneWhenItIsHealthy() {
    assertThat(picks(all)).containsOnlyKeys("a0", "a1", "a2", "a3");
  }

  @Test
  void staysLocalWhileTheHealthyShareIsAtTheThreshold() {
    // 3 of 4 = 75 % >= 70 %
    assertThat(picks(without("a0", "b1"))).containsOnlyKeys("a1", "a2", "a3");
  }

  @Test
  void spillsOverWhenTheLocalHealthyShareDropsBelowTheThreshold() {
    // 2 of 4 = 50 % < 70 %: every eligible endpoint, in all zones
    Map<String, Integer> counts = picks(without("a0", "a1"));
    assertThat(counts).containsOnlyKeys("a2", "a3", "b0", "b1", "b2", "c0", "c1", "c2");
    assertThat(counts.values()).allSatisfy(c -> assertThat(c).isBetween(124, 126));
  }

  @Test
  void spillsOverWhenNoLocalEndpointIsEligible() {
    assertThat(picks(without("a0", "a1", "a2", "a3"))).hasSize(6);
  }

  @Test
  void spillsOverWhenTheLocalZoneHasNoEndpointAtAll() {
    ZoneAwareLoadBalancer elsewhere = new ZoneAwareLoadBalancer(new RoundRobinLoadBalancer(), "zone-z", 70);
    Picker p = elsewhere.newPicker(new EndpointSet("svc", 1, all), all);
    assertThat(count(p, PickContext.empty(), 1_000)).hasSize(10);
  }

  @Test
  void aZeroThresholdStaysLocalWithASingleHealthyEndpoint() {
    ZoneAwareLoadBalancer stubborn = new ZoneAwareLoadBalancer(new RoundRobinLoadBalancer(), "zone-a", 0);
    Picker p = stubborn.newPicker(new EndpointSet("svc", 1, all), without("a0", "a1", "a2"));
    assertThat(count(p, PickContext.empty(), 100)).containsOnlyKeys("a3");
  }

  @Test
  void aRetryLeavesTheZoneWhenEveryLocalEndpointWasTried() {
    ZoneAwareLoadBalancer stubborn = new ZoneAwareLoadBalancer(new RoundRobinLoadBalancer(), "zone-a", 0);
    Picker p = stubborn.newPicker(new EndpointSet("svc", 1, all), without("a0", "a1", "a2"));
    LbTesting.Ctx ctx = new LbTesting.Ctx();
    EndpointState first = p.pick(ctx);
    assertThat(first.endpoint().id()).isEqualTo("a3");
    ctx.tried(first);
    assertThat(p.pick(ctx).endpoint().zone()).isNotEqualTo("zone-a");
  }

  @Test
  void thresholdArithmetic() {
    assertThat(lb.staysLocal(7, 10)).isTrue();
    assertThat(lb.staysLocal(6, 10)).isFalse();
    assertThat(lb.staysLocal(0, 0)).isFalse();
    assertThat(new ZoneAwareLoadBalancer(lb, "zone-a", 100).staysLocal(9, 10)).isFalse();
  }
}
