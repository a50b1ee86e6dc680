package io.meshsdk.core.internal.directory;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The last-known-good rule against pushes a backend of one's own may send straight to the directory. */
class LastKnownGoodEdgesTest {

  private final AtomicLong ticker = new AtomicLong(1_000_000_000L);
  private final ServiceDirectory directory =
      new ServiceDirectory(StaticServiceDiscovery.create(), ticker::get, null, System::currentTimeMillis);

  @Test
  void aPushWhoseEveryEndpointIsSkippedKeepsTheLastKnownGoodLikeAnEmptyPush() {
    ServiceDirectory.Entry e = directory.watch("inventory");
    Endpoint good = Endpoint.of("inventory", "10.0.0.1", 8080);
    e.onEndpoints(List.of(good));
    // every entry belongs to another service: nothing usable, which is an empty answer, not a deletion
    e.onEndpoints(List.of(Endpoint.of("pricing", "10.0.0.2", 8080), Endpoint.of("pricing", "10.0.0.3", 8080)));
    assertThat(e.snapshot().size()).isEqualTo(1);
    assertThat(e.snapshot().get(0).endpoint()).isEqualTo(good);
    assertThat(e.isServingLastKnownGood()).isTrue();
    assertThat(e.isDeleted()).isFalse();

    e.onEndpoints(List.of(Endpoint.of("inventory", "10.0.0.4", 8080)));
    assertThat(e.isServingLastKnownGood()).isFalse();
    assertThat(e.snapshot().get(0).endpoint().host()).isEqualTo("10.0.0.4");
  }
}
