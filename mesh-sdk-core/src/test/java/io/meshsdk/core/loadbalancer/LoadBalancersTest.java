package io.meshsdk.core.loadbalancer;

import static io.meshsdk.core.loadbalancer.LbTesting.count;
import static io.meshsdk.core.loadbalancer.LbTesting.endpoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.internal.directory.TrackedEndpoint;
import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.endpoint.EndpointState;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class LoadBalancersTest {

  private final LbTesting.ManualTicker ticker = new LbTesting.ManualTicker();

  /** Every built-in policy and wrapper, as config. */
  static Stream<LoadBalancerConfig> configs() {
    return Stream.of(
        LoadBalancerConfig.builder().policy("round-robin").build(),
        LoadBalancerConfig.builder().policy("weighted").build(),
        LoadBalancerConfig.builder().policy("least-request").build(),
        LoadBalancerConfig.builder().ringHash("x-user").build(),
        LoadBalancerConfig.builder().localZone("zone-a").build(),
        LoadBalancerConfig.builder().subsetLabel("version").subsetWeight("v1", 90).subsetWeight("v2", 10).build(),
        LoadBalancerConfig.builder().ringHash("x-user").localZone("zone-a").subsetLabel("version")
            .subsetHeader("x-version").build());
  }

  /** 12 endpoints over 3 zones and 2 versions, weights 1-3. */
  static List<EndpointState> mixed(io.meshsdk.core.common.Ticker ticker) {
    List<EndpointState> out = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      out.add(new TrackedEndpoint(
          endpoint("e" + i, 1 + i % 3, "zone-" + "abc".charAt(i % 3), Map.of("version", i % 4 == 0 ? "v2" : "v1")),
          ticker.read()));
    }
    return out;
  }

  @Test
  void registersEveryBuiltInInOrder() {
    assertThat(LoadBalancers.knownNames()).startsWith("round-robin, weighted, least-request, ring-hash");
    for (String p : List.of("round-robin", "weighted", "least-request", "ring-hash")) {
      assertThat(LoadBalancers.isKnown(p)).isTrue();
    }
    assertThat(LoadBalancers.isKnown("fastest")).isFalse();
  }

  @Test
  void unknownPolicyIsAConfigErrorNamingTheChoices() {
    assertThatThrownBy(() -> LoadBalancerConfig.builder().policy("fastest"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("round-robin, weighted, least-request, ring-hash");
  }

  @Test
  void createsEachPolicyByName() {
    assertThat(create("round-robin")).isInstanceOf(RoundRobinLoadBalancer.class);
    assertThat(create("weighted")).isInstanceOf(WeightedLoadBalancer.class);
    assertThat(create("least-request")).isInstanceOf(LeastRequestLoadBalancer.class);
    assertThat(LoadBalancers.create(LoadBalancerConfig.builder().ringHash("x-user").build(), ticker))
        .isInstanceOf(RingHashLoadBalancer.class);
    assertThat(LoadBalancers.create(LoadBalancerConfig.ofDefaults(), ticker))
        .isInstanceOf(LeastRequestLoadBalancer.class);
  }

  private LoadBalancer create(String policy) {
    LoadBalancerConfig.Builder b = LoadBalancerConfig.builder();
    assertThat(b.set("policy", policy)).isTrue();
    return LoadBalancers.create(b.build(), ticker);
  }

  @Test
  void composesSubsetAroundZoneAroundTheBasePolicy() {
    LoadBalancerConfig config = LoadBalancerConfig.builder()
        .policy("weighted")
        .localZone("zone-a")
        .subsetLabel("version")
        .subsetHeader("x-version")
        .build();
    LoadBalancer lb = LoadBalancers.create(config, ticker);
    assertThat(lb).isInstanceOf(SubsetLoadBalancer.class);
    assertThat(lb.name()).isEqualTo("weighted");
    assertThat(lb.toString()).startsWith("subset(zone-aware(weighted");

    assertThat(LoadBalancers.create(LoadBalancerConfig.builder().localZone("zone-a").build(), ticker))
        .isInstanceOf(ZoneAwareLoadBalancer.class);
    assertThat(LoadBalancers.create(
            LoadBalancerConfig.builder().subsetLabel("version").subsetHeader("x-version").build(), ticker))
        .isInstanceOf(SubsetLoadBalancer.class);
  }

  @Test
  void aPinnedSubsetStaysInItsSubsetAcrossZones() {
    // v2 exists only in zone-b; the caller is in zone-a. A call pinned to v2 must reach zone-b's v2,
    // not fall back to zone-a's v1.
    List<EndpointState> s = List.of(
        new TrackedEndpoint(endpoint("a-v1", 1, "zone-a", Map.of("version", "v1")), ticker.read()),
        new TrackedEndpoint(endpoint("b-v1", 1, "zone-b", Map.of("version", "v1")), ticker.read()),
        new TrackedEndpoint(endpoint("b-v2", 1, "zone-b", Map.of("version", "v2")), ticker.read()));
    LoadBalancerConfig config = LoadBalancerConfig.builder()
        .policy("round-robin")
        .localZone("zone-a")
        .subsetLabel("version")
        .subsetHeader("x-version")
        .build();
    Picker p = LoadBalancers.create(config, ticker).newPicker(new EndpointSet("svc", 1, s), s);
    assertThat(count(p, new LbTesting.Ctx().header("x-version", "v2"), 100)).containsOnlyKeys("b-v2");
    assertThat(count(p, new LbTesting.Ctx().header("x-version", "v1"), 100)).containsOnlyKeys("a-v1");
  }

  @ParameterizedTest
  @MethodSource("configs")
  void emptyEligibleGivesAPickerThatReturnsNull(LoadBalancerConfig config) {
    LoadBalancer lb = LoadBalancers.create(config, ticker);
    Picker p = lb.newPicker(EndpointSet.empty("svc"), List.of());
    assertThat(p).isSameAs(Picker.EMPTY);
    assertThat(p.pick(PickContext.empty())).isNull();
  }

  @ParameterizedTest
  @MethodSource("configs")
  void aSingleEndpointIsAlwaysPicked(LoadBalancerConfig config) {
    List<EndpointState> one = List.of(new TrackedEndpoint(
        endpoint("only", 3, "zone-b", Map.of("version", "v2")), ticker.read()));
    Picker p = LoadBalancers.create(config, ticker).newPicker(new EndpointSet("svc", 1, one), one);
    LbTesting.Ctx ctx = new LbTesting.Ctx().header("x-user", "u1").header("x-version", "v1");
    assertThat(count(p, ctx, 100)).containsOnlyKeys("only");
    assertThat(p.pick(ctx.tried(one.get(0)))).isSameAs(one.get(0)); // a retry has nowhere else to go
  }

  @ParameterizedTest
  @MethodSource("configs")
  void everyPolicyPicksOnlyEligibleEndpoints(LoadBalancerConfig config) {
    List<EndpointState> all = mixed(ticker);
    List<EndpointState> eligible = new ArrayList<>(all);
    eligible.remove(5);
    eligible.remove(0);
    Picker p = LoadBalancers.create(config, ticker).newPicker(new EndpointSet("svc", 1, all), eligible);
    LbTesting.Ctx ctx = new LbTesting.Ctx();
    for (int i = 0; i < 2_000; i++) {
      ctx.header("x-user", "u" + i);
      assertThat(p.pick(ctx)).isIn(eligible);
    }
  }

  @ParameterizedTest
  @MethodSource("configs")
  void aPickAllocatesNothing(LoadBalancerConfig config) {
    assertThat(ManagementFactory.getThreadMXBean()).as("HotSpot's thread allocation counter")
        .isInstanceOf(com.sun.management.ThreadMXBean.class);
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assertThat(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled())
        .as("thread allocation counting is on").isTrue();
    List<EndpointState> all = mixed(io.meshsdk.core.common.Ticker.SYSTEM);
    Picker p = LoadBalancers.create(config, io.meshsdk.core.common.Ticker.SYSTEM)
        .newPicker(new EndpointSet("svc", 1, all), all);
    LbTesting.Ctx ctx = new LbTesting.Ctx().header("x-user", "user-12345").header("x-version", "v2");
    for (int i = 0; i < 20_000; i++) { // warm up
      p.pick(ctx);
    }
    long tid = Thread.currentThread().getId();
    long before = mx.getThreadAllocatedBytes(tid);
    for (int i = 0; i < 100_000; i++) {
      p.pick(ctx);
    }
    long allocated = mx.getThreadAllocatedBytes(tid) - before;
    assertThat(allocated).as("bytes allocated by 100,000 picks").isLessThan(4_096);
  }
}
