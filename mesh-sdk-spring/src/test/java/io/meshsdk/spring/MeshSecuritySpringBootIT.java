package io.meshsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.security.TlsConfig;
import io.meshsdk.core.security.WorkloadCertificates;
import io.meshsdk.testing.tls.TestCa;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * A Spring Boot service ("inventory") serving mutual TLS with the mesh's workload certificates (SSL bundle
 * {@code mesh}, {@code client-auth=need}) and an access policy: real TLS on loopback, mesh callers with their own
 * certificates. The caller the application sees is the client certificate's SPIFFE id; a denied caller gets 403 and
 * the handler never runs; a client without a certificate is refused in the handshake; rotated server files are
 * served on new connections without a restart.
 */
@SpringBootTest(classes = MeshSecuritySpringBootIT.Inventory.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"spring.application.name=inventory", "server.address=127.0.0.1", "server.ssl.bundle=mesh",
        "server.ssl.client-auth=need", "mesh.drain-delay=0", "mesh.tls.refresh-interval=1h"})
class MeshSecuritySpringBootIT {

  private static final String INVENTORY = "spiffe://prod.example/ns/shop/sa/inventory";
  private static final String WEB = "spiffe://prod.example/ns/web/sa/frontend";
  private static final String DEV = "spiffe://prod.example/ns/dev/sa/tool";
  private static final TestCa CA = TestCa.root("prod.example root");
  private static Path dir;

  @Autowired
  private WorkloadCertificates serverCertificates;

  @LocalServerPort
  private int port;

  @BeforeAll
  static void files() throws IOException {
    dir = Files.createTempDirectory("mesh-spring-mtls");
    CA.leaf().uri(INVENTORY).issue().writeFiles(dir.resolve("tls.crt"), dir.resolve("tls.key"),
        TestCa.KeyFormat.PKCS8);
    TestCa.writeAtomically(dir.resolve("ca.crt"), CA.certificatePem());
    Files.writeString(dir.resolve("policy.conf"), """
        service inventory
          default deny
          allow web  caller=%s method=GET path=/items/{id}
        """.formatted(WEB));
  }

  @AfterAll
  static void cleanUp() throws IOException {
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("mesh.tls.certificate-chain", () -> dir.resolve("tls.crt").toString());
    registry.add("mesh.tls.private-key", () -> dir.resolve("tls.key").toString());
    registry.add("mesh.tls.trust-bundle", () -> dir.resolve("ca.crt").toString());
    registry.add("mesh.policy.file", () -> dir.resolve("policy.conf").toString());
  }

  /** The mesh of a caller whose workload certificate says {@code identity}, calling inventory over mTLS. */
  private Mesh caller(String identity, Path home) throws IOException {
    Files.createDirectories(home);
    CA.leaf().uri(identity).issue().writeFiles(home.resolve("tls.crt"), home.resolve("tls.key"),
        TestCa.KeyFormat.PKCS8);
    TestCa.writeAtomically(home.resolve("ca.crt"), CA.certificatePem());
    return Mesh.builder()
        .discovery(StaticServiceDiscovery.of(Endpoint.of("inventory", "127.0.0.1", port)))
        .config(MeshConfig.builder().service("inventory", s -> s.set("tls.mode", "mtls")
            .set("tls.identity", INVENTORY).set("retry.max-attempts", "1")).build())
        .tls(TlsConfig.builder().certificateChain(home.resolve("tls.crt")).privateKey(home.resolve("tls.key"))
            .trustBundle(home.resolve("ca.crt")).build())
        .build();
  }

  private static String get(OkHttpClient http, String url) throws IOException {
    try (Response r = http.newCall(new Request.Builder().url(url).build()).execute()) {
      return r.code() + " " + r.body().string();
    }
  }

  @Test
  void theCallerIsTheClientCertificatesSpiffeIdAndThePolicyDecides() throws Exception {
    int before = Inventory.HANDLED.get();
    try (Mesh web = caller(WEB, dir.resolve("web")); Mesh dev = caller(DEV, dir.resolve("dev"))) {
      OkHttpClient webHttp = web.newOkHttpClient();
      assertThat(get(webHttp, "http://inventory/items/7")).isEqualTo("200 item 7 for " + WEB);
      assertThat(get(webHttp, "http://inventory/admin/7")).startsWith("403");
      assertThat(get(dev.newOkHttpClient(), "http://inventory/items/7")).startsWith("403");
    }
    assertThat(Inventory.HANDLED.get() - before).as("only the allowed request reached the handler").isEqualTo(1);
  }

