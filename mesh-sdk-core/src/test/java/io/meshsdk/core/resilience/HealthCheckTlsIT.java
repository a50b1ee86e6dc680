package io.meshsdk.core.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Regression tests for "health checks use their own OkHttpClient, ignoring the application's TLS trust":
 *
 * <ul>
 *   <li>{@link #healthChecksTrustWhatTheApplicationsClientTrusts}: an HTTPS endpoint signed by a private CA that
 *       the application's client (given to {@code Mesh.Builder.httpClient}) trusts passes every application
 *       call, yet the active health check fails its handshake and ejects it.
 * </ul>
 */
class HealthCheckTlsIT {

  private static final String SERVICE = "secure-inventory";
  private static final int ROUNDS = 5;

  private HeldCertificate ca;
  private HttpsServer server;
  private ExecutorService executor;
  private final AtomicLong healthRequests = new AtomicLong();
  private final AtomicLong appRequests = new AtomicLong();

  @BeforeEach
  void startHttpsServer() throws IOException {
    ca = new HeldCertificate.Builder().certificateAuthority(0).commonName("test private CA").build();
    HeldCertificate cert = new HeldCertificate.Builder()
        .signedBy(ca)
        .commonName(SERVICE)
        .addSubjectAlternativeName("127.0.0.1")
        .addSubjectAlternativeName("localhost")
        .addSubjectAlternativeName(SERVICE)
        .build();
    HandshakeCertificates serverCerts = new HandshakeCertificates.Builder()
        .heldCertificate(cert, ca.certificate())
        .build();
    server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.setHttpsConfigurator(new HttpsConfigurator(serverCerts.sslContext()));
    executor = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "test-https-backend");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  private void handle(HttpExchange exchange) throws IOException {
    (exchange.getRequestURI().getPath().equals("/health") ? healthRequests : appRequests).incrementAndGet();
    try (InputStream in = exchange.getRequestBody()) {
      in.readAllBytes();
    }
    byte[] body = ("ok " + exchange.getRequestURI() + "\n").getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(200, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @AfterEach
  void stop() {
    server.stop(0);
    executor.shutdownNow();
  }

  @Test
  void healthChecksTrustWhatTheApplicationsClientTrusts() throws IOException {
    HandshakeCertificates trustingTheCa = new HandshakeCertificates.Builder()
        .addTrustedCertificate(ca.certificate())
        .build();
    OkHttpClient base = new OkHttpClient.Builder()
        .sslSocketFactory(trustingTheCa.sslSocketFactory(), trustingTheCa.trustManager())
        .build();
    MeshConfig config = MeshConfig.builder()
        .service(SERVICE, s -> s
            .set("health-check.enabled", "true")
            .set("health-check.interval", "300ms")
            .set("health-check.jitter", "0ms")
            .set("health-check.timeout", "5s"))
        .build();
    Endpoint endpoint = Endpoint.builder(SERVICE, "127.0.0.1", server.getAddress().getPort()).secure(true).build();

    try (Mesh mesh = Mesh.builder().discovery(StaticServiceDiscovery.of(endpoint)).config(config).httpClient(base)
        .build()) {
      OkHttpClient http = mesh.newOkHttpClient();
      try (Response r = http.newCall(new Request.Builder().url("http://" + SERVICE + "/items").build()).execute()) {
        assertThat(r.code()).as("an application call over TLS with the application's trust").isEqualTo(200);
      }
      assertThat(appRequests.get()).isEqualTo(1);

      ResilienceView view = mesh.resilience(SERVICE);
      // Checks that cannot reach the server (a failed handshake) eject: stop waiting at the first ejection.
      await("%d health checks received, or an ejection".formatted(ROUNDS))
          .atMost(Duration.ofSeconds(30))
          .until(() -> healthRequests.get() >= ROUNDS || view.ejections() > 0);

      assertThat(view.ejections())
          .as("ejections of the only endpoint, which answers 200 on /health over TLS the application trusts "
              + "(health checks received: %d)", healthRequests.get())
          .isZero();
      assertThat(healthRequests.get()).isGreaterThanOrEqualTo(ROUNDS);
    }
  }
}
