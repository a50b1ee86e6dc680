package io.meshsdk.core.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.testing.LoopbackBackend;
import io.meshsdk.testing.sidecar.MtlsHaproxy;
import io.meshsdk.testing.tls.TestCa;
import io.meshsdk.testing.tls.TestCa.KeyFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real HAProxy terminating mutual TLS ({@code verify required}) in front of a backend, as an HAProxy sidecar's
 * inbound listener or an edge would: the mesh's workload certificate is accepted; a server from another trust
 * domain is refused by the mesh, naming both identities; a mesh whose certificate another CA issued is refused by
 * HAProxy.
 */
class MtlsHaproxyIT {

  private static final String EDGE = "spiffe://prod.example/ns/edge/sa/haproxy";
  private static final String WEB = "spiffe://prod.example/ns/web/sa/frontend";

  @TempDir
  static Path dir;

  private static final TestCa PROD = TestCa.root("prod.example root");
  private static LoopbackBackend backend;
  private static MtlsHaproxy haproxy;

  @BeforeAll
  static void start() throws IOException {
    backend = LoopbackBackend.start("orders");
    TestCa.Issued edge = PROD.leaf().uri(EDGE).issue();
    Files.writeString(dir.resolve("haproxy.pem"), edge.chainPem() + edge.privateKeyPem(KeyFormat.PKCS8));
    Files.writeString(dir.resolve("haproxy-ca.pem"), PROD.certificatePem());
    haproxy = MtlsHaproxy.inFrontOf(backend.host() + ":" + backend.port(), dir.resolve("haproxy.pem"),
        dir.resolve("haproxy-ca.pem"));
    haproxy.start();
  }

  @AfterAll
  static void stop() {
    if (haproxy != null) {
      haproxy.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  private static Mesh mesh(TestCa issuer, String identity, String trustDomain, String home) {
    TlsConfig files = TlsFixture.files(dir.resolve(home), issuer.leaf().uri(identity).issue(),
        PROD.certificatePem(), KeyFormat.TRADITIONAL);
    return Mesh.builder()
        .discovery(StaticServiceDiscovery.of(Endpoint.of("orders", haproxy.host(), haproxy.tlsPort())))
        .config(MeshConfig.builder().service("orders", s -> s.set("tls.mode", "mtls")
            .set("tls.trust-domain", trustDomain).set("retry.max-attempts", "1")).build())
        .tls(files)
        .drainDelay(Duration.ZERO)
        .build();
  }

  @Test
  void haproxyAcceptsTheMeshsWorkloadCertificate() throws IOException {
    try (Mesh mesh = mesh(PROD, WEB, "prod.example", "web")) {
      OkHttpClient http = mesh.newOkHttpClient();
      assertThat(MtlsIT.get(http, "http://orders/items/1")).isEqualTo("orders GET /items/1\n");
      assertThat(backend.lastHeader("x-client-verify")).as("HAProxy verified the client certificate")
          .isEqualTo("0");
    }
  }

  @Test
  void aServerOfAnotherTrustDomainIsRefusedWithBothIdentitiesNamed() {
    try (Mesh mesh = mesh(PROD, WEB, "staging.example", "web-staging")) {
      String message = MtlsIT.failure(mesh.newOkHttpClient(), "http://orders/items/1");
      assertThat(message).contains(EDGE).contains("staging.example");
    }
  }

  @Test
  void aClientCertificateFromAnUntrustedCaIsRefusedByHaproxy() {
    TestCa rogue = TestCa.root("rogue root");
    long before = backend.requests();
    try (Mesh mesh = mesh(rogue, WEB, "prod.example", "rogue")) {
      String message = MtlsIT.failure(mesh.newOkHttpClient(), "http://orders/items/1");
      // TLS 1.3: HAProxy's alert comes after the client's Finished, so it surfaces as the alert when it wins the
      // race with the request's write, else as the broken connection (docs/security.md says so)
      assertThat(message).containsAnyOf("unknown_ca", "bad_certificate", "certificate_unknown",
          "Connection reset", "Broken pipe", "closed");
    }
    assertThat(backend.requests()).as("nothing reached the backend").isEqualTo(before);
  }
}
