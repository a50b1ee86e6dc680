package io.meshsdk.core.resilience.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.endpoint.EndpointState;
import io.meshsdk.core.observe.CallObserver;
import io.meshsdk.core.observe.MeshObserver;
import io.meshsdk.core.resilience.OutlierConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/** Outlier ejection on a fake ticker: no network, no sleeps. */
class OutlierDetectorTest {

  private static final long SECOND = 1_000_000_000L;

  private final AtomicLong now = new AtomicLong(1_000 * SECOND);
  private final AtomicReference<EndpointSet> set = new AtomicReference<>();
  private final AtomicInteger refreshes = new AtomicInteger();
  private final List<String> healthChanges = new ArrayList<>();
  private final LongAdder ejections = new LongAdder();
  private final LongAdder restorations = new LongAdder();

  private final MeshObserver observer = new MeshObserver() {
    @Override
    public CallObserver onCallStart(io.meshsdk.core.observe.CallInfo call) {
      return CallObserver.NOOP;
    }

    @Override
    public void onEndpointHealthChange(EndpointState endpoint, boolean ejected) {
      healthChanges.add(endpoint.endpoint().id() + (ejected ? " ejected" : " restored"));
    }
  };

  private List<EndpointState> endpoints(int n) {
    List<EndpointState> states = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      states.add(new EndpointState(Endpoint.of("svc", "10.0.0." + (i + 1), 80), now.get()));
    }
    set.set(new EndpointSet("svc", 1, states));
    return states;
  }

  private OutlierDetector detector(OutlierConfig config) {
    return new OutlierDetector("svc", config, set::get, refreshes::incrementAndGet, observer, now::get,
        ejections, restorations);
  }

  private void fail(OutlierDetector d, EndpointState s, int times) {
    for (int i = 0; i < times; i++) {
      s.attemptStarted();
      s.attemptEnded(1_000, now.get(), true);
      d.onAttemptEnd(s, true, now.get());
    }
  }

  private void succeed(EndpointState s, int times) {
    for (int i = 0; i < times; i++) {
      s.attemptStarted();
      s.attemptEnded(1_000, now.get(), false);
    }
  }

  @Test
  void consecutiveFailuresEjectForBaseTimesEjectedCappedThenRestoreWithoutACall() {
    List<EndpointState> s = endpoints(4);
    OutlierDetector d = detector(OutlierConfig.builder()
        .consecutiveFailures(3).baseEjectionTime(Duration.ofSeconds(10)).maxEjectionTime(Duration.ofSeconds(25))
        .build());
    fail(d, s.get(0), 2);
    assertThat(s.get(0).isEjected()).isFalse();
    fail(d, s.get(0), 1);
    assertThat(s.get(0).isEjected()).isTrue();
    assertThat(s.get(0).ejectedUntilNanos()).isEqualTo(now.get() + 10 * SECOND);
    assertThat(refreshes.get()).isEqualTo(1);

    now.addAndGet(10 * SECOND - 1);
    d.sweep();
    assertThat(s.get(0).isEjected()).isTrue();
    now.addAndGet(1);
    d.sweep();
    assertThat(s.get(0).isEjected()).isFalse();
    assertThat(s.get(0).consecutiveFailures()).isZero();

    fail(d, s.get(0), 3); // second ejection: 2 × base
    assertThat(s.get(0).ejectedUntilNanos()).isEqualTo(now.get() + 20 * SECOND);
    now.addAndGet(20 * SECOND);
    d.sweep();
    fail(d, s.get(0), 3); // third: 3 × base = 30 s, capped at 25 s
    assertThat(s.get(0).ejectedUntilNanos()).isEqualTo(now.get() + 25 * SECOND);
    assertThat(healthChanges).containsExactly("10.0.0.1:80 ejected", "10.0.0.1:80 restored",
        "10.0.0.1:80 ejected", "10.0.0.1:80 restored", "10.0.0.1:80 ejected");
    assertThat(ejections.sum()).isEqualTo(3);
    assertThat(restorations.sum()).isEqualTo(2);
  }

  @Test
  void maxEjectedShareIsNeverExceeded() {
    List<EndpointState> s = endpoints(4);
    OutlierDetector d = detector(OutlierConfig.builder().consecutiveFailures(1).maxEjectedPercent(50).build());
    for (EndpointState e : s) {
      fail(d, e, 1);
    }
    assertThat(s.stream().filter(EndpointState::isEjected).count()).isEqualTo(2);
  }

  @Test
  void anEndpointTheCapKeptInIsReconsideredEveryThresholdFailuresNotOnEveryFailure() {
    List<EndpointState> s = endpoints(4);
    OutlierDetector d = detector(OutlierConfig.builder().consecutiveFailures(3).maxEjectedPercent(50)
        .baseEjectionTime(java.time.Duration.ofSeconds(10)).build());
    fail(d, s.get(0), 3);
    fail(d, s.get(1), 3);
    fail(d, s.get(2), 3); // the cap (2 of 4) keeps it in
    assertThat(s.get(2).isEjected()).isFalse();
    now.addAndGet(11 * SECOND);
    d.sweep(); // s0 and s1 come back: room under the cap again
    assertThat(s.get(0).isEjected()).isFalse();
    fail(d, s.get(2), 2); // run of 5: not a multiple of 3, not reconsidered
    assertThat(s.get(2).isEjected()).isFalse();
    fail(d, s.get(2), 1); // run of 6: reconsidered, ejected
    assertThat(s.get(2).isEjected()).isTrue();
  }

  @Test
  void atLeastOneOfTwoMayGoEvenUnderASmallShare() {
    List<EndpointState> s = endpoints(2);
    OutlierDetector d = detector(OutlierConfig.builder().consecutiveFailures(1).maxEjectedPercent(10).build());
    fail(d, s.get(0), 1);
    fail(d, s.get(1), 1);
    assertThat(s.get(0).isEjected()).isTrue();
    assertThat(s.get(1).isEjected()).isFalse();
  }

  @Test
  void theOnlyEndpointIsNeverEjected() {
    List<EndpointState> s = endpoints(1);
    OutlierDetector d = detector(OutlierConfig.builder().consecutiveFailures(1).build());
    fail(d, s.get(0), 5);
    assertThat(s.get(0).isEjected()).isFalse();
  }

  @Test
  void failureRateOverAWindowEjects() {
    List<EndpointState> s = endpoints(3);
    OutlierDetector d = detector(OutlierConfig.builder()
        .consecutiveFailures(0).failureRateThreshold(40).failureRateMinimumCalls(10)
        .failureRateWindow(Duration.ofSeconds(10)).build());
    now.addAndGet(10 * SECOND);
    d.sweep(); // first window: baseline only
    for (int i = 0; i < 10; i++) { // alternate so no run of failures; 50 % failure rate
      fail(d, s.get(1), 1);
      succeed(s.get(1), 1);
      succeed(s.get(0), 2);
    }
    succeed(s.get(2), 3); // too few calls to count
    now.addAndGet(5 * SECOND);
    d.sweep();
    assertThat(s.get(1).isEjected()).isFalse(); // window not over yet
    now.addAndGet(5 * SECOND);
    d.sweep();
    assertThat(s.get(1).isEjected()).isTrue();
    assertThat(s.get(0).isEjected()).isFalse();
    assertThat(s.get(2).isEjected()).isFalse();
  }

  @Test
  void disabledDetectorNeverEjectsPassively() {
    List<EndpointState> s = endpoints(3);
    OutlierDetector d = detector(OutlierConfig.builder().enabled(false).build());
    fail(d, s.get(0), 50);
    now.addAndGet(60 * SECOND);
    d.sweep();
    now.addAndGet(60 * SECOND);
    d.sweep();
    assertThat(s.get(0).isEjected()).isFalse();
  }

  @Test
  void panicModeBalancesOverAllWhenTooFewAreHealthy() {
    List<EndpointState> s = endpoints(4);
    s.get(0).eject(Long.MAX_VALUE);
    List<EndpointState> out = new ArrayList<>();
    assertThat(OutlierDetector.eligible(set.get(), 50, out)).isFalse();
    assertThat(out).containsExactly(s.get(1), s.get(2), s.get(3));

    s.get(1).eject(Long.MAX_VALUE);
    out.clear();
    assertThat(OutlierDetector.eligible(set.get(), 50, out)).isFalse(); // 2 of 4 = 50 %: not under
    assertThat(out).containsExactly(s.get(2), s.get(3));

    s.get(2).eject(Long.MAX_VALUE);
    out.clear();
    assertThat(OutlierDetector.eligible(set.get(), 50, out)).isTrue(); // 1 of 4 healthy: panic
    assertThat(out).containsExactlyElementsOf(s);

    out.clear();
    assertThat(OutlierDetector.eligible(set.get(), 0, out)).isFalse(); // threshold 0: never panic...
    assertThat(out).containsExactly(s.get(3));

    s.get(3).eject(Long.MAX_VALUE);
    out.clear();
    assertThat(OutlierDetector.eligible(set.get(), 0, out)).isTrue(); // ...unless nothing is left
    assertThat(out).containsExactlyElementsOf(s);
  }

  @Test
  void stateOfAnEndpointThatLeavesIsDropped() {
    List<EndpointState> s = endpoints(3);
    OutlierDetector d = detector(OutlierConfig.builder().consecutiveFailures(1).build());
    fail(d, s.get(0), 1);
    assertThat(d.ejected()).containsExactly(s.get(0));
    set.set(new EndpointSet("svc", 2, List.of(s.get(1), s.get(2))));
    assertThat(d.ejected()).isEmpty();
    now.addAndGet(3_600 * SECOND);
    d.sweep(); // nothing refers to the departed endpoint any more
    assertThat(restorations.sum()).isZero();
  }

  @Test
  void slowStartRampsTheWeightFactorAfterFirstSightAndAfterRestoration() {
    EndpointState s = new EndpointState(Endpoint.of("svc", "10.0.0.9", 80), now.get());
    long window = 10 * SECOND;
    assertThat(s.slowStartFactor(now.get(), window)).isEqualTo(EndpointState.SLOW_START_MIN_FACTOR);
    assertThat(s.slowStartFactor(now.get() + 5 * SECOND, window)).isEqualTo(0.5);
    assertThat(s.slowStartFactor(now.get() + 10 * SECOND, window)).isEqualTo(1.0);
    assertThat(s.slowStartFactor(now.get(), 0)).isEqualTo(1.0); // slow start off
    s.eject(now.get() + 30 * SECOND);
    assertThat(s.slowStartFactor(now.get(), window)).isEqualTo(1.0);
    long back = now.get() + 30 * SECOND;
    s.restore(back);
    assertThat(s.slowStartFactor(back + SECOND / 2, window)).isEqualTo(EndpointState.SLOW_START_MIN_FACTOR);
    assertThat(s.slowStartFactor(back + 2 * SECOND, window)).isEqualTo(0.2);
    assertThat(s.slowStartFactor(back + 8 * SECOND, window)).isEqualTo(0.8);
  }

  @Test
  void concurrentFailuresNeverEjectMoreThanTheCap() throws Exception {
    for (int round = 0; round < 50; round++) {
      List<EndpointState> s = endpoints(8);
      OutlierDetector d = detector(OutlierConfig.builder().consecutiveFailures(1).maxEjectedPercent(50).build());
      java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      for (EndpointState e : s) {
        Thread t = new Thread(() -> {
          try {
            go.await();
          } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return;
          }
          fail(d, e, 1);
        });
        t.start();
        threads.add(t);
      }
      go.countDown();
      for (Thread t : threads) {
        t.join();
      }
      assertThat(s.stream().filter(EndpointState::isEjected).count()).isEqualTo(4);
    }
  }
}
