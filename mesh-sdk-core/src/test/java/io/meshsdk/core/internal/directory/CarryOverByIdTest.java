package io.meshsdk.core.internal.directory;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.endpoint.EndpointSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Pushed straight into the entry, as a backend's own thread would (the kit would merge a reordered list away).
 * The directory carries each endpoint's record over by id whatever the order of the push: reordered, reversed,
 * shuffled, with duplicates, with an id that moves while its labels change.
 */
class CarryOverByIdTest {

  private final AtomicLong ticker = new AtomicLong(1_000_000_000_000L);
  private final AtomicLong wall = new AtomicLong(1_800_000_000_000L);
  private final StaticServiceDiscovery discovery = StaticServiceDiscovery.create();
  private final ServiceDirectory directory = new ServiceDirectory(discovery, ticker::get, null, wall::get);

  private static Endpoint ep(int i, String version) {
    return Endpoint.builder("inventory", "10.2." + (i >> 8) + "." + (i & 255), 9000).id("e" + i)
        .label("version", version).build();
  }

  /** Gives endpoint {@code i} a signature: {@code i + 1} successes, so each record is recognisable. */
  private static Map<String, Long> sign(EndpointSet set) {
    Map<String, Long> signatures = new HashMap<>();
    for (int k = 0; k < set.size(); k++) {
      TrackedEndpoint t = (TrackedEndpoint) set.get(k);
      int i = Integer.parseInt(t.endpoint().id().substring(1));
      for (int n = 0; n <= i % 97; n++) {
        t.outcome(false);
      }
      signatures.put(t.endpoint().id(), t.successes());
    }
    return signatures;
  }

  private static void assertCarried(EndpointSet set, Map<String, Long> signatures) {
    for (int k = 0; k < set.size(); k++) {
      TrackedEndpoint t = (TrackedEndpoint) set.get(k);
      assertThat(t.successes()).as("record of %s at position %d", t.endpoint().id(), k)
          .isEqualTo(signatures.get(t.endpoint().id()));
    }
  }

  @Test
  void tenThousandEndpointsFullyReversedKeepEveryRecord() {
    ServiceDirectory.Entry e = directory.watch("inventory");
    List<Endpoint> eps = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      eps.add(ep(i, "v1"));
    }
    e.onEndpoints(eps);
    Map<String, Long> signatures = sign(e.snapshot());
    List<Endpoint> reversed = new ArrayList<>(eps);
    Collections.reverse(reversed);
    e.onEndpoints(reversed);
    assertThat(e.snapshot().size()).isEqualTo(10_000);
    assertThat(e.snapshot().get(0).endpoint().id()).isEqualTo("e9999");
    assertCarried(e.snapshot(), signatures);
  }

  @Test
  void shuffledListsWithChangedLabelsAndDuplicatesKeepRecordsById() {
    ServiceDirectory.Entry e = directory.watch("inventory");
    List<Endpoint> eps = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      eps.add(ep(i, "v1"));
    }
    e.onEndpoints(eps);
    Map<String, Long> signatures = sign(e.snapshot());
    Random random = new Random(7);
    for (int round = 0; round < 20; round++) {
      List<Endpoint> next = new ArrayList<>();
      for (Endpoint x : eps) {
        next.add(random.nextInt(4) == 0 ? ep(Integer.parseInt(x.id().substring(1)), "v" + round) : x);
      }
      Collections.shuffle(next, random);
      // a duplicate of the id at position 0 inserted at position 1: the first is kept, the second dropped
      next.add(1, ep(Integer.parseInt(next.get(0).id().substring(1)), "dup"));
      e.onEndpoints(next);
      EndpointSet now = e.snapshot();
      assertThat(now.size()).isEqualTo(500);
      assertThat(now.get(1).endpoint().id()).isEqualTo(next.get(2).id()); // the duplicate was skipped
      assertCarried(now, signatures);
      eps = next.subList(0, 1);
      eps = new ArrayList<>(eps);
      eps.addAll(next.subList(2, next.size()));
    }
  }

  @Test
  void anIdThatMovesOnePlaceWhileItsNeighbourLeavesKeepsItsRecord() {
    ServiceDirectory.Entry e = directory.watch("inventory");
    e.onEndpoints(List.of(ep(0, "v1"), ep(1, "v1"), ep(2, "v1")));
    Map<String, Long> signatures = sign(e.snapshot());
    TrackedEndpoint two = (TrackedEndpoint) e.snapshot().get(2);
    e.onEndpoints(List.of(ep(0, "v1"), ep(2, "v1"), ep(3, "v1")));
    assertThat(e.snapshot().get(1)).isSameAs(two);
    assertThat(e.snapshot().get(2).endpoint().id()).isEqualTo("e3");
    assertThat(((TrackedEndpoint) e.snapshot().get(2)).successes()).isZero(); // a new endpoint starts afresh
    assertThat(((TrackedEndpoint) e.snapshot().get(0)).successes()).isEqualTo(signatures.get("e0"));
  }
}
