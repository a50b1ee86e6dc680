package io.meshsdk.core.internal.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.endpoint.StatsCells;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The flat statistics cells: the decay table, the latency estimate's behaviour, cells per id, no allocation. */
class StatsCellsTest {

  private static final long MS = 1_000_000L;
  private static final long SECOND = 1_000_000_000L;

  private static Endpoint ep(int i) {
    return Endpoint.builder("inventory", "10.3." + (i >> 8) + "." + (i & 255), 9000).id("e" + i).build();
  }

  @Test
  void theDecayTableFollowsTheExponentialWithoutComputingIt() {
    assertThat(StatsCells.decay(0)).isEqualTo(1.0);
    assertThat(StatsCells.decay(-5 * SECOND)).isEqualTo(1.0);
    for (long t = 1; t < 200 * SECOND; t = t * 3 / 2 + 7) {
      double exact = Math.exp(-(double) t / StatsCells.DECAY_NANOS);
      double table = StatsCells.decay(t);
      if (t < 68 * SECOND) {
        assertThat(table).as("decay(%d ns)", t).isCloseTo(exact, within(exact * 0.004));
      } else {
        assertThat(table).as("decay(%d ns), past the table", t).isPositive().isLessThan(0.0011);
      }
    }
    // monotone: a longer idle never decays less
    double previous = 1.0;
    for (long t = 0; t < 80 * SECOND; t += 7 * MS) {
      assertThat(StatsCells.decay(t)).isLessThanOrEqualTo(previous);
      previous = StatsCells.decay(t);
    }
  }

  @Test
  void aSampleBelowTheEstimateWeighsASixteenthUnlessThePreviousOneIsOld() {
    assertThat(TrackedEndpoint.downWeight(0)).isEqualTo(TrackedEndpoint.DOWN_WEIGHT);
    assertThat(TrackedEndpoint.downWeight(600 * MS)).isEqualTo(TrackedEndpoint.DOWN_WEIGHT);
    assertThat(TrackedEndpoint.downWeight(2 * SECOND)).isCloseTo(1 - Math.exp(-0.2), within(0.004));
    assertThat(TrackedEndpoint.downWeight(10 * SECOND)).isCloseTo(1 - Math.exp(-1), within(0.004));
    assertThat(TrackedEndpoint.downWeight(1_000 * SECOND)).isGreaterThan(0.998).isLessThanOrEqualTo(1.0);
  }

  @Test
  void theEstimateKeepsItsRulesInTheCell() {
    TrackedEndpoint s = new StatsArena().newRecord(ep(1), 5 * SECOND);
    assertThat(s.ewmaNanos()).isZero();
    assertThat(s.lastSampleNanos()).as("never sampled").isZero();
    s.attemptStarted();
    s.attemptEnded(20 * MS, 6 * SECOND, false);
    assertThat(s.ewmaNanos()).as("the first sample is the estimate").isEqualTo(20 * MS);
    assertThat(s.lastSampleNanos()).as("to a tick").isBetween(6 * SECOND - (1L << StatsCells.TICK_SHIFT), 6 * SECOND);
    s.attemptStarted();
    s.attemptEnded(1_000 * MS, 6 * SECOND + MS, false);
    assertThat(s.ewmaNanos()).as("up half way to a sample capped at 8x").isEqualTo(90 * MS);
    s.attemptStarted();
    s.attemptEnded(10 * MS, 6 * SECOND + 2 * MS, false);
    assertThat(s.ewmaNanos()).as("down a sixteenth").isCloseTo(85 * MS, within(10.0));
    s.attemptStarted();
    s.attemptEnded(10 * MS, 36 * SECOND, false); // the previous sample is 30 s old: weight 1 - e^-3
    assertThat(s.ewmaNanos()).isCloseTo(10 * MS + 75 * MS * Math.exp(-3), within(0.5 * MS));
    assertThat(s.inFlight()).isZero();
    for (int i = 0; i < 50; i++) {
      s.outcome(true);
    }
    assertThat(s.recentFailureRate()).isGreaterThan(0.9).isLessThanOrEqualTo(1.0);
    assertThat(s.inFlight()).as("the failure rate shares a word with the in-flight count").isZero();
    s.attemptStarted();
    s.attemptStarted();
    assertThat(s.inFlight()).isEqualTo(2);
    s.restore(40 * SECOND);
    assertThat(s.recentFailureRate()).isZero();
    assertThat(s.inFlight()).isEqualTo(2);
  }

