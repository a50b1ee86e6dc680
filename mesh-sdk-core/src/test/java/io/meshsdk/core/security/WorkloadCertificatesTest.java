package io.meshsdk.core.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.meshsdk.testing.tls.TestCa;
import io.meshsdk.testing.tls.TestCa.KeyFormat;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class WorkloadCertificatesTest {

  static final String WEB = "spiffe://prod.example/ns/web/sa/frontend";
  static final String ORDERS = "spiffe://prod.example/ns/shop/sa/orders";

  @TempDir
  Path dir;

  final TestCa root = TestCa.root("prod root");
  final TestCa ca = root.intermediate("prod issuing");

  Path chain() {
    return dir.resolve("tls.crt");
  }

  Path key() {
    return dir.resolve("tls.key");
  }

  Path bundle() {
    return dir.resolve("ca.crt");
  }

  TlsConfig config() {
    return TlsConfig.builder().certificateChain(chain()).privateKey(key()).trustBundle(bundle())
        .refreshInterval(Duration.ofMillis(50)).build();
  }

  TestCa.Issued write(TestCa issuer, String id, String bundlePem) {
    TestCa.Issued leaf = issuer.leaf().uri(id).issue();
    leaf.writeFiles(chain(), key(), KeyFormat.PKCS8);
    TestCa.writeAtomically(bundle(), bundlePem);
    return leaf;
  }

  @Test
  void loadsAndDescribesTheWorkload() {
    TestCa.Issued leaf = write(ca, WEB, root.certificatePem());
    try (WorkloadCertificates w = WorkloadCertificates.load(config())) {
      assertThat(w.identity()).hasToString(WEB);
      assertThat(w.notAfter()).isEqualTo(leaf.certificate().getNotAfter().toInstant());
      assertThat(w.certificateChain()).hasSize(2);
      assertThat(w.trustBundle()).containsExactly(root.certificate());
      assertThat(w.version()).isEqualTo(1);
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      w.bindTo(registry);
      assertThat(registry.get(WorkloadCertificates.EXPIRY_GAUGE).gauge().value()).isBetween(80_000.0, 86_400.0);
    }
  }

  @Test
  void legacyKeyFormatsLoad() {
    for (TestCa.KeyType type : TestCa.KeyType.values()) {
      TestCa.Issued leaf = ca.leaf().uri(WEB).keyType(type).issue();
      leaf.writeFiles(chain(), key(), KeyFormat.TRADITIONAL);
      TestCa.writeAtomically(bundle(), root.certificatePem());
      try (WorkloadCertificates w = WorkloadCertificates.load(config())) {
        assertThat(w.identity()).hasToString(WEB);
      }
    }
  }

  @Test
  void badFilesFailFastNamingTheFile() throws IOException {
    write(ca, WEB, root.certificatePem());
    assertThat(WorkloadCertificates.load(config()).identity()).hasToString(WEB);
    String goodChain = Files.readString(chain());
    String goodKey = Files.readString(key());
    String goodBundle = Files.readString(bundle());

    Files.delete(key());
    assertProblem(key(), "no such file");
    Files.writeString(key(), "");
    assertProblem(key(), "the file is empty");
    Files.writeString(key(), "garbage");
    assertProblem(key(), "no PEM block");
    Files.writeString(key(), goodKey.substring(0, goodKey.length() / 2));
    assertProblem(key(), "truncated");
    Files.writeString(key(), ca.leaf().uri(WEB).issue().privateKeyPem(KeyFormat.PKCS8));
    assertProblem(key(), "does not match the certificate in " + chain());
    Files.writeString(key(), goodKey);

    List<String> blocks = List.of(goodChain.split("(?<=-----END CERTIFICATE-----\n)"));
    Files.writeString(chain(), blocks.get(1) + blocks.get(0));
    assertProblem(chain(), "not in order");
    Files.writeString(chain(), goodChain.substring(0, goodChain.length() - 40));
    assertProblem(chain(), "truncated");
    Files.writeString(chain(), goodChain);

    TestCa.Issued noId = ca.leaf().dns("web.example").issue();
    noId.writeFiles(chain(), key(), KeyFormat.PKCS8);
    assertProblem(chain(), "has no SPIFFE id");
    TestCa.Issued twoIds = ca.leaf().uri(WEB).uri(ORDERS).issue();
    twoIds.writeFiles(chain(), key(), KeyFormat.PKCS8);
    assertProblem(chain(), "has 2 URI SANs");
    Files.writeString(chain(), goodChain);
    Files.writeString(key(), goodKey);

    Files.writeString(bundle(), ca.leaf().uri(WEB).issue().chainPem().split("(?<=-----END CERTIFICATE-----\n)")[0]);
    assertProblem(bundle(), "no CA certificate");
    Files.writeString(bundle(), "");
    assertProblem(bundle(), "empty");
    Files.writeString(bundle(), goodBundle);

    TlsConfig wrongDomain = TlsConfig.builder().certificateChain(chain()).privateKey(key()).trustBundle(bundle())
        .trustDomain("staging.example").build();
    assertThatThrownBy(() -> WorkloadCertificates.load(wrongDomain)).isInstanceOf(CertificateFileException.class)
        .hasMessageContaining("SPIFFE id " + WEB + " is not in trust domain staging.example");
  }

  private void assertProblem(Path file, String problem) {
    assertThatThrownBy(() -> WorkloadCertificates.load(config())).isInstanceOf(CertificateFileException.class)
        .hasMessageStartingWith(file + ": ").hasMessageContaining(problem)
        .satisfies(e -> assertThat(((CertificateFileException) e).file()).isEqualTo(file));
  }

  @Test
  void refreshNowAppliesANewSetAndNotifies() {
    write(ca, WEB, root.certificatePem());
    try (WorkloadCertificates w = WorkloadCertificates.load(config())) {
      AtomicInteger heard = new AtomicInteger();
      w.addListener(heard::incrementAndGet);
      assertThat(w.refreshNow()).isFalse(); // nothing changed
      TestCa.Issued next = write(ca, ORDERS, root.certificatePem());
      assertThat(w.refreshNow()).isTrue();
      assertThat(w.identity()).hasToString(ORDERS);
      assertThat(w.version()).isEqualTo(2);
      assertThat(heard).hasValue(1);
      assertThat(w.keyManager().getCertificateChain(w.keyManager().chooseServerAlias("EC", null, null)))
          .startsWith(next.certificate());
    }
  }

  @Test
  void aKeyWithoutItsCertificateIsNeverAppliedAndWarnsOnce() {
    TestCa.Issued first = write(ca, WEB, root.certificatePem());
    try (WorkloadCertificates w = WorkloadCertificates.start(config())) {
      TestCa.Issued next = ca.leaf().uri(WEB).issue();
      TestCa.writeAtomically(key(), next.privateKeyPem(KeyFormat.PKCS8)); // the writer replaces the key first
      assertThat(w.refreshNow()).isFalse();
      assertThat(w.warnings()).isEqualTo(1);
      long polls = 10;
      AtomicInteger seen = new AtomicInteger();
      // the poller keeps reading the mismatched pair: still one WARN, previous set in force
      await().atMost(Duration.ofSeconds(10)).until(() -> seen.incrementAndGet() > polls && w.warnings() == 1);
      assertThat(w.certificateChain().get(0)).isEqualTo(first.certificate());
      assertThat(w.version()).isEqualTo(1);
      TestCa.writeAtomically(chain(), next.chainPem()); // then the certificate
      await().atMost(Duration.ofSeconds(10)).until(() -> w.version() == 2);
      assertThat(w.certificateChain().get(0)).isEqualTo(next.certificate());
      assertThat(w.warnings()).isEqualTo(1);
    }
  }

  @Test
  void theServerContextServesTheNewCertificateAfterARotationAndAuthenticatesClients() throws Exception {
    write(ca, ORDERS, root.certificatePem());
    Path clientDir = Files.createDirectories(dir.resolve("client"));
    TlsConfig clientConfig = TlsConfig.builder().certificateChain(clientDir.resolve("c.crt"))
        .privateKey(clientDir.resolve("c.key")).trustBundle(clientDir.resolve("ca.crt")).build();
    ca.leaf().uri(WEB).issue().writeFiles(clientConfig.certificateChain(), clientConfig.privateKey(),
        KeyFormat.TRADITIONAL);
    TestCa.writeAtomically(clientConfig.trustBundle(), root.certificatePem());
    try (WorkloadCertificates server = WorkloadCertificates.load(config());
        WorkloadCertificates client = WorkloadCertificates.load(clientConfig);
        SSLServerSocket listener = (SSLServerSocket) server.serverContext().getServerSocketFactory()
            .createServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      listener.setNeedClientAuth(true);
      AtomicReference<X509Certificate> clientSeen = new AtomicReference<>();
      Thread accept = new Thread(() -> {
        while (!listener.isClosed()) {
          try (SSLSocket s = (SSLSocket) listener.accept()) {
            s.startHandshake();
            clientSeen.set((X509Certificate) s.getSession().getPeerCertificates()[0]);
            OutputStream out = s.getOutputStream();
            out.write(1);
            out.flush();
          } catch (IOException e) {
            // a refused handshake: the client side asserts it
          }
        }
      });
      accept.setDaemon(true);
      accept.start();
      ExpectedServerIdentity expectOrders =
          ExpectedServerIdentity.exact("orders", Set.of(SpiffeId.parse(ORDERS)), "test");
      X509Certificate served = handshake(client, listener.getLocalPort(), (h, p) -> expectOrders);
      assertThat(served).isEqualTo(server.certificateChain().get(0));
      assertThat(clientSeen.get()).isEqualTo(client.certificateChain().get(0));

      TestCa.Issued rotated = write(ca, ORDERS, root.certificatePem());
      assertThat(server.refreshNow()).isTrue();
      assertThat(handshake(client, listener.getLocalPort(), (h, p) -> expectOrders))
          .isEqualTo(rotated.certificate());

      // the wrong identity, and no expectation at all, fail the handshake naming both ids
      ExpectedServerIdentity expectWeb = ExpectedServerIdentity.exact("web", Set.of(SpiffeId.parse(WEB)), "test");
      assertThatThrownBy(() -> handshake(client, listener.getLocalPort(), (h, p) -> expectWeb))
          .isInstanceOf(SSLHandshakeException.class).hasMessageContaining("has SPIFFE id " + ORDERS)
          .hasMessageContaining("expects " + WEB);
      assertThatThrownBy(() -> handshake(client, listener.getLocalPort(), (h, p) -> null))
          .isInstanceOf(SSLHandshakeException.class).hasMessageContaining("no endpoint of an mtls service");

      // a client whose certificate is expired is refused by the server (message in the server's trust manager)
      ca.leaf().uri(WEB).validity(Instant.now().minusSeconds(7200), Instant.now().minusSeconds(3600)).issue()
          .writeFiles(clientConfig.certificateChain(), clientConfig.privateKey(), KeyFormat.PKCS8);
      assertThat(client.refreshNow()).isTrue();
      assertThatThrownBy(() -> server.verifyClient(client.certificateChain().toArray(new X509Certificate[0])))
          .hasMessageContaining("client certificate has expired: valid until");
      clientSeen.set(null);
      assertThatThrownBy(() -> handshake(client, listener.getLocalPort(), (h, p) -> expectOrders))
          .isInstanceOf(IOException.class);
      assertThat(clientSeen.get()).isNull();
      listener.close();
    }
  }

  private static X509Certificate handshake(WorkloadCertificates client, int port,
      WorkloadCertificates.ServerExpectations expectations) throws IOException {
    try (SSLSocket s = (SSLSocket) client.clientContext(expectations).getSocketFactory()
        .createSocket("127.0.0.1", port)) {
      s.startHandshake();
      X509Certificate served = (X509Certificate) s.getSession().getPeerCertificates()[0];
      InputStream in = s.getInputStream();
      if (in.read() != 1) { // TLS 1.3: the server's verdict on the client certificate comes with the first read
        throw new IOException("the server closed the connection");
      }
      return served;
    }
  }
}
