package io.meshsdk.core.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.discovery.DiscoveryListener;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.registration.RegistrationStatus;
import io.meshsdk.core.registration.ServiceRegistration;
import io.meshsdk.core.registration.ServiceRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link InboundRegistration}'s flip sequence against a recording registrar: make-before-break order, failures that
 * keep the old entry, the config error, the probe, close during a flip; and through {@link Mesh} on the in-memory
 * registry.
 */
class InboundRegistrationTest {

  private final List<ServerSocket> listeners = new ArrayList<>();
  private final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void close() throws IOException {
    pool.shutdownNow();
    for (ServerSocket s : listeners) {
      s.close();
    }
  }

  /** A loopback listener that accepts (the kernel completes the handshake: nothing needs to accept()). */
  private int listener() throws IOException {
    ServerSocket s = new ServerSocket();
    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    listeners.add(s);
    return s.getLocalPort();
  }

  /** Records what is registered and withdrawn, in order; acknowledges at once unless told not to. */
  static final class RecordingRegistrar implements InboundRegistration.Registrar {
    final List<String> events = new CopyOnWriteArrayList<>();
    final List<Entry> entries = new CopyOnWriteArrayList<>();
    volatile boolean acknowledge = true;
    volatile @Nullable RuntimeException refuse;
    volatile @Nullable CountDownLatch registered;

    @Override
    public ServiceRegistry.Registration register(ServiceRegistration r, ServiceRegistry.RegistrationListener l) {
      RuntimeException e = refuse;
      if (e != null) {
        throw e;
      }
      Entry entry = new Entry(r, l, this);
      entries.add(entry);
      events.add("register " + r.port());
      if (acknowledge) {
        entry.status = RegistrationStatus.REGISTERED;
        l.onStatus(r, RegistrationStatus.REGISTERED, "ok");
        CountDownLatch latch = registered;
        if (latch != null) {
          latch.countDown();
        }
      }
      return entry;
    }

    Set<Integer> livePorts() {
      Set<Integer> out = new TreeSet<>();
      for (Entry e : entries) {
        if (e.status != RegistrationStatus.DEREGISTERED) {
          out.add(e.reg.port());
        }
      }
      return out;
    }
  }

  static final class Entry implements ServiceRegistry.Registration {
    final ServiceRegistration reg;
    final ServiceRegistry.RegistrationListener listener;
    final RecordingRegistrar owner;
    volatile RegistrationStatus status = RegistrationStatus.PENDING;

    Entry(ServiceRegistration reg, ServiceRegistry.RegistrationListener listener, RecordingRegistrar owner) {
      this.reg = reg;
      this.listener = listener;
      this.owner = owner;
    }

    @Override
    public ServiceRegistration registration() {
      return reg;
    }

    @Override
    public RegistrationStatus status() {
      return status;
    }

    @Override
    public void update(ServiceRegistration updated) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void close() {
      if (status != RegistrationStatus.DEREGISTERED) {
        status = RegistrationStatus.DEREGISTERED;
        owner.events.add("withdraw " + reg.port());
        listener.onStatus(reg, RegistrationStatus.DEREGISTERED, "closed");
      }
    }
  }

  private InboundRegistration.Builder builder(RecordingRegistrar registrar, int appPort, int inboundPort) {
    SidecarConfig sidecar = SidecarConfig.builder().address("127.0.0.1:15001").inboundPort(inboundPort).build();
    return InboundRegistration.builder(new ServiceRegistration("inventory", "127.0.0.1", appPort,
            Map.of("version", "v2")))
        .registrar("recording", registrar).sidecar(sidecar).overlap(Duration.ZERO);
  }

