package io.meshsdk.core.loadbalancer;

import static io.meshsdk.core.loadbalancer.LbTesting.SECOND;
import static io.meshsdk.core.loadbalancer.LbTesting.at;
import static io.meshsdk.core.loadbalancer.LbTesting.count;
import static io.meshsdk.core.loadbalancer.LbTesting.picker;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.endpoint.EndpointState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code lb.slow-start-window} is honoured by round-robin and weighted too (it used to exist only in least-request,
 * where {@code LeastRequestLoadBalancerTest} covers it): a brand-new endpoint among nine old ones gets well under
 * its fair share at the start of its window.
 */
class SlowStartInEveryBalancerTest {

  private static final int PICKS = 10_000;

  private final LbTesting.ManualTicker ticker = new LbTesting.ManualTicker();

  private LoadBalancer balancer(String policy) {
    LoadBalancerConfig.Builder config = LoadBalancerConfig.builder().policy(policy)
        .slowStartWindow(Duration.ofSeconds(10));
    if (policy.equals(LoadBalancerConfig.RING_HASH)) {
      config.hashHeader("x-user"); // the calls below carry none: each lands on a random point
    }
    return LoadBalancers.create(config.build(), ticker);
  }

  /** Nine endpoints first seen a minute ago (out of slow start) with {@code oldWeights}, then one seen now. */
  private List<EndpointState> nineOldOneNew(int[] oldWeights, int newWeight) {
    List<EndpointState> all = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      all.add(LbTesting.state("old" + i, oldWeights[i], ticker));
    }
    ticker.advance(60 * SECOND);
    all.add(LbTesting.state("fresh", newWeight, ticker)); // healthy since now: the start of its window
    return all;
  }

  @Test
  void roundRobinHonoursTheSlowStartWindow() {
    List<EndpointState> all = nineOldOneNew(new int[] {1, 1, 1, 1, 1, 1, 1, 1, 1}, 1);
    Map<String, Integer> counts = count(picker(balancer(LoadBalancerConfig.ROUND_ROBIN), all), at(ticker), PICKS);
    double share = counts.getOrDefault("fresh", 0) / (double) PICKS;
    assertThat(share).as("round-robin share of a brand-new endpoint (fair: 10 %%); picks %s", counts)
        .isLessThan(0.05);
  }

  @Test
  void weightedHonoursTheSlowStartWindow() {
    int[] oldWeights = {1, 2, 1, 2, 1, 2, 1, 2, 1}; // sum 13; the new one has weight 2: fair share 2/15
    List<EndpointState> all = nineOldOneNew(oldWeights, 2);
    Map<String, Integer> counts = count(picker(balancer(LoadBalancerConfig.WEIGHTED), all), at(ticker), PICKS);
    double fair = 2.0 / 15.0;
    double share = counts.getOrDefault("fresh", 0) / (double) PICKS;
    assertThat(share).as("weighted share of a brand-new endpoint (fair: %.1f %%); picks %s", fair * 100, counts)
        .isLessThan(fair / 2);
  }

  @Test
  void ringHashHonoursTheSlowStartWindowForCallsWithoutAKey() {
    List<EndpointState> all = nineOldOneNew(new int[] {1, 1, 1, 1, 1, 1, 1, 1, 1}, 1);
    Map<String, Integer> counts = count(picker(balancer(LoadBalancerConfig.RING_HASH), all), at(ticker), PICKS);
    double share = counts.getOrDefault("fresh", 0) / (double) PICKS;
    assertThat(share).as("ring-hash share of a brand-new endpoint (fair: 10 %%); picks %s", counts)
        .isLessThan(0.05);
  }

  @Test
  void theNewEndpointReachesItsFairShareWhenTheWindowEnds() {
    List<EndpointState> all = nineOldOneNew(new int[] {1, 1, 1, 1, 1, 1, 1, 1, 1}, 1);
    ticker.advance(11 * SECOND);
    Map<String, Integer> counts = count(picker(balancer(LoadBalancerConfig.ROUND_ROBIN), all), at(ticker), PICKS);
    assertThat(counts.getOrDefault("fresh", 0) / (double) PICKS).as("picks %s", counts).isBetween(0.09, 0.11);
  }
}
