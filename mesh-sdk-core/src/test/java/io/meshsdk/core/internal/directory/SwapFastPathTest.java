package io.meshsdk.core.internal.directory;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.endpoint.EndpointSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The fast paths of a snapshot swap, end to end from the backend kit to the directory's records: an unchanged
 * endpoint reaches the directory as the object it already holds and keeps its record (the same object), by identity;
 * a changed one (labels, weight) gets a new record that carries its statistics over; one that leaves and comes back
 * starts afresh; an id listed twice keeps the first, wherever the first stands; a record index built for the
 * endpoints that moved finds every one of 100,000.
 */
class SwapFastPathTest {

  private final AtomicLong ticker = new AtomicLong(1_000_000_000_000L);
  private final StaticServiceDiscovery discovery = StaticServiceDiscovery.create();
  private final ServiceDirectory directory = new ServiceDirectory(discovery, ticker::get, null, () -> 0L);

  @AfterEach
  void close() {
    directory.close();
    discovery.close();
  }

  private static Endpoint ep(int i, String version, int weight) {
    return Endpoint.builder("catalog", "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255), 8080)
        .zone("z" + i % 3).weight(weight).labels(Map.of("version", version)).build();
  }

  private static List<Endpoint> fleet(int n) {
    List<Endpoint> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(ep(i, "v1", 1));
    }
    return out;
  }

  /** Gives each record {@code 1 + position % 50} successes; returns them by id. */
  private static Map<String, Long> sign(EndpointSet set) {
    Map<String, Long> out = new HashMap<>();
    for (int k = 0; k < set.size(); k++) {
      TrackedEndpoint t = (TrackedEndpoint) set.get(k);
      for (int n = 0; n <= k % 50; n++) {
        t.outcome(false);
      }
      out.put(t.endpoint().id(), t.successes());
    }
    return out;
  }

  @Test
  void oneChangedEndpointAmongTenThousandGetsANewRecordWithItsStatisticsAndTheRestKeepTheirs() {
    discovery.set("catalog", fleet(10_000));
    ServiceDirectory.Entry entry = directory.watch("catalog");
    EndpointSet before = entry.snapshot();
    Map<String, Long> signatures = sign(before);

    List<Endpoint> next = fleet(10_000); // new objects, equal values, except two
    next.set(4_321, ep(4_321, "v2", 1));
    next.set(9_000, ep(9_000, "v1", 40));
    discovery.set("catalog", next);

    EndpointSet after = entry.snapshot();
    assertThat(after.version()).isGreaterThan(before.version());
    assertThat(after.size()).isEqualTo(10_000);
    for (int k = 0; k < 10_000; k++) {
      TrackedEndpoint t = (TrackedEndpoint) after.get(k);
      assertThat(t.endpoint()).isEqualTo(next.get(k));
      assertThat(t.successes()).isEqualTo(signatures.get(t.endpoint().id()));
      if (k == 4_321 || k == 9_000) {
        assertThat(t).as("record %d", k).isNotSameAs(before.get(k));
      } else {
        assertThat(t).as("record %d", k).isSameAs(before.get(k));
      }
    }
    assertThat(after.get(4_321).endpoint().label("version")).isEqualTo("v2");
    assertThat(after.get(9_000).endpoint().weight()).isEqualTo(40);
    assertThat(before.get(4_321).endpoint().label("version")).as("the old snapshot is untouched").isEqualTo("v1");

    discovery.set("catalog", fleet(10_000)); // the two change back
    assertThat(entry.snapshot().get(4_321).endpoint().label("version")).isEqualTo("v1");
    assertThat(entry.snapshot().get(9_000).endpoint().weight()).isEqualTo(1);
  }

