package io.meshsdk.core.loadbalancer;

import static io.meshsdk.core.loadbalancer.LbTesting.MS;
import static io.meshsdk.core.loadbalancer.LbTesting.SECOND;
import static io.meshsdk.core.loadbalancer.LbTesting.at;
import static io.meshsdk.core.loadbalancer.LbTesting.count;
import static io.meshsdk.core.loadbalancer.LbTesting.picker;
import static io.meshsdk.core.loadbalancer.LbTesting.sample;
import static io.meshsdk.core.loadbalancer.LbTesting.state;
import static io.meshsdk.core.loadbalancer.LbTesting.states;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.endpoint.EndpointState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LeastRequestLoadBalancerTest {

  private final LbTesting.ManualTicker ticker = new LbTesting.ManualTicker();
  private final LeastRequestLoadBalancer lb = new LeastRequestLoadBalancer(ticker, RandomSource.seeded(42));
  private List<EndpointState> peers;

  /** Ten endpoints seen long ago (out of slow start), each with a 10 ms latency sample just now. */
  @BeforeEach
  void tenWarmPeers() {
    peers = new ArrayList<>(states(10, ticker));
    ticker.advance(60 * SECOND);
    for (EndpointState s : peers) {
      sample(s, 10 * MS, ticker);
    }
  }

  private static final int PICKS = 100_000;

  @Test
  void equalEndpointsShareEvenly() {
    Map<String, Integer> counts = count(picker(lb, peers), at(ticker), PICKS);
    double chi = LbTesting.chiSquare(counts, LbTesting.uniform(LbTesting.ids(peers)), PICKS);
    assertThat(chi).isLessThan(LbTesting.chiSquareCritical(peers.size() - 1));
  }

  @Test
  void shiftsLoadAwayFromASlowEndpoint() {
    EndpointState slow = peers.get(3);
    for (int i = 0; i < 5; i++) { // persistently 50x slower: the estimate follows within a few samples
      sample(slow, 500 * MS, ticker);
    }
    Map<String, Integer> counts = count(picker(lb, peers), at(ticker), PICKS);
    assertThat(counts.getOrDefault("e3", 0)).isLessThan(PICKS / 10 / 20); // < 5 % of a fair share
  }

  @Test
  void oneSlowSampleDoesNotTakeAnEndpointOutOfRotation() {
    EndpointState spiked = peers.get(3);
    sample(spiked, 500 * MS, ticker); // one GC pause charged to it: the estimate rises at most 8x
    Map<String, Integer> counts = count(picker(lb, peers), at(ticker), PICKS);
    assertThat(counts.getOrDefault("e3", 0)).isPositive().isLessThan(PICKS / 10 / 2);
  }

  @Test
  void latencyAndInFlightBothCount() {
    // e0 is slower (its estimate 15 ms after one 20 ms sample), e1 has 3 calls in flight: cost 15 ms × 1 vs
    // 10 ms × 4, so e0 wins that pair with probability 40² / (15² + 40²) ≈ 0.88.
    List<EndpointState> two = List.of(peers.get(0), peers.get(1));
    sample(peers.get(0), 20 * MS, ticker);
    for (int i = 0; i < 3; i++) {
      LbTesting.started(peers.get(1));
    }
    Map<String, Integer> counts = count(picker(lb, two), at(ticker), 10_000);
    assertThat(counts.get("e0")).isBetween(8_500, 9_100);
  }

  @Test
  void anEndpointThatFailsOftenGetsFewerCalls() {
    EndpointState failing = peers.get(5);
    for (int i = 0; i < 40; i++) { // every other attempt fails: recent failure rate ~0.5
      LbTesting.started(failing);
      LbTesting.ended(failing, 10 * MS, ticker.read(), (i & 1) == 0);
    }
    Map<String, Integer> counts = count(picker(lb, peers), at(ticker), PICKS);
    assertThat(counts.get("e5")).isLessThan(PICKS / 10 / 5); // under a fifth of its fair share
  }

  @Test
  void identicalEndpointsCalledOneAtATimeShareEvenlyDespitePausesAndNoise() {
    // One caller thread (nothing ever in flight at pick time), latencies with ±30 % noise and a 50 ms pause
    // charged to whichever endpoint was called every ~500 calls: a strict cost comparison gives shares
    // proportional to the rank of each estimate (0 % to 2/n); the soft comparison keeps them near fair.
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(7);
    Picker p = picker(lb, peers);
    Map<String, Integer> counts = new java.util.HashMap<>();
    int calls = 200_000;
    for (int i = 0; i < calls; i++) {
      EndpointState e = p.pick(at(ticker));
      long latency = (long) (MS * (0.7 + 0.6 * rnd.nextDouble()));
      if (rnd.nextInt(500) == 0) {
        latency += 50 * MS;
      }
      ticker.advance(latency);
      LbTesting.started(e);
      LbTesting.ended(e, latency, ticker.read(), false);
      counts.merge(e.endpoint().id(), 1, Integer::sum);
    }
    double fair = calls / 10.0;
    assertThat(counts.values()).allSatisfy(c -> assertThat(c / fair).isBetween(0.5, 1.5));
  }

  @Test
  void shiftsLoadAwayFromASaturatedEndpoint() {
    EndpointState busy = peers.get(7);
    for (int i = 0; i < 20; i++) {
      LbTesting.started(busy);
    }
    Map<String, Integer> counts = count(picker(lb, peers), at(ticker), PICKS);
    assertThat(counts.getOrDefault("e7", 0)).isLessThan(PICKS / 10 / 20);
  }

  @Test
  void doesNotFloodABrandNewEndpointWithoutSamples() {
    ticker.advance(60 * SECOND);
    EndpointState fresh = state("fresh", ticker);
    ticker.advance(LeastRequestLoadBalancer.SLOW_START_NANOS + SECOND); // out of slow start, still no sample
    List<EndpointState> all = new ArrayList<>(peers);
    all.add(fresh);
    Picker p = picker(lb, all);
    int toFresh = 0;
    for (int i = 0; i < 10_000; i++) {
      EndpointState e = p.pick(at(ticker));
      LbTesting.started(e);
      if (e == fresh) {
        toFresh++; // its calls never complete: no latency sample ever arrives
      } else {
        LbTesting.ended(e, 10 * MS, ticker.read(), false);
      }
    }
    // A zero estimate read as "free" would send it every pair it is in (~1,800 calls). Assumed as fast as its
    // peers, it loses on in-flight more and more as its calls pile up: (k+1)² × its peers' cost after k.
    assertThat(toFresh).isBetween(1, 40);
  }

  @Test
  void aNewEndpointWithoutSamplesGetsAFairShareOnceOutOfSlowStart() {
    ticker.advance(60 * SECOND);
    EndpointState fresh = state("fresh", ticker);
    ticker.advance(LeastRequestLoadBalancer.SLOW_START_NANOS);
    List<EndpointState> all = new ArrayList<>(peers);
    all.add(fresh);
    for (EndpointState s : peers) {
      sample(s, 10 * MS, ticker);
    }
    Map<String, Integer> counts = count(picker(lb, all), at(ticker), PICKS);
    assertThat(counts.get("fresh")).isBetween((int) (PICKS / 11.0 * 0.85), (int) (PICKS / 11.0 * 1.15));
  }

  @Test
  void picksTakeTheTimeFromTheContextNotFromTheTicker() {
    EndpointState fresh = state("fresh", ticker); // healthy since now: in slow start at the ticker's time
    List<EndpointState> all = new ArrayList<>(peers);
    all.add(fresh);
    int[] reads = {0};
    io.meshsdk.core.common.Ticker counting = () -> {
      reads[0]++;
      return ticker.read();
    };
    Picker p = new LeastRequestLoadBalancer(counting, RandomSource.seeded(42)).newPicker(
        new io.meshsdk.core.endpoint.EndpointSet("svc", 1, all), all);
    int readsAtBuild = reads[0];
    LbTesting.Ctx later = new LbTesting.Ctx().on(() -> ticker.read() + 10 * SECOND + 1); // the engine's time
    double fair = PICKS / 11.0;
    assertThat(count(p, later, PICKS).get("fresh") / fair).isBetween(0.88, 1.12); // out of slow start: 100 %
    assertThat(reads[0]).isEqualTo(readsAtBuild); // no clock read per pick
  }

  @Test
  void slowStartRampsTheShareOfANewEndpoint() {
    EndpointState fresh = state("fresh", ticker); // healthy since now
    List<EndpointState> all = new ArrayList<>(peers);
    all.add(fresh);
    Picker p = picker(lb, all);
    double fair = PICKS / 11.0;
    assertThat(count(p, at(ticker), PICKS).get("fresh") / fair).isBetween(0.07, 0.13); // 10 %
    ticker.advance(5 * SECOND);
    assertThat(count(p, at(ticker), PICKS).get("fresh") / fair).isBetween(0.42, 0.58); // 50 %
    ticker.advance(5 * SECOND + 1);
    assertThat(count(p, at(ticker), PICKS).get("fresh") / fair).isBetween(0.88, 1.12); // 100 %
  }

  @Test
  void slowStartWindowComesFromConfigAndZeroTurnsItOff() {
    EndpointState fresh = state("fresh", ticker);
    List<EndpointState> all = new ArrayList<>(peers);
    all.add(fresh);
    double fair = PICKS / 11.0;
    LoadBalancer off = LoadBalancers.create(
        LoadBalancerConfig.builder().slowStartWindow(java.time.Duration.ZERO).build(), ticker);
    assertThat(count(picker(off, all), at(ticker), PICKS).get("fresh") / fair).isBetween(0.88, 1.12);
    LoadBalancer twenty = LoadBalancers.create(
        LoadBalancerConfig.builder().slowStartWindow(java.time.Duration.ofSeconds(20)).build(), ticker);
    ticker.advance(10 * SECOND); // half of a 20 s window: ~50 % (the default 10 s window would be over)
    assertThat(count(picker(twenty, all), at(ticker), PICKS).get("fresh") / fair).isBetween(0.35, 0.65);
  }

  @Test
  void slowStartIsRelativeSoAFreshServiceIsNotSkewed() {
    List<EndpointState> fresh = states(5, ticker); // all healthy since now
    Map<String, Integer> counts = count(picker(lb, fresh), at(ticker), PICKS);
    double chi = LbTesting.chiSquare(counts, LbTesting.uniform(LbTesting.ids(fresh)), PICKS);
    assertThat(chi).isLessThan(LbTesting.chiSquareCritical(4));
  }

  @Test
  void anIdleSlowEndpointIsProbedAgainButNotFlooded() {
    EndpointState slow = peers.get(0);
    for (int i = 0; i < 8; i++) { // persistently 200x slower
      sample(slow, 2_000 * MS, ticker);
    }
    Picker p = picker(lb, peers);
    assertThat(count(p, at(ticker), 10_000)).doesNotContainKey("e0");

    ticker.advance(60 * SECOND); // e0 idle for a minute: ~2 s × e^-6 ≈ 5 ms, cheaper than its busy peers
    int probes = 0;
    for (int i = 0; i < 10_000; i++) {
      EndpointState e = p.pick(at(ticker));
      LbTesting.started(e);
      if (e == slow) {
        probes++; // the probe stays in flight
      } else {
        LbTesting.ended(e, 10 * MS, ticker.read(), false);
      }
    }
    assertThat(probes).isEqualTo(1);
  }

  @Test
  void retryPrefersAnEndpointNotTriedYet() {
    List<EndpointState> three = peers.subList(0, 3);
    Picker p = picker(lb, three);
    for (int i = 0; i < 1_000; i++) {
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
  void aRetryGoesToTheCheaperOfTheUntriedNotBlindlyToTheOneLeftInThePair() {
    // e0 failed (tried); of e1 and e2, e2 hangs (5 calls stuck, a slow estimate): the retry must pick e1.
    List<EndpointState> three = peers.subList(0, 3);
    EndpointState hung = peers.get(2);
    for (int i = 0; i < 4; i++) {
      sample(hung, 900 * MS, ticker);
    }
    for (int i = 0; i < 5; i++) {
      LbTesting.started(hung);
    }
    Picker p = picker(lb, three);
    int toHung = 0;
    for (int i = 0; i < 1_000; i++) {
      LbTesting.Ctx ctx = new LbTesting.Ctx().on(ticker);
      ctx.tried(peers.get(0));
      if (p.pick(ctx) == hung) {
        toHung++;
      }
    }
    assertThat(toHung).isLessThan(10);
  }

  @Test
  void isReproducibleWithAFixedSeed() {
    Picker a = picker(new LeastRequestLoadBalancer(ticker, RandomSource.seeded(9)), peers);
    Picker b = picker(new LeastRequestLoadBalancer(ticker, RandomSource.seeded(9)), peers);
    for (int i = 0; i < 1_000; i++) {
      assertThat(a.pick(at(ticker))).isSameAs(b.pick(at(ticker)));
    }
  }
}
