package io.meshsdk.core.internal.directory;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.endpoint.EndpointState;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The directory's snapshots: versions, carry-over by id, last-known-good, deletion, listeners. */
class ServiceDirectoryTest {

  private final AtomicLong now = new AtomicLong(1_000);
  private final StaticServiceDiscovery discovery = StaticServiceDiscovery.create();
  private final ServiceDirectory directory = new ServiceDirectory(discovery, now::get);

  private static Endpoint ep(int port) {
    return Endpoint.of("inventory", "127.0.0.1", port);
  }

  @Test
  void publishesSnapshotsWithIncreasingVersions() {
    List<EndpointSet> seen = new ArrayList<>();
    ServiceDirectory.Entry e = directory.watch("inventory");
    e.addListener(seen::add);
    discovery.set("inventory", List.of(ep(1)));
    discovery.set("inventory", List.of(ep(1), ep(2)));
    assertThat(seen).extracting(EndpointSet::size).containsExactly(0, 1, 2);
    assertThat(seen.get(2).version()).isGreaterThan(seen.get(1).version());
  }

  @Test
  void carriesStatisticsOverByIdAndDropsLeavers() {
    ServiceDirectory.Entry e = directory.watch("inventory");
    discovery.set("inventory", List.of(ep(1), ep(2)));
    TrackedEndpoint one = (TrackedEndpoint) e.snapshot().find("127.0.0.1:1");
    one.attemptStarted();
    one.attemptEnded(5_000_000, now.get(), false);
    discovery.set("inventory", List.of(ep(1), ep(3)));
    assertThat(e.snapshot().find("127.0.0.1:1")).isSameAs(one);
    assertThat(e.snapshot().find("127.0.0.1:2")).isNull();
    discovery.set("inventory", List.of(ep(1).withWeight(5), ep(3)));
    EndpointState reweighted = e.snapshot().find("127.0.0.1:1");
    assertThat(reweighted).isNotSameAs(one);
    assertThat(reweighted.endpoint().weight()).isEqualTo(5);
    assertThat(reweighted.successes()).isEqualTo(1);
    assertThat(reweighted.ewmaNanos()).isEqualTo(one.ewmaNanos());
  }

  @Test
  void backendErrorKeepsLastKnownGood() {
    ServiceDirectory.Entry e = directory.watch("inventory");
    discovery.set("inventory", List.of(ep(1), ep(2)));
    e.onError(new IOException("registry down"));
    assertThat(e.snapshot().size()).isEqualTo(2);
    assertThat(e.isServingLastKnownGood()).isTrue();
    assertThat(e.lastError()).hasMessage("registry down");
    discovery.set("inventory", List.of(ep(3)));
    assertThat(e.snapshot().size()).isEqualTo(1);
    assertThat(e.isServingLastKnownGood()).isFalse();
    assertThat(e.lastError()).isNull();
  }

  @Test
  void emptySetAfterNonEmptyKeepsLastKnownGoodButDeletionEmpties() {
    ServiceDirectory.Entry e = directory.watch("inventory");
    discovery.set("inventory", List.of(ep(1)));
    discovery.set("inventory", List.of());
    assertThat(e.snapshot().size()).isEqualTo(1);
    assertThat(e.isServingLastKnownGood()).isTrue();
    discovery.delete("inventory");
    assertThat(e.snapshot().isEmpty()).isTrue();
  }

  @Test
  void ignoresEndpointsOfOtherServicesAndDuplicateIds() {
    ServiceDirectory.Entry e = directory.watch("inventory");
    e.onEndpoints(List.of(ep(1), ep(1), Endpoint.of("pricing", "127.0.0.1", 9)));
    assertThat(e.snapshot().states()).extracting(s -> s.endpoint().id()).containsExactly("127.0.0.1:1");
    EndpointState only = e.snapshot().get(0);
    assertThat(only).isInstanceOf(TrackedEndpoint.class);
  }

  @Test
  void aThrowingListenerDoesNotStopOthers() {
    ServiceDirectory.Entry e = directory.watch("inventory");
    List<Integer> sizes = new ArrayList<>();
    e.addListener(s -> {
      if (!s.isEmpty()) {
        throw new IllegalStateException("boom");
      }
    });
    e.addListener(s -> sizes.add(s.size()));
    discovery.set("inventory", List.of(ep(1)));
    assertThat(sizes).containsExactly(0, 1);
  }

  @Test
  void closeStopsUpdates() {
    ServiceDirectory.Entry e = directory.watch("inventory");
    directory.close();
    discovery.set("inventory", List.of(ep(1)));
    assertThat(e.snapshot().isEmpty()).isTrue();
  }
}