  @Test
  void aRecordCarriedOverKeepsItsCellAndAttemptsStillRunningOnTheOldRecordEndOnIt() {
    AtomicLong ticker = new AtomicLong(100 * SECOND);
    StaticServiceDiscovery discovery = StaticServiceDiscovery.create();
    try (ServiceDirectory directory = new ServiceDirectory(discovery, ticker::get)) {
      ServiceDirectory.Entry entry = directory.watch("inventory");
      List<Endpoint> first = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        first.add(ep(i));
      }
      discovery.set("inventory", first);
      TrackedEndpoint old = (TrackedEndpoint) entry.snapshot().get(3);
      assertThat(entry.snapshot().get(9).statsIndex() - entry.snapshot().get(0).statsIndex())
          .as("a first snapshot's cells are contiguous").isEqualTo(9);
      old.attemptStarted();
      old.attemptEnded(7 * MS, ticker.get(), true);
      old.attemptStarted(); // still running when the update arrives
      List<Endpoint> second = new ArrayList<>(first);
      second.set(3, Endpoint.builder("inventory", "10.3.0.3", 9000).id("e3").label("v", "2").build());
      discovery.set("inventory", second);
      TrackedEndpoint kept = (TrackedEndpoint) entry.snapshot().get(3);
      assertThat(kept).isNotSameAs(old);
      assertThat(kept.statsCells()).isSameAs(old.statsCells());
      assertThat(kept.ewmaNanos()).isEqualTo(7 * MS);
      assertThat(kept.recentFailureRate()).isEqualTo(old.recentFailureRate()).isPositive();
      assertThat(kept.inFlight()).isEqualTo(1);
      old.responded(3 * MS, ticker.get());
      assertThat(kept.inFlight()).as("the old record's attempt ends on the shared cell").isZero();
    }
  }

  @Test
  void theCellOfAnEndpointThatLeftIsReusedOnlyAfterARestWithNothingInFlight() {
    long[] ticker = {100 * SECOND};
    StatsArena arena = new StatsArena();
    List<TrackedEndpoint> records = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      records.add(arena.newRecord(ep(i), ticker[0]));
    }
    EndpointSet before = new EndpointSet("inventory", 1, records);
    TrackedEndpoint leaving = records.get(1);
    leaving.attemptStarted();
    leaving.attemptEnded(5 * MS, ticker[0], false);
    leaving.attemptStarted(); // a call still on it
    arena.begin();
    for (int i : new int[] {0, 2, 3}) {
      assertThat(arena.claim(records.get(i))).isTrue();
    }
    assertThat(arena.claim(records.get(2))).as("claimed twice: the same id listed twice").isFalse();
    arena.sweep(before, ticker[0]);
    assertThat(arena.live()).isEqualTo(3);
    TrackedEndpoint soon = arena.newRecord(ep(10), ticker[0] + StatsArena.REUSE_AFTER_NANOS / 2);
    assertThat(soon.statsCells().firstSlot() + soon.statsIndex())
        .as("not reused before its rest").isNotEqualTo(leaving.statsCells().firstSlot() + leaving.statsIndex());
    TrackedEndpoint busy = arena.newRecord(ep(11), ticker[0] + 2 * StatsArena.REUSE_AFTER_NANOS);
    assertThat(busy.statsCells() == leaving.statsCells() && busy.statsIndex() == leaving.statsIndex())
        .as("not reused while an attempt on it runs").isFalse();
    leaving.responded(5 * MS, ticker[0]);
    TrackedEndpoint reused = arena.newRecord(ep(12), ticker[0] + 2 * StatsArena.REUSE_AFTER_NANOS);
    assertThat(reused.statsCells()).isSameAs(leaving.statsCells());
    assertThat(reused.statsIndex()).isEqualTo(leaving.statsIndex());
    assertThat(reused.ewmaNanos()).as("a reused cell starts from nothing").isZero();
    assertThat(reused.inFlight()).isZero();
  }

  @Test
  void recordingAnAttemptAllocatesNothing() {
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assertThat(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled()).isTrue();
    TrackedEndpoint s = new StatsArena().newRecord(ep(1), 0);
    long now = 1_000 * SECOND;
    for (int i = 0; i < 20_000; i++) { // warm up
      s.attemptStarted();
      s.attemptEnded(1 + (i % 50) * MS, now + i * 40L * MS, i % 7 == 0);
    }
    long tid = Thread.currentThread().getId();
    long before = mx.getThreadAllocatedBytes(tid);
    for (int i = 0; i < 100_000; i++) {
      s.attemptStarted();
      s.responded(1 + (i % 50) * MS, now + i * 40L * MS);
      s.outcome(i % 7 == 0);
    }
    long allocated = mx.getThreadAllocatedBytes(tid) - before;
    assertThat(allocated).as("bytes allocated by 100,000 recorded attempts").isLessThan(4_096);
  }
}
