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
 * lists and watches), started once per test run and shared; each test works in its own namespace. The backends
 * under test reach it through a {@link TcpProxy} that tests can cut; {@link #admin()} writes to it directly.
 */
final class MockApi implements AutoCloseable {

  private static final AtomicInteger NAMESPACES = new AtomicInteger();
  private static volatile MockApi instance;

  private final KubernetesMockServer server;
  private final KubernetesClient admin;
  private final TcpProxy proxy;
  private final List<KubernetesClient> clients = new CopyOnWriteArrayList<>();

  private MockApi() throws IOException {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(List.of()), false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    admin = server.createClient();
    proxy = new TcpProxy(server.getPort());
  }

  /** The shared server, started on first use, stopped when the JVM's tests end. */
  static synchronized MockApi get() {
    if (instance == null) {
      try {
        instance = new MockApi();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      MockApi started = instance;
      Runtime.getRuntime().addShutdownHook(new Thread(started::close, "mock-api-stop"));
    }
    return instance;
  }

  /** A client that writes to the server directly (not through the proxy). */
  KubernetesClient admin() {
    return admin;
  }

  TcpProxy proxy() {
    return proxy;
  }

  /** A fresh namespace name, {@code <prefix>-<n>}. */
  static String namespace(String prefix) {
    return prefix + "-" + NAMESPACES.incrementAndGet();
  }

  /** Client config for a backend under test: through the proxy, fast reconnects, no local kubeconfig. */
  Config config(String namespace) {
    return new ConfigBuilder(Config.empty())
        .withMasterUrl("http://127.0.0.1:" + proxy.port())
        .withNamespace(namespace)
        .withWatchReconnectInterval(50)
        .withRequestRetryBackoffInterval(50)
        .withRequestRetryBackoffLimit(1)
        .withConnectionTimeout(2_000)
        .withRequestTimeout(5_000)
        .build();
  }

  /**
   * A backend under test on a client of its own that lives until the test run ends. (Closing a client with an open
   * watch can stall the mock server's event loop for up to a minute, a bug of the mock's WatchEventsListener, which
   * would stall every other test; {@code ProviderTest} checks the owned-client close on a server of its own.)
   */
  KubernetesServiceDiscovery discovery(KubernetesDiscoveryOptions options) {
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config(options.namespace())).build();
    clients.add(client);
    return KubernetesServiceDiscovery.using(client, options);
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
      proxy.close();
    } catch (IOException e) {
      // ignore at exit
    }
    clients.forEach(KubernetesClient::close);
    admin.close();
    server.destroy();
  }
}
