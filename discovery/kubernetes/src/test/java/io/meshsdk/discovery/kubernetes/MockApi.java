package io.meshsdk.discovery.kubernetes;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * fabric8's mock API server in CRUD mode (a real HTTP server on 127.0.0.1 that stores what is written and serves
 * lists and watches), started once per test run and shared; each test works in a namespace of its own. Each backend
 * under test reaches it through a {@link TcpProxy} of its own, which tests cut to make the API server unreachable;
 * {@link #admin()} writes to it directly.
 */
final class MockApi implements AutoCloseable {

  private static final AtomicInteger NAMESPACES = new AtomicInteger();
  private static MockApi shared;

  private final KubernetesMockServer server;
  private final KubernetesClient admin;
  private final List<TcpProxy> relays = new CopyOnWriteArrayList<>(); // of open backends
  private final List<TcpProxy> allRelays = new CopyOnWriteArrayList<>();
  private final List<KubernetesClient> clients = new CopyOnWriteArrayList<>();

  private MockApi() throws IOException {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(List.of()), false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    admin = server.createClient();
  }

  /** The server of this test run: started on first use, stopped when the run's JVM exits. */
  static synchronized MockApi get() {
    if (shared == null) {
      try {
        shared = new MockApi();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      MockApi started = shared;
      Runtime.getRuntime().addShutdownHook(new Thread(started::close, "mock-api-shutdown"));
    }
    return shared;
  }

  /** A relay of its own to the server, for a client a test builds itself; closed with the server. */
  TcpProxy relay() {
    try {
      TcpProxy relay = new TcpProxy(server.getPort());
      allRelays.add(relay);
      return relay;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A client that writes to the server directly (not through the proxy). */
  KubernetesClient admin() {
    return admin;
  }

  /** A fresh namespace name, {@code <prefix>-<n>}. */
  static String namespace(String prefix) {
    return prefix + "-" + NAMESPACES.incrementAndGet();
  }

  /** Client config for a backend under test: through {@code port}, fast reconnects, no local kubeconfig. */
  static Config config(String namespace, int port) {
    return new ConfigBuilder(Config.empty())
        .withMasterUrl("http://127.0.0.1:" + port)
        .withNamespace(namespace)
        .withWatchReconnectInterval(50)
        .withRequestRetryBackoffInterval(50)
        .withRequestRetryBackoffLimit(1)
        .withConnectionTimeout(2_000)
        .withRequestTimeout(5_000)
        .build();
  }

  /**
   * A backend under test, on a client of its own that reaches the server through a relay of its own.
   *
   * <p>The mock server's watch handler blocks its only event loop for up to a minute when a watch is closed or fails
   * while the server is sending it an event (its WatchEventsListener waits on the event loop from the event loop);
   * a real API server does not. So closing a backend first cuts its relay, which leaves the server's side of the
   * connections open (see {@link TcpProxy}), and the client lives until the test ends.
   */
  KubernetesServiceDiscovery discovery(KubernetesDiscoveryOptions options) {
    TcpProxy relay;
    try {
      relay = new TcpProxy(server.getPort());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    relays.add(relay);
    allRelays.add(relay);
    KubernetesClient client = new KubernetesClientBuilder()
        .withConfig(config(options.namespace(), relay.port())).build();
    clients.add(client);
    return KubernetesServiceDiscovery.using(client, options, () -> {
      relays.remove(relay);
      try {
        relay.cut();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  /** Whether the API server fails every new watch (lists still work) for every open backend. */
  void refuseWatches(boolean refuse) throws IOException {
    for (TcpProxy r : relays) {
      r.refuseWatches(refuse);
      if (refuse) {
        r.dropConnections();
      }
    }
  }

  /** The API server becomes unreachable for every open backend. */
  void cut() throws IOException {
    for (TcpProxy r : relays) {
      r.cut();
    }
  }

  /** The API server is reachable again for every open backend. */
  void restore() throws IOException {
    for (TcpProxy r : relays) {
      r.restore();
    }
  }

  void createNamespace(String namespace) {
    Namespace ns = new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build();
    admin.resource(ns).createOr(NonDeletingOperation::update);
  }

  /** Creates (or keeps) a ClusterIP Service named {@code name}: its ClusterIP must never show up as an endpoint. */
  void service(String namespace, String name) {
    Service s = new ServiceBuilder().withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
        .withNewSpec().withClusterIP("10.96.0.10").addNewPort().withName("http").withPort(80)
        .withTargetPort(new IntOrString(8080)).endPort().endSpec().build();
    admin.resource(s).createOr(NonDeletingOperation::update);
  }

  void deleteService(String namespace, String name) {
    admin.services().inNamespace(namespace).withName(name).delete();
  }

  /** Writes {@code slices} as the slices of their service and deletes its other slices. */
  void slices(String namespace, String service, List<EndpointSlice> slices) {
    Set<String> keep = new HashSet<>();
    for (EndpointSlice s : slices) {
      s.getMetadata().setNamespace(namespace);
      keep.add(s.getMetadata().getName());
      admin.resource(s).createOr(NonDeletingOperation::update);
    }
    for (EndpointSlice s : admin.discovery().v1().endpointSlices().inNamespace(namespace)
        .withLabel(SliceTranslator.SERVICE_NAME_LABEL, service).list().getItems()) {
      if (!keep.contains(s.getMetadata().getName())) {
        admin.resource(s).delete();
      }
    }
  }

  void put(String namespace, EndpointSlice slice) {
    slice.getMetadata().setNamespace(namespace);
    admin.resource(slice).createOr(NonDeletingOperation::update);
  }

  void deleteSlice(String namespace, String name) {
    admin.discovery().v1().endpointSlices().inNamespace(namespace).withName(name).delete();
  }

  @Override
  public void close() {
    try {
      cut();
    } catch (IOException e) {
      // ignore at exit
    }
    // in the background: a server whose event loop the mock's watch bug blocked takes up to a minute to stop
    Thread stop = new Thread(() -> {
      clients.forEach(KubernetesClient::close);
      admin.close();
      try {
        server.destroy();
      } catch (RuntimeException e) {
        // a stalled mock server: it goes with the JVM
      }
    }, "mock-api-stop");
    stop.setDaemon(true);
    stop.start();
  }
}