  @Test
  void eachFlipRegistersTheNewAddressBeforeItWithdrawsTheOldOneAndIsRecorded() throws IOException {
    int app = listener();
    int inbound = listener();
    RecordingRegistrar registrar = new RecordingRegistrar();
    try (InboundRegistration r = builder(registrar, app, inbound).register()) {
      assertThat(r.mode()).isEqualTo(InboundMode.APPLICATION);
      assertThat(r.advertised().port()).isEqualTo(app);

      assertThat(r.viaSidecar("ticket 42")).isEqualTo(InboundMode.APPLICATION);
      assertThat(r.mode()).isEqualTo(InboundMode.SIDECAR);
      assertThat(r.advertised().port()).isEqualTo(inbound);
      assertThat(r.advertised().labels()).containsEntry("version", "v2")
          .containsEntry(RegistrationPortPolicy.INBOUND_LABEL, "sidecar")
          .containsEntry(RegistrationPortPolicy.APP_PORT_LABEL, Integer.toString(app));
      assertThat(r.viaSidecar("again")).as("no-op").isEqualTo(InboundMode.SIDECAR);

      assertThat(r.direct("rollback")).isEqualTo(InboundMode.SIDECAR);
      assertThat(r.advertised().port()).isEqualTo(app);
      assertThat(registrar.events).containsExactly("register " + app, "register " + inbound, "withdraw " + app,
          "register " + app, "withdraw " + inbound);
      assertThat(registrar.livePorts()).containsExactly(app);

      List<InboundTransition> t = r.transitions();
      assertThat(t).hasSize(2);
      assertThat(t.get(0).from()).isEqualTo(InboundMode.APPLICATION);
      assertThat(t.get(0).to()).isEqualTo(InboundMode.SIDECAR);
      assertThat(t.get(0).fromAddress()).isEqualTo("127.0.0.1:" + app);
      assertThat(t.get(0).toAddress()).isEqualTo("127.0.0.1:" + inbound);
      assertThat(t.get(0).by()).isEqualTo("api");
      assertThat(t.get(0).reason()).isEqualTo("ticket 42");
      assertThat(t.get(1).to()).isEqualTo(InboundMode.APPLICATION);
      assertThat(t.get(1).reason()).isEqualTo("rollback");
    }
    assertThat(registrar.livePorts()).isEmpty();
  }

  @Test
  void theAuditTrailKeepsTheLastFlips() throws IOException {
    int app = listener();
    int inbound = listener();
    try (InboundRegistration r = builder(new RecordingRegistrar(), app, inbound).register()) {
      for (int i = 0; i < InboundTransition.KEPT + 3; i++) {
        r.flip(i % 2 == 0 ? InboundMode.SIDECAR : InboundMode.APPLICATION, "plan", "step " + i);
      }
      assertThat(r.transitions()).hasSize(InboundTransition.KEPT);
      assertThat(r.transitions().get(0).reason()).isEqualTo("step 3");
      assertThat(r.transitions().get(InboundTransition.KEPT - 1).by()).isEqualTo("plan");
    }
  }

  @Test
  void aRegistryThatDoesNotAcknowledgeFailsTheFlipAndKeepsTheOldEntry() throws IOException {
    int app = listener();
    int inbound = listener();
    RecordingRegistrar registrar = new RecordingRegistrar();
    try (InboundRegistration r = builder(registrar, app, inbound).acknowledgeTimeout(Duration.ofMillis(200))
        .register()) {
      registrar.acknowledge = false; // the registry is unreachable from now on
      assertThatThrownBy(() -> r.viaSidecar("try"))
          .isInstanceOf(InboundFlipException.class)
          .hasMessageContaining("inbound flip of inventory to sidecar (127.0.0.1:" + inbound + ") failed")
          .hasMessageContaining("recording did not acknowledge the new entry within 200 ms (its status: PENDING)")
          .hasMessageContaining("still registered as 127.0.0.1:" + app + " (application)");
      assertThat(r.mode()).isEqualTo(InboundMode.APPLICATION);
      assertThat(r.current().status()).isEqualTo(RegistrationStatus.REGISTERED);
      assertThat(registrar.events).containsExactly("register " + app, "register " + inbound, "withdraw " + inbound);
      assertThat(registrar.livePorts()).containsExactly(app);
      assertThat(r.transitions()).isEmpty();

      registrar.refuse = new IllegalStateException("the mesh is draining");
      assertThatThrownBy(() -> r.viaSidecar("try"))
          .isInstanceOf(InboundFlipException.class)
          .hasMessageContaining("the registry refused the new entry (java.lang.IllegalStateException: the mesh is"
              + " draining)");
      assertThat(registrar.livePorts()).containsExactly(app);

      registrar.refuse = null;
      registrar.acknowledge = true; // back: the flip works
      r.viaSidecar("retry");
      assertThat(registrar.livePorts()).containsExactly(inbound);
    }
  }

