package io.meshsdk.core.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.config.ServiceConfig;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.testing.tls.TestCa;
import io.meshsdk.testing.tls.TestCa.KeyFormat;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.tls.HandshakeCertificates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Outbound mutual TLS through the mesh's OkHttp client against real HTTPS servers on loopback that require client
 * certificates ({@link WorkloadCertificates#serverContext()}): the application calls {@code http://orders/...}; each
 * failure is asserted by the message the application sees.
 */
@Timeout(120)
class MtlsIT {

  static final String WEB = "spiffe://prod.example/ns/web/sa/frontend";
  static final String ORDERS = "spiffe://prod.example/ns/shop/sa/orders";

  @TempDir
  Path dir;

  final TestCa root = TestCa.root("prod root");
  final TestCa ca = root.intermediate("prod issuing");
  final List<AutoCloseable> closing = new ArrayList<>();
  int dirs;

  @AfterEach
  void tearDown() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  <T extends AutoCloseable> T closeLater(T c) {
    closing.add(c);
    return c;
  }

  WorkloadCertificates certs(TestCa.Issued leaf, String bundlePem) {
    return closeLater(WorkloadCertificates.load(TlsFixture.files(dir.resolve("w" + dirs++), leaf, bundlePem,
        KeyFormat.PKCS8)));
  }

  TlsFixture.Server server(TestCa.Issued leaf) {
    return closeLater(new TlsFixture.Server(certs(leaf, root.certificatePem()), true, 0));
  }

  Mesh mesh(WorkloadCertificates client, Endpoint endpoint, Consumer<ServiceConfig.Builder> orders) {
    return closeLater(Mesh.builder()
        .discovery(StaticServiceDiscovery.of(endpoint))
        .config(MeshConfig.builder().service("orders", s -> orders.accept(s.set("tls.mode", "mtls"))).build())
        .tls(client)
        .drainDelay(java.time.Duration.ZERO)
        .build());
  }

  WorkloadCertificates web() {
    return certs(ca.leaf().uri(WEB).issue(), root.certificatePem());
  }

  static String get(OkHttpClient http, String url) throws IOException {
    try (Response r = http.newCall(new Request.Builder().url(url).build()).execute()) {
      assertThat(r.code()).isEqualTo(200);
      return r.body().string();
    }
  }

  static String failure(OkHttpClient http, String url) {
    Throwable t = catchThrowable(() -> get(http, url));
    assertThat(t).as("the call to " + url + " fails").isInstanceOf(IOException.class);
    return TlsFixture.messages(t);
  }

  @Test
  void callsAreUpgradedToMutualTlsAndTheServerSeesTheCallersIdentity() throws IOException {
    TlsFixture.Server server = server(ca.leaf().uri(ORDERS).issue());
    Mesh mesh = mesh(web(), Endpoint.of("orders", "127.0.0.1", server.port()), s -> s.set("tls.identity", ORDERS));
    OkHttpClient http = mesh.newOkHttpClient();
    assertThat(get(http, "http://orders/items/1")).isEqualTo(WEB);
    assertThat(get(http, "http://orders/items/2")).isEqualTo(WEB);
    assertThat(mesh.tls()).isPresent();
  }

  @Test
  void theFirstCallRightAfterBuildIsMutualTlsEvenBeforeTheControlThreadRuns() throws Exception {
    // regression: the endpoints' TLS expectations were published on the mesh's control thread after build()
    // returned, so a first call's connection could miss them and be verified as a non-mesh https host (PKIX path
    // building failed). Here the control thread is held until the first call is done.
    TlsFixture.Server server = server(ca.leaf().uri(ORDERS).issue());
    java.util.concurrent.CountDownLatch firstCallDone = new java.util.concurrent.CountDownLatch(1);
    io.meshsdk.core.observe.MeshObserver holdControl = new io.meshsdk.core.observe.MeshObserver() {
      @Override
      public io.meshsdk.core.observe.CallObserver onCallStart(io.meshsdk.core.observe.CallInfo call) {
        return io.meshsdk.core.observe.CallObserver.NOOP;
      }

      @Override
      public void onServiceAdded(String service) {
        try {
          firstCallDone.await(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
    try (Mesh mesh = Mesh.builder()
        .discovery(StaticServiceDiscovery.of(Endpoint.of("orders", "127.0.0.1", server.port())))
        .config(MeshConfig.builder().service("orders", s -> s.set("tls.mode", "mtls").set("tls.identity", ORDERS)
            .set("retry.enabled", "false")).build())
        .tls(web())
        .observer(holdControl)
        .drainDelay(java.time.Duration.ZERO)
        .build()) {
      try {
        assertThat(get(mesh.newOkHttpClient(), "http://orders/items/1")).isEqualTo(WEB);
      } finally {
        firstCallDone.countDown();
      }
    }
  }

  @Test
  void theMeshLoadsATlsConfigItselfAndRefusesBadFiles() throws IOException {
    TlsFixture.Server server = server(ca.leaf().uri(ORDERS).issue());
    TlsConfig files = TlsFixture.files(dir.resolve("own"), ca.leaf().uri(WEB).issue(), root.certificatePem(),
        KeyFormat.TRADITIONAL);
    Mesh mesh = closeLater(Mesh.builder()
        .discovery(StaticServiceDiscovery.of(Endpoint.of("orders", "127.0.0.1", server.port())))
        .config(MeshConfig.fromProperties(java.util.Map.of("mesh.defaults.tls.mode", "mtls",
            "mesh.defaults.tls.trust-domain", "prod.example")))
        .tls(files)
        .drainDelay(java.time.Duration.ZERO)
        .build());
    assertThat(get(mesh.newOkHttpClient(), "http://orders/")).isEqualTo(WEB);
    assertThat(mesh.tls().orElseThrow().identity()).hasToString(WEB);
    java.nio.file.Files.writeString(files.privateKey(), "garbage");
    assertThat(catchThrowable(() -> Mesh.builder().tls(files).build()))
        .isInstanceOf(CertificateFileException.class)
        .hasMessageStartingWith(files.privateKey() + ": private key: no PEM block");
  }

  @Test
  void activeHealthChecksOfAnMtlsServiceGoOverMutualTls() {
    TlsFixture.Server server = server(ca.leaf().uri(ORDERS).issue());
    Mesh mesh = mesh(web(), Endpoint.of("orders", "127.0.0.1", server.port()), s -> s.set("tls.identity", ORDERS)
        .set("health-check.enabled", "true").set("health-check.interval", "100ms"));
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
        .until(() -> server.clientSerials.size() == 1 && server.handled.get() >= 2);
    assertThat(mesh.snapshot().service("orders").serving()).isEqualTo(1);
  }

  @Test
  void trustDomainAndDiscoveryLabelAreExpectationsToo() throws IOException {
    TlsFixture.Server server = server(ca.leaf().uri(ORDERS).issue());
    WorkloadCertificates web = web();
    Mesh byDomain = mesh(web, Endpoint.of("orders", "127.0.0.1", server.port()),
        s -> s.set("tls.trust-domain", "prod.example"));
    assertThat(get(byDomain.newOkHttpClient(), "http://orders/")).isEqualTo(WEB);
    Mesh byLabel = mesh(web, Endpoint.builder("orders", "127.0.0.1", server.port())
        .label(ServiceTlsConfig.SPIFFE_ID_LABEL, ORDERS).build(), s -> { });
    assertThat(get(byLabel.newOkHttpClient(), "http://orders/")).isEqualTo(WEB);
    Mesh wrongLabel = mesh(web, Endpoint.builder("orders", "127.0.0.1", server.port())
        .label(ServiceTlsConfig.SPIFFE_ID_LABEL, "spiffe://prod.example/ns/shop/sa/payments").build(), s -> { });
    assertThat(failure(wrongLabel.newOkHttpClient(), "http://orders/"))
        .contains("has SPIFFE id " + ORDERS + ", which is not expected")
        .contains("expects spiffe://prod.example/ns/shop/sa/payments (from the endpoint's discovery label spiffe-id)");
  }

  @Test
  void anAddressServingTwoServicesMustSatisfyBoth() throws IOException {
    TlsFixture.Server server = server(ca.leaf().uri(ORDERS).issue());
    StaticServiceDiscovery discovery = StaticServiceDiscovery.of(Endpoint.of("orders", "127.0.0.1", server.port()),
        Endpoint.of("billing", "127.0.0.1", server.port()));
    Mesh both = closeLater(Mesh.builder().discovery(discovery)
        .config(MeshConfig.fromProperties(java.util.Map.of("mesh.defaults.tls.mode", "mtls",
            "mesh.services.orders.tls.identity", ORDERS,
            "mesh.services.billing.tls.identity", "spiffe://prod.example/ns/shop/sa/billing")))
        .tls(web()).drainDelay(java.time.Duration.ZERO).build());
    assertThat(failure(both.newOkHttpClient(), "http://orders/"))
        .contains("service 'billing' expects spiffe://prod.example/ns/shop/sa/billing")
        .contains("is an endpoint of services [billing, orders]");
    Mesh same = closeLater(Mesh.builder()
        .discovery(StaticServiceDiscovery.of(Endpoint.of("orders", "127.0.0.1", server.port()),
            Endpoint.of("billing", "127.0.0.1", server.port())))
        .config(MeshConfig.fromProperties(java.util.Map.of("mesh.defaults.tls.mode", "mtls",
            "mesh.defaults.tls.identity", ORDERS)))
        .tls(web()).drainDelay(java.time.Duration.ZERO).build());
    OkHttpClient http = same.newOkHttpClient();
    assertThat(get(http, "http://orders/")).isEqualTo(WEB);
    assertThat(get(http, "http://billing/")).isEqualTo(WEB);
  }

  @Test
  void withoutAnyExpectationTheCallFailsClosedSayingHowToConfigureOne() {
    TlsFixture.Server server = server(ca.leaf().uri(ORDERS).issue());
    Mesh mesh = mesh(web(), Endpoint.of("orders", "127.0.0.1", server.port()), s -> { });
    assertThat(failure(mesh.newOkHttpClient(), "http://orders/"))
        .contains("no server identity is configured for service 'orders'")
        .contains("mesh.services.orders.tls.identity");
    assertThat(server.handled).hasValue(0);
  }

  @Test
  void serverCertificateFailuresNameWhatWasWrong() {
    Instant now = Instant.now();
    TlsFixture.Server expired = server(ca.leaf().uri(ORDERS)
        .validity(now.minusSeconds(7200), now.minusSeconds(3600)).issue());
    TlsFixture.Server notYet = server(ca.leaf().uri(ORDERS)
        .validity(now.plusSeconds(3600), now.plusSeconds(7200)).issue());
    TestCa foreign = TestCa.root("foreign root");
    TlsFixture.Server untrusted = closeLater(new TlsFixture.Server(certs(foreign.leaf().uri(ORDERS).issue(),
        root.certificatePem()), true, 0));
    TlsFixture.Server wrongId = server(ca.leaf().uri("spiffe://prod.example/ns/shop/sa/payments").issue());
    TlsFixture.Server twoIds = closeLater(new TlsFixture.Server(certs(ca.leaf().uri(ORDERS).issue(),
        root.certificatePem()), true, 0));
    WorkloadCertificates web = web();

    assertThat(failure(mesh(web, Endpoint.of("orders", "127.0.0.1", expired.port()),
        s -> s.set("tls.identity", ORDERS)).newOkHttpClient(), "http://orders/"))
        .contains("server certificate of 127.0.0.1:" + expired.port() + " has expired: valid until")
        .contains(", now ");
    assertThat(failure(mesh(web, Endpoint.of("orders", "127.0.0.1", notYet.port()),
        s -> s.set("tls.identity", ORDERS)).newOkHttpClient(), "http://orders/"))
        .contains("is not yet valid: valid from");
    assertThat(failure(mesh(web, Endpoint.of("orders", "127.0.0.1", untrusted.port()),
        s -> s.set("tls.identity", ORDERS)).newOkHttpClient(), "http://orders/"))
        .contains("is not issued by a CA in the trust bundle " + web.config().trustBundle())
        .contains("ends at issuer CN=foreign root");
    assertThat(failure(mesh(web, Endpoint.of("orders", "127.0.0.1", wrongId.port()),
        s -> s.set("tls.identity", ORDERS)).newOkHttpClient(), "http://orders/"))
        .contains("has SPIFFE id spiffe://prod.example/ns/shop/sa/payments, which is not expected: service"
            + " 'orders' expects " + ORDERS + " (from mesh.services.orders.tls.identity)");
    assertThat(twoIds.port()).isPositive();
    assertThat(expired.handled.get() + notYet.handled.get() + untrusted.handled.get() + wrongId.handled.get())
        .isZero();
  }

  @Test
  void serverWithoutSpiffeIdOrWithTwoUriSans() throws Exception {
    // WorkloadCertificates refuses such files for itself, so these servers use a plain JDK context
    WorkloadCertificates web = web();
    for (TestCa.Issued leaf : List.of(ca.leaf().dns("orders.example").issue(),
        ca.leaf().uri(ORDERS).uri("spiffe://prod.example/ns/shop/sa/other").issue())) {
      HandshakeCertificates serverCerts = new HandshakeCertificates.Builder()
          .heldCertificate(new okhttp3.tls.HeldCertificate(new java.security.KeyPair(
              leaf.certificate().getPublicKey(), leaf.privateKey()), leaf.certificate()),
              leaf.chain().subList(1, leaf.chain().size()).toArray(new java.security.cert.X509Certificate[0]))
          .build();
      com.sun.net.httpserver.HttpsServer s = com.sun.net.httpserver.HttpsServer.create(
          new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 8);
      s.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(serverCerts.sslContext()));
      s.createContext("/", e -> {
        e.sendResponseHeaders(200, -1);
        e.close();
      });
      s.start();
      closeLater(() -> s.stop(0));
      String messages = failure(mesh(web, Endpoint.of("orders", "127.0.0.1", s.getAddress().getPort()),
          c -> c.set("tls.identity", ORDERS)).newOkHttpClient(), "http://orders/");
      assertThat(messages).containsAnyOf("has no SPIFFE id (no spiffe:// URI subject alternative name)",
          "has 2 URI SANs");
    }
  }

  @Test
  void withoutWorkloadCertificatesAnMtlsServiceIsRefused() {
    TlsFixture.Server server = server(ca.leaf().uri(ORDERS).issue());
    Mesh mesh = closeLater(Mesh.builder()
        .discovery(StaticServiceDiscovery.of(Endpoint.of("orders", "127.0.0.1", server.port())))
        .config(MeshConfig.builder().service("orders", s -> s.set("tls.mode", "mtls")).build())
        .drainDelay(java.time.Duration.ZERO)
        .build());
    assertThat(failure(mesh.newOkHttpClient(), "http://orders/"))
        .contains("service 'orders' has tls.mode=mtls, but the mesh has no workload certificate");
    assertThat(server.handled).hasValue(0);
  }

  @Test
  void theServerRefusesClientsWithoutOrWithAnUntrustedOrExpiredCertificate() {
    TlsFixture.Server server = server(ca.leaf().uri(ORDERS).issue());
    Instant now = Instant.now();
    WorkloadCertificates expiredClient = certs(ca.leaf().uri(WEB)
        .validity(now.minusSeconds(7200), now.minusSeconds(3600)).issue(), root.certificatePem());
    WorkloadCertificates foreignClient = certs(TestCa.root("foreign").leaf().uri(WEB).issue(),
        root.certificatePem());
    for (WorkloadCertificates client : List.of(expiredClient, foreignClient)) {
      Mesh mesh = mesh(client, Endpoint.of("orders", "127.0.0.1", server.port()), s -> s.set("tls.identity", ORDERS));
      failure(mesh.newOkHttpClient(), "http://orders/");
    }
    // no client certificate at all: a plain client trusting the CA
    OkHttpClient plain = new OkHttpClient.Builder()
        .sslSocketFactory(new HandshakeCertificates.Builder().addTrustedCertificate(root.certificate()).build()
            .sslSocketFactory(), new HandshakeCertificates.Builder().addTrustedCertificate(root.certificate())
            .build().trustManager())
        .hostnameVerifier((h, s) -> true)
        .build();
    failure(plain, "https://127.0.0.1:" + server.port() + "/");
    assertThat(server.handled).hasValue(0);
  }

  @Test
  void nonMeshHttpsHostsAreVerifiedAsTheBaseClientDoesAndGetNoClientCertificate() throws IOException {
    TlsFixture.Server orders = server(ca.leaf().uri(ORDERS).issue());
    // a non-mesh https host whose certificate names 127.0.0.1, trusted by the application's base client
    TlsFixture.Server other = closeLater(new TlsFixture.Server(certs(ca.leaf().uri(ORDERS).ip("127.0.0.1").issue(),
        root.certificatePem()), false, 0));
    HandshakeCertificates trust = new HandshakeCertificates.Builder().addTrustedCertificate(root.certificate())
        .build();
    OkHttpClient base = new OkHttpClient.Builder().sslSocketFactory(trust.sslSocketFactory(), trust.trustManager())
        .build();
    Mesh mesh = closeLater(Mesh.builder()
        .discovery(StaticServiceDiscovery.of(Endpoint.of("orders", "127.0.0.1", orders.port())))
        .config(MeshConfig.builder().service("orders", s -> s.set("tls.mode", "mtls").set("tls.identity", ORDERS))
            .build())
        .httpClient(base)
        .tls(web())
        .drainDelay(java.time.Duration.ZERO)
        .build());
    OkHttpClient http = mesh.newOkHttpClient();
    assertThat(get(http, "http://orders/")).isEqualTo(WEB);
    assertThat(get(http, "https://127.0.0.1:" + other.port() + "/")).isEqualTo("anonymous");
    // the base client's hostname verification still applies to non-mesh hosts
    assertThat(failure(http, "https://localhost:" + other.port() + "/")).contains("localhost");
  }
}
