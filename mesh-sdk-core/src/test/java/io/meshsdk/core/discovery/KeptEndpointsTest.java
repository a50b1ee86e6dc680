package io.meshsdk.core.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.registration.ServiceRegistration;
import io.meshsdk.core.registration.ServiceRegistry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The backend kit keeps each service's endpoints across updates and compares a new list position by position,
 * by identity first: every fast path of that (an unchanged endpoint at its place, one that moved, one that arrived,
 * left or came back, an id listed twice, an endpoint equal but not the same object) must still tell watchers
 * exactly what changed, and only when something did. Checked through {@link StaticServiceDiscovery}, whose
 * {@code set} is {@link AbstractServiceDiscovery#setEndpoints}.
 */
class KeptEndpointsTest {

  private final StaticServiceDiscovery discovery = StaticServiceDiscovery.create();
  private final List<List<Endpoint>> heard = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() {
    discovery.close();
  }

  /** Endpoint {@code i}: its own address, zone a/b, label {@code version=v1}; a new object at every call. */
  private static Endpoint ep(int i) {
    return ep(i, "v1", 1);
  }

  private static Endpoint ep(int i, String version, int weight) {
    return Endpoint.builder("catalog", "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255), 8080)
        .zone(i % 2 == 0 ? "a" : "b").weight(weight).labels(Map.of("version", version)).build();
  }

  private static List<Endpoint> fleet(int n) {
    List<Endpoint> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(ep(i));
    }
    return out;
  }

  /** Watches {@code catalog}, recording every list delivered; returns the first one. */
  private List<Endpoint> watch() {
    discovery.watch("catalog", new DiscoveryListener() {
      @Override
      public void onEndpoints(List<Endpoint> endpoints) {
        heard.add(endpoints);
      }

      @Override
      public void onServiceDeleted() {}

      @Override
      public void onError(Throwable error) {}
    });
    assertThat(heard).hasSize(1);
    return heard.get(0);
  }

  private List<Endpoint> last() {
    return heard.get(heard.size() - 1);
  }

  @Test
  void aListChangedAfterSetOrOneWhoseSizeDisagreesWithItsElementsIsReadOnceAsIterated() {
    List<Endpoint> mine = fleet(3);
    discovery.set("catalog", mine);
    List<Endpoint> first = watch();
    mine.add(ep(99)); // the caller keeps using its list: the mesh read it once, at set
    mine.remove(0);
    assertThat(discovery.endpoints("catalog")).containsExactlyElementsOf(first).hasSize(3);
    // a list whose size() disagrees with what it iterates (a view that grew while read): read once, as iterated
    List<Endpoint> growing = new ArrayList<>(List.of(ep(50), ep(51))) {
      @Override
      public int size() {
        return 1;
      }
    };
    discovery.set("catalog", growing);
    assertThat(last()).extracting(Endpoint::id).containsExactly(ep(50).id(), ep(51).id());
    assertThat(discovery.endpoints("catalog")).hasSize(2);
    discovery.set("catalog", fleet(4)); // and the service is consistent afterwards
    assertThat(last()).hasSize(4);
  }

  @Test
  void oneLabelChangeAmongTenThousandIsDeliveredAndTheOthersKeepTheirObjects() {
    discovery.set("catalog", fleet(10_000));
    List<Endpoint> first = watch();
    List<Endpoint> next = fleet(10_000); // all new objects, all equal but one
    next.set(6_789, ep(6_789, "v2", 1));
    discovery.set("catalog", next);

    assertThat(heard).hasSize(2);
    assertThat(last()).isEqualTo(next);
    assertThat(last().get(6_789).label("version")).isEqualTo("v2");
    for (int i = 0; i < 10_000; i++) {
      if (i != 6_789) {
        assertThat(last().get(i)).as("endpoint %d", i).isSameAs(first.get(i));
      }
    }
    assertThat(first.get(6_789).label("version")).as("a delivered list never changes").isEqualTo("v1");
  }

  @Test
  void aWeightOrZoneOrPortChangeAloneIsAChange() {
    discovery.set("catalog", fleet(10_000));
    watch();
    List<Endpoint> weight = fleet(10_000);
    weight.set(9_999, ep(9_999, "v1", 7));
    discovery.set("catalog", weight);
    assertThat(heard).hasSize(2);
    assertThat(last().get(9_999).weight()).isEqualTo(7);

    List<Endpoint> zone = new ArrayList<>(last());
    zone.set(0, zone.get(0).withZone("c"));
    discovery.set("catalog", zone);
    assertThat(heard).hasSize(3);
    assertThat(last().get(0).zone()).isEqualTo("c");

    // the same id at another port (the id is kept, the address changes)
    List<Endpoint> port = new ArrayList<>(last());
    Endpoint moved = Endpoint.builder("catalog", "10.0.0.5", 9090).id(port.get(5).id()).zone("b")
        .labels(Map.of("version", "v1")).build();
    port.set(5, moved);
    discovery.set("catalog", port);
    assertThat(heard).hasSize(4);
    assertThat(last().get(5).port()).isEqualTo(9090);
  }

  @Test
  void theSameValuesAgainAreNotDeliveredAndAReorderIsKeptButNotDelivered() {
    discovery.set("catalog", fleet(10_000));
    watch();
    discovery.set("catalog", fleet(10_000)); // new objects, equal values
    discovery.set("catalog", discovery.endpoints("catalog")); // the very same objects
    assertThat(heard).hasSize(1);

    List<Endpoint> reversed = fleet(10_000);
    Collections.reverse(reversed);
    discovery.set("catalog", reversed);
    assertThat(heard).as("the same endpoints in another order are not a change").hasSize(1);
    assertThat(discovery.endpoints("catalog")).as("but the order is kept").isEqualTo(reversed);

    List<Endpoint> oneMore = new ArrayList<>(reversed);
    oneMore.add(ep(10_000));
    discovery.set("catalog", oneMore);
    assertThat(heard).hasSize(2);
    assertThat(last()).isEqualTo(oneMore);
  }

  @Test
  void anEndpointThatLeavesAndComesBackIsDeliveredBothTimes() {
    discovery.set("catalog", fleet(1_000));
    watch();
    List<Endpoint> without = fleet(1_000);
    Endpoint gone = without.remove(500);
    discovery.set("catalog", without);
    assertThat(heard).hasSize(2);
    assertThat(last()).hasSize(999).doesNotContain(gone);

    discovery.set("catalog", fleet(1_000));
    assertThat(heard).hasSize(3);
    assertThat(last()).hasSize(1_000).contains(gone);
    assertThat(last().get(500)).isEqualTo(gone);

    // the last one leaves (the list held is a prefix of the old one), then comes back changed
    List<Endpoint> shorter = fleet(999);
    discovery.set("catalog", shorter);
    assertThat(heard).hasSize(4);
    assertThat(last()).isEqualTo(shorter);
    List<Endpoint> back = fleet(999);
    back.add(ep(999, "v9", 1));
    discovery.set("catalog", back);
    assertThat(heard).hasSize(5);
    assertThat(last().get(999).label("version")).isEqualTo("v9");
  }

  @Test
  void anIdListedTwiceKeepsTheFirstWhereverTheFirstStands() {
    discovery.set("catalog", List.of(ep(0), ep(1), ep(2)));
    watch();
    // ep(2)'s id at position 1 (not its place) first, then at its own place with another value: the first wins
    discovery.set("catalog", List.of(ep(0), ep(2, "first", 1), ep(2, "second", 1), ep(1)));
    assertThat(heard).hasSize(2);
    assertThat(last()).containsExactly(ep(0), ep(2, "first", 1), ep(1));

    // a new id twice: the first wins
    discovery.set("catalog", List.of(ep(0), ep(2, "first", 1), ep(1), ep(7, "a", 1), ep(7, "b", 1)));
    assertThat(last()).containsExactly(ep(0), ep(2, "first", 1), ep(1), ep(7, "a", 1));

    // the same list with a repeated id appended changes nothing
    List<Endpoint> same = new ArrayList<>(last());
    same.add(ep(0, "late", 1));
    discovery.set("catalog", same);
    assertThat(heard).hasSize(3);
    assertThat(discovery.endpoints("catalog")).containsExactly(ep(0), ep(2, "first", 1), ep(1), ep(7, "a", 1));
  }

  @Test
  void aHundredThousandEndpointsWithChurnMatchAPlainModelAtEveryUpdate() {
    Random random = new Random(12);
    List<Endpoint> model = fleet(100_000);
    discovery.set("catalog", model);
    watch();
    int next = 100_000;
    for (int round = 0; round < 8; round++) {
      List<Endpoint> update = new ArrayList<>(model.size() + 1_000);
      for (Endpoint e : model) {
        int r = random.nextInt(100);
        int i = e.host().hashCode();
        if (r < 5) {
          // leaves
        } else if (r < 7) {
          update.add(e.withWeight(1 + (i & 7))); // reweighed (maybe to the same weight: then no change)
        } else if (r < 8) {
          update.add(e.withLabels(Map.of("version", "r" + round)));
        } else {
          update.add(Endpoint.builder(e.service(), e.host(), e.port()).zone(e.zone()).weight(e.weight())
              .labels(e.labels()).build()); // equal, a new object (a registry client decodes every instance)
        }
      }
      for (int k = 0; k < 5_000; k++) {
        update.add(random.nextInt(update.size() + 1), ep(next++));
      }
      if (round % 3 == 2) {
        Collections.swap(update, 0, update.size() - 1);
      }
      int before = heard.size();
      discovery.set("catalog", update);
      assertThat(heard).hasSize(before + 1);
      assertThat(last().equals(update)).as("round %d: the list delivered is the list set", round).isTrue();
      model = update;
    }
  }

  @Test
  void putAndRemoveOnALargeServiceDeliverOnlyRealChanges() {
    discovery.set("catalog", fleet(10_000));
    List<Endpoint> first = watch();
    ServiceRegistry registry = discovery.registry();
    ServiceRegistry.Registration r = registry.register(
        new ServiceRegistration("catalog", "10.9.9.9", 8080, Map.of()), (reg, status, detail) -> {});
    assertThat(heard).hasSize(2);
    assertThat(last()).hasSize(10_001);
    assertThat(last().get(10_000).host()).isEqualTo("10.9.9.9");
    assertThat(last().subList(0, 10_000)).isEqualTo(first);

    r.update(new ServiceRegistration("catalog", "10.9.9.9", 8080, Map.of())); // same value
    assertThat(heard).hasSize(2);
    r.update(new ServiceRegistration("catalog", "10.9.9.9", 8080, Map.of("version", "v3")));
    assertThat(heard).hasSize(3);
    assertThat(last().get(10_000).label("version")).isEqualTo("v3");

    r.close();
    assertThat(heard).hasSize(4);
    assertThat(last()).isEqualTo(first);
    registry.close();
  }

  @Test
  void aWrongServiceOrANullLeavesTheServiceAsItWas() {
    discovery.set("catalog", fleet(10));
    watch();
    List<Endpoint> bad = fleet(10);
    bad.set(3, ep(3, "v2", 1));
    bad.add(Endpoint.of("other", "10.0.0.1", 80));
    assertThatThrownBy(() -> discovery.set("catalog", bad)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("belongs to service 'other'");
    List<Endpoint> withNull = new ArrayList<>(fleet(10));
    withNull.set(3, ep(3, "v2", 1));
    withNull.add(null);
    assertThatThrownBy(() -> discovery.set("catalog", withNull)).isInstanceOf(NullPointerException.class);
    assertThat(heard).hasSize(1);
    assertThat(discovery.endpoints("catalog")).isEqualTo(fleet(10));
    discovery.set("catalog", fleet(10));
    assertThat(heard).as("nothing was half applied").hasSize(1);
  }
}