  @Test
  void flippingToTheSidecarWithoutAnInboundPortIsAConfigError() throws IOException {
    int app = listener();
    RecordingRegistrar registrar = new RecordingRegistrar();
    try (InboundRegistration r = InboundRegistration.builder(ServiceRegistration.of("inventory", "127.0.0.1", app))
        .registrar("recording", registrar).sidecar(SidecarConfig.of("127.0.0.1", 15001)).register()) {
      assertThatThrownBy(() -> r.viaSidecar(""))
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("sidecar.inbound-port: 0 (expected: ");
      assertThat(registrar.livePorts()).containsExactly(app);
    }
    assertThatThrownBy(() -> InboundRegistration.builder(ServiceRegistration.of("inventory", "127.0.0.1", app))
        .registrar("recording", registrar).mode(InboundMode.SIDECAR).register())
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("sidecar.inbound-port: \"(no sidecar)\" (expected: ");
  }

  @Test
  void aFlipToAListenerThatRefusesConnectionsIsRefused() throws IOException {
    int app = listener();
    ServerSocket gone = new ServerSocket();
    gone.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    int closedPort = gone.getLocalPort();
    gone.close();
    RecordingRegistrar registrar = new RecordingRegistrar();
    try (InboundRegistration r = builder(registrar, app, closedPort).register()) {
      assertThatThrownBy(() -> r.viaSidecar(""))
          .isInstanceOf(InboundFlipException.class)
          .hasMessageContaining("nothing accepts connections on 127.0.0.1:" + closedPort)
          .hasMessageContaining("is the sidecar's inbound listener up?");
      assertThat(registrar.events).containsExactly("register " + app);
    }
    try (InboundRegistration r = builder(registrar, app, closedPort).probe(false).register()) {
      r.viaSidecar("no probe");
      assertThat(r.advertised().port()).isEqualTo(closedPort);
    }
  }

  @Test
  void bothEntriesStayForTheOverlapAndCloseDuringItWithdrawsBoth() throws Exception {
    int app = listener();
    int inbound = listener();
    RecordingRegistrar registrar = new RecordingRegistrar();
    InboundRegistration r = builder(registrar, app, inbound).overlap(Duration.ofMinutes(5)).register();
    CountDownLatch second = new CountDownLatch(1);
    registrar.registered = second;
    Future<InboundMode> flip = pool.submit(() -> r.viaSidecar("slow"));
    assertThat(second.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(registrar.livePorts()).containsExactlyInAnyOrder(app, inbound);
    assertThat(r.mode()).as("not flipped before the overlap ends").isEqualTo(InboundMode.APPLICATION);
    r.close();
    assertThatThrownBy(() -> flip.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalStateException.class);
    assertThat(registrar.livePorts()).isEmpty();
    assertThatThrownBy(() -> r.direct("")).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }

  @Test
  void throughTheMeshWatchersSeeEachFlipAndTheDrainWithdrawsTheEntry() throws IOException {
    int app = listener();
    int inbound = listener();
    StaticServiceDiscovery list = StaticServiceDiscovery.create();
    ServiceRegistry registry = list.registry();
    AtomicReference<Set<Integer>> seen = new AtomicReference<>(Set.of());
    try (Mesh server = Mesh.builder()
            .sidecar(SidecarConfig.builder().address("127.0.0.1:" + listener()).inboundPort(inbound).build())
            .drainDelay(Duration.ZERO).build();
        var watch = list.watch("inventory", new DiscoveryListener() {
          @Override
          public void onEndpoints(List<Endpoint> endpoints) {
            Set<Integer> ports = new TreeSet<>();
            endpoints.forEach(e -> ports.add(e.port()));
            seen.set(ports);
          }

          @Override
          public void onServiceDeleted() {
            seen.set(Set.of());
          }

          @Override
          public void onError(Throwable error) {}
        })) {
      InboundRegistration r = server.inboundRegistration(registry,
              ServiceRegistration.of("inventory", "127.0.0.1", app))
          .overlap(Duration.ZERO).mode(InboundMode.SIDECAR).register();
      await().atMost(Duration.ofSeconds(10)).until(() -> seen.get().equals(Set.of(inbound)));
      String startTime = r.advertised().labels().get(Endpoint.START_TIME_LABEL);
      assertThat(startTime).isNotNull();

      r.direct("rollback");
      await().atMost(Duration.ofSeconds(10)).until(() -> seen.get().equals(Set.of(app)));
      assertThat(r.advertised().labels()).containsEntry(Endpoint.START_TIME_LABEL, startTime)
          .doesNotContainKey(RegistrationPortPolicy.INBOUND_LABEL);

      server.drain();
      await().atMost(Duration.ofSeconds(10)).until(() -> seen.get().isEmpty());
      assertThatThrownBy(() -> r.viaSidecar("after the drain")).isInstanceOf(InboundFlipException.class)
          .hasMessageContaining("draining");
    }
  }
}
