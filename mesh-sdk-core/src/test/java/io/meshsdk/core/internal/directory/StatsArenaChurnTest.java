package io.meshsdk.core.internal.directory;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.endpoint.EndpointState;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Statistics cells and carried-over records under endpoint churn, with calls still in flight. */
class StatsArenaChurnTest {

  private static final long SECOND = 1_000_000_000L;

  // a service's directory entry over a static discovery, on a clock the test moves (one per test)
  private final AtomicLong now = new AtomicLong(1_000 * SECOND);
  private final StaticServiceDiscovery discovery = StaticServiceDiscovery.create();
  private final ServiceDirectory.Entry entry = new ServiceDirectory(discovery, now::get).watch("inventory");

  private static Endpoint ep(int i) {
    return Endpoint.builder("inventory", "10.0." + (i >>> 8 & 255) + "." + (i & 255), 8080).build();
  }

  private static int slotOf(EndpointState s) {
    return s.statsCells().firstSlot() + s.statsIndex();
  }

  /**
   * A call still in flight on an endpoint that left must not stop the reuse of the cells freed after it: 100,000
   * one-in, one-out updates 3 s apart stay within a few cells, as they do with nothing in flight.
   */
  @Test
  void oneLongCallOnARemovedEndpointDoesNotMakeChurnGrowTheArena() {
    discovery.set("inventory", List.of(ep(0), ep(1)));
    TrackedEndpoint streaming = (TrackedEndpoint) entry.snapshot().get(0);
    streaming.attemptStarted(); // a long call (a download, a long poll) still running
    int maxSlot = 0;
    for (int i = 2; i < 100_002; i++) {
      now.addAndGet(3 * SECOND);
      discovery.set("inventory", List.of(ep(i)));
      maxSlot = Math.max(maxSlot, slotOf(entry.snapshot().get(0)));
    }
    assertThat(maxSlot).as("highest cell number used after 100,000 churn cycles").isLessThan(64);
    assertThat(streaming.inFlight()).as("the long call is still counted on its own record").isEqualTo(1);
  }

  /**
   * A late attempt on a removed endpoint (a call that picked it just before it left) that starts while its cell is
   * being handed to a new endpoint must not be lost: its end would leave the new owner's in-flight count at -1.
   */
  @Test
  void aLateAttemptOnARemovedEndpointNeverLeavesTheCellsNextOwnerNegative() throws Exception {
    StatsArena arena = new StatsArena();
    long t = 1_000 * SECOND;
    TrackedEndpoint old = arena.newRecord(ep(0), t);
    arena.begin();
    arena.sweep(new EndpointSet("inventory", 1, List.of(old)), t);
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch started = new CountDownLatch(1);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    TrackedEndpoint owner = old;
    try {
      Future<?> late = pool.submit(() -> {
        started.countDown();
        long n = 0;
        while (!stop.get()) { // balanced starts and ends on the removed endpoint's record
          old.attemptStarted();
          old.responded(1_000, 1_000 + n++);
        }
        return null;
      });
      started.await();
      for (int i = 1; i < 200_000; i++) {
        t += 3 * SECOND;
        owner = arena.newRecord(ep(i), t);
        if (owner.inFlight() < 0) {
          break; // the late start was lost: keep this owner to report it
        }
        arena.begin();
        arena.sweep(new EndpointSet("inventory", i + 1L, List.of(owner)), t);
      }
      stop.set(true);
      late.get(10, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    assertThat(owner.inFlight()).as("in-flight of " + owner.endpoint().id() + ", which never made a call")
        .isGreaterThanOrEqualTo(0);
  }

  /** A record carried over (same id, new labels) keeps its failure run, which the outlier detector counts. */
  @Test
  void aCarriedOverRecordKeepsItsFailureRun() {
    Endpoint.Builder a = Endpoint.builder("inventory", "10.0.0.1", 8080).id("a");
    discovery.set("inventory", List.of(a.labels(Map.of("rev", "1")).build()));
    TrackedEndpoint first = (TrackedEndpoint) entry.snapshot().get(0);
    for (int i = 0; i < 4; i++) {
      first.attemptStarted();
      first.attemptEnded(1_000_000, now.get(), true);
    }
    discovery.set("inventory", List.of(a.labels(Map.of("rev", "2")).build()));
    EndpointState kept = entry.snapshot().get(0);
    assertThat(kept).isNotSameAs(first);
    assertThat(kept.failures()).isEqualTo(4);
    assertThat(kept.consecutiveFailures()).as("failure run after a label change").isEqualTo(4);
  }
}
