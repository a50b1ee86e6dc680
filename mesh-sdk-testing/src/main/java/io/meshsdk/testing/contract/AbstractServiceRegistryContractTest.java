package io.meshsdk.testing.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.meshsdk.core.discovery.ServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.registration.RegistrationStatus;
import io.meshsdk.core.registration.ServiceRegistration;
import io.meshsdk.core.registration.ServiceRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link ServiceRegistry} must show: extend it, say how to build the registry and a discovery
 * backend over the same source, and every test below runs against the real source. A registration becomes visible
 * to discovery with its labels, label updates propagate, closing the registration (or the registry) removes it, and
 * the listener hears each status.
 */
public abstract class AbstractServiceRegistryContractTest {

  private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();

  /** A new registry on the source under test. */
  protected abstract ServiceRegistry newRegistry() throws Exception;

  /** A new discovery backend over the same source, to see what the registry wrote. */
  protected abstract ServiceDiscovery newDiscovery() throws Exception;

  /** How long a registration may take to become visible (default 10 s). */
  protected Duration propagation() {
    return Duration.ofSeconds(10);
  }

  /** Registers something to close after the test. */
  protected final <T extends AutoCloseable> T closeAfter(T closeable) {
    closeables.add(closeable);
    return closeable;
  }

  @AfterEach
  final void closeEverything() throws Exception {
    List<AutoCloseable> list = new ArrayList<>(closeables);
    Collections.reverse(list);
    for (AutoCloseable c : list) {
      c.close();
    }
    closeables.clear();
  }

  /** Records status changes. */
  private static final class Statuses implements ServiceRegistry.RegistrationListener {
    final List<RegistrationStatus> seen = new CopyOnWriteArrayList<>();

    @Override
    public void onStatus(ServiceRegistration registration, RegistrationStatus status, String detail) {
      seen.add(status);
    }
  }

  private RecordingListener watch(String service) throws Exception {
    ServiceDiscovery d = closeAfter(newDiscovery());
    RecordingListener l = new RecordingListener();
    closeAfter(d.watch(service, l));
    return l;
  }

  @Test
  void aRegistrationIsVisibleWithItsLabels() throws Exception {
    ServiceRegistry registry = closeAfter(newRegistry());
    Statuses statuses = new Statuses();
    ServiceRegistration reg = ServiceRegistration.of("registry-1", "127.0.0.1", 30001).withLabel("version", "v3");
    ServiceRegistry.Registration handle = closeAfter(registry.register(reg, statuses));
    RecordingListener l = watch("registry-1");
    await().atMost(propagation()).untilAsserted(() -> {
      List<Endpoint> last = l.last();
      assertThat(last).as("no snapshot yet").isNotNull(); // an AssertionError: the await polls again
      java.util.Objects.requireNonNull(last);
      assertThat(last).hasSize(1);
      Endpoint e = last.get(0);
      assertThat(e.host()).isEqualTo("127.0.0.1");
      assertThat(e.port()).isEqualTo(30001);
      assertThat(e.labels()).containsEntry("version", "v3");
    });
    await().atMost(propagation()).until(() -> statuses.seen.contains(RegistrationStatus.REGISTERED));
    assertThat(handle.status()).isEqualTo(RegistrationStatus.REGISTERED);
  }

  @Test
  void labelUpdatesPropagate() throws Exception {
    ServiceRegistry registry = closeAfter(newRegistry());
    ServiceRegistration reg = ServiceRegistration.of("registry-2", "127.0.0.1", 30002).withLabel("state", "up");
    ServiceRegistry.Registration handle = closeAfter(registry.register(reg,
        ServiceRegistry.RegistrationListener.NONE));
    RecordingListener l = watch("registry-2");
    await().atMost(propagation()).until(() -> l.last() != null && l.last().size() == 1);
    handle.update(reg.withLabel("state", "draining"));
    await().atMost(propagation()).until(() -> l.last() != null && l.last().size() == 1
        && "draining".equals(l.last().get(0).labels().get("state")));
    assertThatThrownBy(() -> handle.update(ServiceRegistration.of("registry-2", "127.0.0.1", 30099)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void closingARegistrationRemovesItAndSaysSo() throws Exception {
    ServiceRegistry registry = closeAfter(newRegistry());
    Statuses statuses = new Statuses();
    ServiceRegistry.Registration keep = closeAfter(registry.register(
        ServiceRegistration.of("registry-3", "127.0.0.1", 30003), ServiceRegistry.RegistrationListener.NONE));
    ServiceRegistry.Registration leave = registry.register(
        ServiceRegistration.of("registry-3", "127.0.0.1", 30004), statuses);
    RecordingListener l = watch("registry-3");
    await().atMost(propagation()).until(() -> l.last() != null && l.last().size() == 2);
    leave.close();
    await().atMost(propagation()).until(() -> l.last() != null && l.last().size() == 1
        && l.last().get(0).port() == 30003);
    assertThat(leave.status()).isEqualTo(RegistrationStatus.DEREGISTERED);
    await().atMost(propagation()).until(() -> statuses.seen.contains(RegistrationStatus.DEREGISTERED));
    leave.close(); // idempotent
    assertThat(keep.status()).isEqualTo(RegistrationStatus.REGISTERED);
  }

  @Test
  void closingTheRegistryDeregistersEverything() throws Exception {
    ServiceRegistry registry = newRegistry();
    registry.register(ServiceRegistration.of("registry-4", "127.0.0.1", 30005),
        ServiceRegistry.RegistrationListener.NONE);
    ServiceRegistry.Registration other = closeAfter(closeAfter(newRegistry()).register(
        ServiceRegistration.of("registry-4", "127.0.0.1", 30006), ServiceRegistry.RegistrationListener.NONE));
    RecordingListener l = watch("registry-4");
    await().atMost(propagation()).until(() -> l.last() != null && l.last().size() == 2);
    registry.close();
    await().atMost(propagation()).until(() -> l.last() != null && l.last().size() == 1
        && l.last().get(0).port() == 30006);
    assertThat(other.status()).isEqualTo(RegistrationStatus.REGISTERED);
  }
}
