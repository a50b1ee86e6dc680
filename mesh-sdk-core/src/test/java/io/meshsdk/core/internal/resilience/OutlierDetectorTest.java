package io.meshsdk.core.internal.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.common.SerialExecutor;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.endpoint.EndpointExclusion;
import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.endpoint.EndpointState;
import io.meshsdk.core.internal.concurrent.MeshScheduler;
import io.meshsdk.core.internal.directory.TrackedEndpoint;
import io.meshsdk.core.resilience.OutlierConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Outlier ejection on a fake ticker: no network, no sleeps. The control context runs tasks at once on the calling
 * thread here (the mesh runs them on its control thread); restorations and windows are driven by the test.
 */
class OutlierDetectorTest {

  private static final long SECOND = 1_000_000_000L;

  private final AtomicLong now = new AtomicLong(1_000 * SECOND);
  private final AtomicReference<EndpointSet> set = new AtomicReference<>();
  private final List<String> healthChanges = new ArrayList<>();
  private final MeshScheduler scheduler = new MeshScheduler("test-control");

  @AfterEach
  void stopScheduler() {
    scheduler.close();
  }

  private List<TrackedEndpoint> endpoints(int n) {
    List<TrackedEndpoint> states = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      states.add(new TrackedEndpoint(Endpoint.of("svc", "10.0.0." + (i + 1), 80), now.get()));
    }
    set.set(new EndpointSet("svc", 1, states));
    return states;
  }

  private OutlierDetector detector(OutlierConfig config) {
    return detector(config, Runnable::run);
  }

  private OutlierDetector detector(OutlierConfig config, java.util.concurrent.Executor control) {
    return new OutlierDetector("svc", config, set::get, control, scheduler,
        (endpoint, ejected, reason, detail) -> {
          synchronized (healthChanges) {
            healthChanges.add(endpoint.endpoint().id() + (ejected ? " ejected" : " restored"));
          }
        }, now::get);
  }

  private void fail(OutlierDetector d, TrackedEndpoint s, int times) {
    for (int i = 0; i < times; i++) {
      s.attemptStarted();
      s.attemptEnded(1_000, now.get(), true);
      d.onAttemptEnd(s, true);
    }
  }

  private void succeed(OutlierDetector d, TrackedEndpoint s, int times) {
    for (int i = 0; i < times; i++) {
      s.attemptStarted();
      s.attemptEnded(1_000, now.get(), false);
      d.onAttemptEnd(s, false);
    }
  }

  @Test
  void consecutiveFailuresEjectForBaseTimesEjectedCappedThenRestoreWithoutACall() {
    List<TrackedEndpoint> s = endpoints(4);
    OutlierDetector d = detector(OutlierConfig.builder()
        .consecutiveFailures(3).baseEjectionTime(Duration.ofSeconds(10)).maxEjectionTime(Duration.ofSeconds(25))
        .build());
    fail(d, s.get(0), 2);
    assertThat(s.get(0).isEjected()).isFalse();
    fail(d, s.get(0), 1);
    assertThat(s.get(0).isEjected()).isTrue();
    assertThat(s.get(0).ejectedUntilNanos()).isEqualTo(now.get() + 10 * SECOND);
    assertThat(s.get(0).exclusion()).isNotNull();
    assertThat(s.get(0).exclusion().reason()).isEqualTo(EndpointExclusion.Reason.CONSECUTIVE_FAILURES);
    assertThat(s.get(0).exclusion().detail()).isEqualTo("3 consecutive failures");

    now.addAndGet(10 * SECOND - 1);
    d.restoreDue();
    assertThat(s.get(0).isEjected()).isTrue();
    now.addAndGet(1);
    d.restoreDue();
    assertThat(s.get(0).isEjected()).isFalse();
    assertThat(s.get(0).consecutiveFailures()).isZero();

    fail(d, s.get(0), 3); // second ejection: 2 × base
    assertThat(s.get(0).ejectedUntilNanos()).isEqualTo(now.get() + 20 * SECOND);
    now.addAndGet(20 * SECOND);
    d.restoreDue();
    fail(d, s.get(0), 3); // third: 3 × base = 30 s, capped at 25 s
    assertThat(s.get(0).ejectedUntilNanos()).isEqualTo(now.get() + 25 * SECOND);
    assertThat(healthChanges).containsExactly("10.0.0.1:80 ejected", "10.0.0.1:80 restored",
        "10.0.0.1:80 ejected", "10.0.0.1:80 restored", "10.0.0.1:80 ejected");
    assertThat(d.ejections()).isEqualTo(3);
    assertThat(d.restorations()).isEqualTo(2);
  }

  @Test
  void maxEjectedShareIsNeverExceeded() {
    List<TrackedEndpoint> s = endpoints(4);
    OutlierDetector d = detector(OutlierConfig.builder().consecutiveFailures(1).maxEjectedPercent(50).build());
    for (TrackedEndpoint e : s) {
      fail(d, e, 1);
    }
    assertThat(s.stream().filter(EndpointState::isEjected).count()).isEqualTo(2);
  }

  @Test
  void anEndpointTheCapKeptInIsReconsideredEveryThresholdFailuresNotOnEveryFailure() {
    List<TrackedEndpoint> s = endpoints(4);
    OutlierDetector d = detector(OutlierConfig.builder().consecutiveFailures(3).maxEjectedPercent(50)
        .baseEjectionTime(java.time.Duration.ofSeconds(10)).build());
    fail(d, s.get(0), 3);
    fail(d, s.get(1), 3);
    fail(d, s.get(2), 3); // the cap (2 of 4) keeps it in
    assertThat(s.get(2).isEjected()).isFalse();
    now.addAndGet(11 * SECOND);
    d.restoreDue(); // s0 and s1 come back: room under the cap again
    assertThat(s.get(0).isEjected()).isFalse();
    fail(d, s.get(2), 2); // run of 5: not a multiple of 3, not reconsidered
    assertThat(s.get(2).isEjected()).isFalse();
    fail(d, s.get(2), 1); // run of 6: reconsidered, ejected
    assertThat(s.get(2).isEjected()).isTrue();
  }

  @Test
  void atLeastOneOfTwoMayGoEvenUnderASmallShare() {
    List<TrackedEndpoint> s = endpoints(2);
    OutlierDetector d = detector(OutlierConfig.builder().consecutiveFailures(1).maxEjectedPercent(10).build());
    fail(d, s.get(0), 1);
    fail(d, s.get(1), 1);
    assertThat(s.get(0).isEjected()).isTrue();
    assertThat(s.get(1).isEjected()).isFalse();
  }

  @Test
  void theOnlyEndpointIsNeverEjected() {
    List<TrackedEndpoint> s = endpoints(1);
    OutlierDetector d = detector(OutlierConfig.builder().consecutiveFailures(1).build());
    fail(d, s.get(0), 5);
    assertThat(s.get(0).isEjected()).isFalse();
  }

  @Test
  void failureRateOverAWindowEjects() {
    List<TrackedEndpoint> s = endpoints(3);
    OutlierDetector d = detector(OutlierConfig.builder()
        .consecutiveFailures(0).failureRateThreshold(40).failureRateMinimumCalls(10)
        .failureRateWindow(Duration.ofSeconds(10)).build());
    succeed(d, s.get(0), 1); // the first outcome starts the window (its baseline: the counts then)
    for (int i = 0; i < 10; i++) { // alternate so no run of failures; 50 % failure rate
      fail(d, s.get(1), 1);
      succeed(d, s.get(1), 1);
      succeed(d, s.get(0), 2);
    }
    succeed(d, s.get(2), 3); // too few calls to count
    assertThat(s.get(1).isEjected()).isFalse(); // window not over yet
    d.windowEnded();
    assertThat(s.get(1).isEjected()).isTrue();
    assertThat(s.get(1).exclusion().reason()).isEqualTo(EndpointExclusion.Reason.FAILURE_RATE);
    assertThat(s.get(1).exclusion().detail()).isEqualTo("50% of 20 attempts failed");
    assertThat(s.get(0).isEjected()).isFalse();
    assertThat(s.get(2).isEjected()).isFalse();
  }

  @Test
  void disabledDetectorNeverEjectsPassively() {
    List<TrackedEndpoint> s = endpoints(3);
    OutlierDetector d = detector(OutlierConfig.builder().enabled(false).build());
    fail(d, s.get(0), 50);
    d.windowEnded();
    d.windowEnded();
    assertThat(s.get(0).isEjected()).isFalse();
  }

  @Test
  void panicModeBalancesOverAllWhenTooFewAreHealthy() {
    List<TrackedEndpoint> s = endpoints(4);
    EndpointExclusion down = new EndpointExclusion(EndpointExclusion.Reason.HEALTH_CHECK, "down", 0, Long.MAX_VALUE);
    s.get(0).eject(down);
    List<TrackedEndpoint> out = new ArrayList<>();
    assertThat(OutlierDetector.eligible(set.get(), 50, out)).isFalse();
    assertThat(out).containsExactly(s.get(1), s.get(2), s.get(3));

    s.get(1).eject(down);
    out.clear();
    assertThat(OutlierDetector.eligible(set.get(), 50, out)).isFalse(); // 2 of 4 = 50 %: not under
    assertThat(out).containsExactly(s.get(2), s.get(3));

    s.get(2).eject(down);
    out.clear();
    assertThat(OutlierDetector.eligible(set.get(), 50, out)).isTrue(); // 1 of 4 healthy: panic
    assertThat(out).containsExactlyElementsOf(s);

    out.clear();
    assertThat(OutlierDetector.eligible(set.get(), 0, out)).isFalse(); // threshold 0: never panic...
    assertThat(out).containsExactly(s.get(3));

    s.get(3).eject(down);
    out.clear();
    assertThat(OutlierDetector.eligible(set.get(), 0, out)).isTrue(); // ...unless nothing is left
    assertThat(out).containsExactlyElementsOf(s);
  }

  @Test
  void stateOfAnEndpointThatLeavesIsDropped() {
    List<TrackedEndpoint> s = endpoints(3);
    OutlierDetector d = detector(OutlierConfig.builder().consecutiveFailures(1).build());
    fail(d, s.get(0), 1);
    assertThat(d.ejected()).containsExactly(s.get(0));
    set.set(new EndpointSet("svc", 2, List.of(s.get(1), s.get(2))));
    assertThat(d.ejected()).isEmpty();
    now.addAndGet(3_600 * SECOND);
    d.restoreDue(); // nothing refers to the departed endpoint any more
    assertThat(d.restorations()).isZero();
    d.close();
    assertThat(d.pendingTimers()).as("closing cancels the restoration timer").isZero();
  }

  @Test
  void slowStartRampsTheWeightFactorAfterFirstSightAndAfterRestoration() {
    TrackedEndpoint s = new TrackedEndpoint(Endpoint.of("svc", "10.0.0.9", 80), now.get());
    long window = 10 * SECOND;
    assertThat(s.slowStartFactor(now.get(), window)).isEqualTo(EndpointState.SLOW_START_MIN_FACTOR);
    assertThat(s.slowStartFactor(now.get() + 5 * SECOND, window)).isEqualTo(0.5);
    assertThat(s.slowStartFactor(now.get() + 10 * SECOND, window)).isEqualTo(1.0);
    assertThat(s.slowStartFactor(now.get(), 0)).isEqualTo(1.0); // slow start off
    s.eject(new EndpointExclusion(EndpointExclusion.Reason.CONSECUTIVE_FAILURES, "5", now.get(),
        now.get() + 30 * SECOND));
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
      List<TrackedEndpoint> s = endpoints(8);
      SerialExecutor control = new SerialExecutor("test", java.util.concurrent.ForkJoinPool.commonPool());
      OutlierDetector d = detector(OutlierConfig.builder().consecutiveFailures(1).maxEjectedPercent(50).build(),
          control);
      java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      for (TrackedEndpoint e : s) {
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
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
          .until(() -> s.stream().filter(EndpointState::isEjected).count() == 4);
      java.util.concurrent.CountDownLatch drained = new java.util.concurrent.CountDownLatch(1);
      control.execute(drained::countDown);
      drained.await();
      assertThat(s.stream().filter(EndpointState::isEjected).count()).isEqualTo(4);
    }
  }
}