  @Test
  void aClientWithoutACertificateIsRefusedInTheHandshake() throws Exception {
    int before = Inventory.HANDLED.get();
    OkHttpClient plain = new OkHttpClient.Builder()
        .sslSocketFactory(TlsTrust.socketFactory(CA), TlsTrust.trustManager(CA))
        .hostnameVerifier((host, session) -> true)
        .build();
    assertThatThrownBy(() -> get(plain, "https://127.0.0.1:" + port + "/items/1"))
        .isInstanceOf(IOException.class);
    assertThat(get(new OkHttpClient(), "http://127.0.0.1:" + port + "/items/1"))
        .as("plaintext on the TLS port is told to use TLS").startsWith("400");
    assertThat(Inventory.HANDLED.get()).isEqualTo(before);
  }

  @Test
  void rotatedServerFilesAreServedOnNewConnectionsWithoutARestart() throws Exception {
    try (Mesh web = caller(WEB, dir.resolve("web-rotation"))) {
      OkHttpClient http = web.newOkHttpClient();
      WorkloadCertificates mine = web.tls().orElseThrow();
      BigInteger first = serverSerial(mine);
      assertThat(get(http, "http://inventory/items/8")).isEqualTo("200 item 8 for " + WEB);
      CA.leaf().uri(INVENTORY).issue().writeFiles(dir.resolve("tls.crt"), dir.resolve("tls.key"),
          TestCa.KeyFormat.PKCS8);
      assertThat(serverCertificates.refreshNow()).isTrue();
      BigInteger second = serverSerial(mine);
      assertThat(second).as("a new connection gets the rotated certificate").isNotEqualTo(first)
          .isEqualTo(serverCertificates.certificateChain().get(0).getSerialNumber());
      assertThat(get(http, "http://inventory/items/8")).as("the pooled connection goes on")
          .isEqualTo("200 item 8 for " + WEB);
      http.connectionPool().evictAll();
      assertThat(get(http, "http://inventory/items/9")).as("and a new one verifies the new certificate")
          .isEqualTo("200 item 9 for " + WEB);
    }
  }

  /** The serial of the certificate the server presents on a new TLS connection (the client shows {@code mine}). */
  private BigInteger serverSerial(WorkloadCertificates mine) throws Exception {
    javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
    ctx.init(new javax.net.ssl.KeyManager[] {mine.keyManager()},
        new javax.net.ssl.TrustManager[] {TlsTrust.trustManager(CA)}, null);
    try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) ctx.getSocketFactory()
        .createSocket("127.0.0.1", port)) {
      socket.startHandshake();
      return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
    }
  }

  /** The service under test. */
  @SpringBootApplication
  @EnableMesh
  @RestController
  static class Inventory {
    static final AtomicInteger HANDLED = new AtomicInteger();

    @GetMapping("/items/{id}")
    String item(@PathVariable String id, HttpServletRequest request) {
      HANDLED.incrementAndGet();
      return "item " + id + " for " + request.getAttribute(MeshInboundFilter.CALLER_ATTRIBUTE);
    }

    @GetMapping("/admin/{id}")
    String admin(@PathVariable String id) {
      HANDLED.incrementAndGet();
      return "admin " + id;
    }
  }

  /** A client trusting {@code ca}, with no certificate of its own. */
  private static final class TlsTrust {
    static javax.net.ssl.X509TrustManager trustManager(TestCa ca) {
      try {
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("ca", ca.certificate());
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
            javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        return (javax.net.ssl.X509TrustManager) tmf.getTrustManagers()[0];
      } catch (java.security.GeneralSecurityException | IOException e) {
        throw new IllegalStateException(e);
      }
    }

    static javax.net.ssl.SSLSocketFactory socketFactory(TestCa ca) {
      try {
        javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
        ctx.init(null, new javax.net.ssl.TrustManager[] {trustManager(ca)}, null);
        return ctx.getSocketFactory();
      } catch (java.security.GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
