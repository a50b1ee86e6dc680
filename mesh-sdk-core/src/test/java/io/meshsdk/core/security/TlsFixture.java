package io.meshsdk.core.security;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.meshsdk.testing.tls.TestCa;
import io.meshsdk.testing.tls.TestCa.KeyFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLParameters;

/** Test helpers: workload files in a directory, and a real HTTPS server on loopback requiring client certificates. */
final class TlsFixture {

  private TlsFixture() {}

  /** Writes {@code leaf} and {@code bundlePem} under {@code dir}; a config with a short refresh interval. */
  static TlsConfig files(Path dir, TestCa.Issued leaf, String bundlePem, KeyFormat format) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    TlsConfig c = TlsConfig.builder().certificateChain(dir.resolve("tls.crt")).privateKey(dir.resolve("tls.key"))
        .trustBundle(dir.resolve("ca.crt")).refreshInterval(Duration.ofMillis(100)).build();
    leaf.writeFiles(c.certificateChain(), c.privateKey(), format);
    TestCa.writeAtomically(c.trustBundle(), bundlePem);
    return c;
  }

  /**
   * An HTTPS server on 127.0.0.1 with {@code certs.serverContext()}: need-client-auth (or want, when
   * {@code requireClientCertificate} is false); answers 200 with the client's SPIFFE id ("anonymous" without a
   * certificate). {@code closeEvery} > 0: every Nth response carries {@code Connection: close} (new handshakes).
   */
  static final class Server implements AutoCloseable {
    final HttpsServer http;
    final ExecutorService pool = Executors.newFixedThreadPool(8);
    final AtomicInteger handled = new AtomicInteger();
    final AtomicLong responses = new AtomicLong();
    final Set<String> clientSerials = ConcurrentHashMap.newKeySet();

    Server(WorkloadCertificates certs, boolean requireClientCertificate, int closeEvery) {
      try {
        http = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      http.setHttpsConfigurator(new HttpsConfigurator(certs.serverContext()) {
        @Override
        public void configure(HttpsParameters params) {
          SSLParameters p = getSSLContext().getDefaultSSLParameters();
          if (requireClientCertificate) {
            p.setNeedClientAuth(true);
          } else {
            p.setWantClientAuth(true);
          }
          params.setSSLParameters(p);
        }
      });
      http.createContext("/", exchange -> {
        handled.incrementAndGet();
        String who = "anonymous";
        try {
          X509Certificate leaf = (X509Certificate) ((HttpsExchange) exchange).getSSLSession()
              .getPeerCertificates()[0];
          who = SpiffeId.fromCertificate(leaf).map(SpiffeId::toString).orElse("no-spiffe-id");
          clientSerials.add(leaf.getSerialNumber().toString(16));
        } catch (IOException e) {
          // no client certificate
        }
        java.security.cert.Certificate[] served = ((HttpsExchange) exchange).getSSLSession().getLocalCertificates();
        if (served != null && served.length > 0) {
          exchange.getResponseHeaders().add("x-server-serial",
              ((X509Certificate) served[0]).getSerialNumber().toString(16));
        }
        byte[] body = who.getBytes(StandardCharsets.UTF_8);
        if (closeEvery > 0 && responses.incrementAndGet() % closeEvery == 0) {
          exchange.getResponseHeaders().add("Connection", "close");
        }
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
      });
      http.setExecutor(pool);
      http.start();
    }

    int port() {
      return http.getAddress().getPort();
    }

    @Override
    public void close() {
      http.stop(0);
      pool.shutdownNow();
    }
  }

  /** The messages of {@code t} and its causes, joined. */
  static String messages(Throwable t) {
    StringBuilder sb = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      sb.append(c.getClass().getSimpleName()).append(": ").append(c.getMessage()).append(" <- ");
      for (Throwable s : c.getSuppressed()) {
        sb.append("[suppressed ").append(messages(s)).append("] ");
      }
    }
    return sb.toString();
  }
}