  @Test
  void anEndpointThatLeavesAndComesBackStartsAfresh() {
    discovery.set("catalog", fleet(1_000));
    ServiceDirectory.Entry entry = directory.watch("catalog");
    Map<String, Long> signatures = sign(entry.snapshot());
    TrackedEndpoint old = (TrackedEndpoint) entry.snapshot().get(700);
    List<Endpoint> without = fleet(1_000);
    without.remove(700);
    discovery.set("catalog", without);
    assertThat(entry.snapshot().size()).isEqualTo(999);
    assertThat(entry.snapshot().find(old.endpoint().id())).isNull();

    discovery.set("catalog", fleet(1_000));
    TrackedEndpoint back = (TrackedEndpoint) entry.snapshot().get(700);
    assertThat(back.endpoint()).isEqualTo(old.endpoint());
    assertThat(back).isNotSameAs(old);
    assertThat(back.successes()).isZero();
    assertThat(((TrackedEndpoint) entry.snapshot().get(701)).successes())
        .isEqualTo(signatures.get(entry.snapshot().get(701).endpoint().id()));
  }

  @Test
  void anIdListedTwiceKeepsTheFirstEvenWhenTheSecondStandsAtItsOldPlace() {
    ServiceDirectory.Entry entry = directory.watch("catalog"); // pushed straight in, as another backend might
    entry.onEndpoints(List.of(ep(0, "v1", 1), ep(1, "v1", 1), ep(2, "v1", 1)));
    Map<String, Long> signatures = sign(entry.snapshot());
    TrackedEndpoint two = (TrackedEndpoint) entry.snapshot().get(2);

    entry.onEndpoints(List.of(ep(0, "v1", 1), ep(2, "first", 1), ep(2, "second", 1), ep(1, "v1", 1)));
    EndpointSet now = entry.snapshot();
    assertThat(now.size()).isEqualTo(3);
    assertThat(now.get(1).endpoint().label("version")).isEqualTo("first");
    assertThat(((TrackedEndpoint) now.get(1)).successes()).isEqualTo(signatures.get(two.endpoint().id()));
    assertThat(now.get(2).endpoint().id()).isEqualTo(ep(1, "v1", 1).id());

    // a new id twice: the first wins, and gets one record
    entry.onEndpoints(List.of(ep(0, "v1", 1), ep(5, "a", 1), ep(5, "b", 1), ep(6, "v1", 1), ep(6, "v1", 2)));
    now = entry.snapshot();
    assertThat(now.size()).isEqualTo(3);
    assertThat(now.get(1).endpoint().label("version")).isEqualTo("a");
    assertThat(now.get(2).endpoint().weight()).isEqualTo(1);
  }

  @Test
  void aHundredThousandEndpointsWithChurnKeepEveryRecordById() {
    Random random = new Random(100);
    List<Endpoint> model = fleet(100_000);
    discovery.set("catalog", model);
    ServiceDirectory.Entry entry = directory.watch("catalog");
    int next = 100_000;
    for (int round = 0; round < 5; round++) {
      Map<String, Long> signatures = sign(entry.snapshot());
      List<Endpoint> update = new ArrayList<>();
      Set<String> relabelled = new HashSet<>();
      for (Endpoint e : model) {
        int r = random.nextInt(100);
        if (r < 10) {
          continue;
        }
        if (r < 12) {
          update.add(e.withLabels(Map.of("version", "r" + round)));
          relabelled.add(e.id());
        } else {
          update.add(Endpoint.builder(e.service(), e.host(), e.port()).zone(e.zone()).weight(e.weight())
              .labels(e.labels()).build());
        }
      }
      for (int k = 0; k < 10_000; k++) {
        update.add(random.nextInt(update.size() + 1), ep(next++, "new", 1));
      }
      if (round == 3) { // everything moves one place
        update.add(0, update.remove(update.size() - 1));
      }
      discovery.set("catalog", update);
      EndpointSet now = entry.snapshot();
      assertThat(now.size()).isEqualTo(update.size());
      List<String> wrong = new ArrayList<>(); // checked plainly, reported at once: 100,000 assertions are slow
      for (int k = 0; k < now.size(); k++) {
        TrackedEndpoint t = (TrackedEndpoint) now.get(k);
        Long had = signatures.get(t.endpoint().id());
        if (!t.endpoint().equals(update.get(k)) || t.successes() != (had == null ? 0L : had)
            || (relabelled.contains(t.endpoint().id()) && !("r" + round).equals(t.endpoint().label("version")))) {
          wrong.add(k + ": " + t + " successes=" + t.successes() + " expected " + update.get(k) + " with " + had);
        }
      }
      assertThat(wrong).as("round %d", round).isEmpty();
      model = update;
    }
  }
}
