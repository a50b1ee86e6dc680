package io.meshsdk.core.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.testing.tls.TestCa;
import io.meshsdk.testing.tls.TestCa.KeyFormat;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rotation under load: 4 threads call {@code http://orders/} through the mesh (mutual TLS, retries off, every 5th
 * response closes its connection so that new handshakes keep happening) while, for 60 s, the client's and the
 * server's leaf certificates are replaced every 3 s and the CA is rotated twice the way an operator does it (bundle
 * old+new; then leaves from the new CA; then bundle new only). The files are written as a kubelet or SPIRE helper
 * writes them (key first, then the chain, each replaced atomically) and picked up by polling. Not one call may fail,
 * and the new certificates must actually be served.
 */
@Timeout(180)
class MtlsRotationIT {

  private static final Logger log = LoggerFactory.getLogger(MtlsRotationIT.class);
  static final String WEB = "spiffe://prod.example/ns/web/sa/frontend";
  static final String ORDERS = "spiffe://prod.example/ns/shop/sa/orders";
  static final int TICKS = 20; // x 3 s = 60 s
  static final long TICK_MILLIS = 3000;

  @TempDir
  Path dir;

  @Test
  void rotatingLeavesAndCasUnderLoadFailsNoCall() throws Exception {
    List<TestCa> cas = List.of(TestCa.root("ca-1"), TestCa.root("ca-2"), TestCa.root("ca-3"));
    TlsConfig clientFiles = TlsFixture.files(dir.resolve("client"), cas.get(0).leaf().uri(WEB).issue(),
        cas.get(0).certificatePem(), KeyFormat.PKCS8);
    TlsConfig serverFiles = TlsFixture.files(dir.resolve("server"), cas.get(0).leaf().uri(ORDERS).issue(),
        cas.get(0).certificatePem(), KeyFormat.TRADITIONAL);
    ScheduledExecutorService rotator = Executors.newSingleThreadScheduledExecutor();
    try (WorkloadCertificates serverCerts = WorkloadCertificates.start(serverFiles);
        WorkloadCertificates clientCerts = WorkloadCertificates.start(clientFiles);
        TlsFixture.Server server = new TlsFixture.Server(serverCerts, true, 5);
        Mesh mesh = Mesh.builder()
            .discovery(StaticServiceDiscovery.of(Endpoint.of("orders", "127.0.0.1", server.port())))
            .config(MeshConfig.builder().service("orders", s -> s.set("tls.mode", "mtls")
                .set("tls.identity", ORDERS).set("retry.enabled", "false")).build())
            .tls(clientCerts)
            .drainDelay(Duration.ZERO)
            .build()) {
      OkHttpClient http = mesh.newOkHttpClient();
      Set<String> serverSerials = ConcurrentHashMap.newKeySet();
      List<String> failures = new CopyOnWriteArrayList<>();
      AtomicLong calls = new AtomicLong();
      AtomicBoolean stop = new AtomicBoolean();
      CountDownLatch loadDone = new CountDownLatch(4);
      for (int t = 0; t < 4; t++) {
        Thread load = new Thread(() -> {
          try {
            while (!stop.get()) {
              try (Response r = http.newCall(new Request.Builder().url("http://orders/work").build()).execute()) {
                String body = r.body().string();
                if (r.code() != 200 || !body.equals(WEB)) {
                  failures.add("status " + r.code() + " body " + body);
                }
                // the certificate the server presented on this call's connection (OkHttp's Handshake.peerCertificates()
                // is empty here: OkHttp cleans the chain with the base client's trust roots, which lack the bundle)
                String serial = r.header("x-server-serial");
                if (serial != null) {
                  serverSerials.add(serial);
                }
              } catch (Exception e) {
                failures.add(TlsFixture.messages(e));
              }
              calls.incrementAndGet();
            }
          } finally {
            loadDone.countDown();
          }
        }, "load-" + t);
        load.setDaemon(true);
        load.start();
      }

      // the operator's plan: which CA issues the leaves, and which CAs the bundles hold, at each tick
      AtomicInteger tick = new AtomicInteger();
      CountDownLatch rotated = new CountDownLatch(1);
      java.util.concurrent.Future<?> rotation = rotator.scheduleAtFixedRate(() -> {
        int i = tick.incrementAndGet();
        if (i > TICKS) {
          rotated.countDown();
          return;
        }
        int issuer = i < 6 ? 0 : i < 13 ? 1 : 2;
        List<TestCa> bundle = switch (i) {
          case 1, 2, 3 -> List.of(cas.get(0));
          case 4, 5 -> List.of(cas.get(0), cas.get(1)); // new CA trusted first...
          case 6, 7, 8 -> List.of(cas.get(0), cas.get(1)); // ...then leaves from it...
          case 9, 10 -> List.of(cas.get(1)); // ...then the old CA dropped
          case 11, 12 -> List.of(cas.get(1), cas.get(2));
          case 13, 14, 15 -> List.of(cas.get(1), cas.get(2));
          default -> List.of(cas.get(2));
        };
        String bundlePem = TestCa.pem(bundle.stream().map(TestCa::certificate).toList());
        TestCa.writeAtomically(clientFiles.trustBundle(), bundlePem);
        TestCa.writeAtomically(serverFiles.trustBundle(), bundlePem);
        cas.get(issuer).leaf().uri(WEB).issue().writeFiles(clientFiles.certificateChain(), clientFiles.privateKey(),
            KeyFormat.PKCS8);
        cas.get(issuer).leaf().uri(ORDERS).issue().writeFiles(serverFiles.certificateChain(),
            serverFiles.privateKey(), KeyFormat.TRADITIONAL);
        log.info("tick {}: leaves from {}, bundle {}; {} calls so far", i, cas.get(issuer).certificate()
            .getSubjectX500Principal().getName(), bundle.size(), calls.get());
      }, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);

      assertThat(rotated.await(120, TimeUnit.SECONDS)).isTrue();
      rotation.cancel(false);
      stop.set(true);
      assertThat(loadDone.await(30, TimeUnit.SECONDS)).isTrue();

      log.info("{} calls, {} failed; server saw {} client certificates, clients saw {} server certificates;"
          + " versions: client {}, server {}", calls.get(), failures.size(), server.clientSerials.size(),
          serverSerials.size(), clientCerts.version(), serverCerts.version());
      assertThat(failures).as("failed calls").isEmpty();
      assertThat(calls.get()).isGreaterThan(500);
      assertThat(server.clientSerials).as("client certificates the server saw").hasSizeGreaterThanOrEqualTo(15);
      assertThat(serverSerials).as("server certificates the clients saw").hasSizeGreaterThanOrEqualTo(15);
      assertThat(clientCerts.trustBundle()).containsExactly(cas.get(2).certificate());
      assertThat(serverCerts.certificateChain().get(0).getIssuerX500Principal().getName()).isEqualTo("CN=ca-3");
    } finally {
      rotator.shutdownNow();
    }
  }
}
