package io.meshsdk.core.sidecar.parity;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.sidecar.SidecarConfig;
import io.meshsdk.testing.LoopbackBackend;
import io.meshsdk.testing.sidecar.LocalSidecar;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The emitted HAProxy and nginx snippets with the installed proxies: inside a minimal full configuration they
 * pass {@code haproxy -c} and {@code nginx -t}, and a running proxy does what the SDK's config said (the rate
 * limit refuses the call over it, the retry count and the retried methods are the SDK's, the deadline header
 * bounds HAProxy's wait, nginx tries as many servers as the SDK would make attempts). Requests are sent to the
 * proxy directly with {@code Host: orders}, as the SDK's hand-off does.
 */
class PolicyParitySnippetIT {

  private static final String HAPROXY = "/usr/sbin/haproxy";
  private static final String NGINX = "/usr/sbin/nginx";

  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final OkHttpClient http = new OkHttpClient.Builder().retryOnConnectionFailure(false)
      .readTimeout(Duration.ofSeconds(10)).build();

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    http.connectionPool().evictAll();
  }

  private <T extends AutoCloseable> T closing(T c) {
    closeables.add(c);
    return c;
  }

  private static SidecarConfig sidecarAt(int port) {
    return SidecarConfig.builder().address("127.0.0.1", port).build();
  }

  private static List<String[]> variants() {
    return List.of(
        new String[0],
        new String[] {"rate-limit.permits", "7", "rate-limit.period", "2s", "bulkhead.max-concurrent-calls", "13",
            "outlier.consecutive-failures", "4", "lb.policy", "ring-hash", "lb.hash-header", "x-user",
            "timeout.call", "4s", "timeout.per-attempt", "1500ms", "retry.max-attempts", "4",
            "retry.statuses", "503,429", "health-check.enabled", "true", "health-check.path", "/healthz",
            "tls.mode", "mtls"},
        new String[] {"route.sidecar-retries", "sdk", "lb.policy", "round-robin", "outlier.enabled", "false"},
        new String[] {"retry.enabled", "false", "timeout.call", "2s", "lb.policy", "weighted"},
        new String[] {"lb.policy", "ring-hash", "lb.hash-header", "X-Tenant-Id", "outlier.consecutive-failures", "0", "retry.non-idempotent", "true",
            "rate-limit.permits", "5", "rate-limit.period", "700ms", "rate-limit.max-wait", "1s"});
  }

  @Test
  void haproxyAcceptsEveryVariant(@TempDir Path dir) throws Exception {
    int n = 0;
    for (String[] v : variants()) {
      for (List<String> servers : List.of(List.of("127.0.0.1:8081"), List.of("127.0.0.1:8081", "127.0.0.1:8082"),
          List.<String>of())) {
        for (String service : List.of("orders", "orders.v2-eu")) {
          PolicyParity p = PolicyParityTest.parity(service, sidecarAt(15001), null, servers, v);
          String cfg = "global\n  maxconn 1024\n\ndefaults\n  mode http\n  timeout connect 1s\n  timeout client 30s\n"
              + "  timeout server 30s\n\nfrontend outbound\n  bind 127.0.0.1:15001\n"
              + "  http-request set-var(txn.svc) req.hdr(host),field(1,:),lower\n"
              + "  use_backend " + p.proxyName() + " if { var(txn.svc) -m str " + p.sidecarHost() + " }\n\n"
              + p.haproxy();
          Path f = dir.resolve("h" + n++ + ".cfg");
          Files.writeString(f, cfg, StandardCharsets.UTF_8);
          Run r = run(List.of(HAPROXY, "-c", "-f", f.toString()));
          assertThat(r.exit).as(cfg + "\n" + r.output).isZero();
          assertThat(r.output).as(cfg).doesNotContain("[WARNING]").doesNotContain("[ALERT]");
        }
      }
    }
  }

  @Test
  void nginxAcceptsEveryVariant(@TempDir Path dir) throws Exception {
    int n = 0;
    for (String[] v : variants()) {
      for (String service : List.of("orders", "orders.v2-eu")) {
        PolicyParity p = PolicyParityTest.parity(service, sidecarAt(15001), null,
            List.of("127.0.0.1:8081", "127.0.0.1:8082"), v);
        Path prefix = Files.createDirectories(dir.resolve("n" + n++));
        String run = prefix.toString();
        String cfg = "pid " + run + "/nginx.pid;\nerror_log " + run + "/error.log warn;\n"
            + "events { worker_connections 64; }\nhttp {\n  access_log off;\n"
            + "  client_body_temp_path " + run + "/cb;\n  proxy_temp_path " + run + "/p;\n"
            + "  fastcgi_temp_path " + run + "/f;\n  uwsgi_temp_path " + run + "/u;\n  scgi_temp_path " + run + "/s;\n"
            + p.nginx() + "}\n";
        Path f = prefix.resolve("nginx.conf");
        Files.writeString(f, cfg, StandardCharsets.UTF_8);
        Run r = run(List.of(NGINX, "-t", "-p", run, "-c", f.toString(), "-e", run + "/error.log"));
        assertThat(r.exit).as(cfg + "\n" + r.output).isZero();
        assertThat(r.output).as(cfg).contains("test is successful").doesNotContain("[warn]");
      }
    }
  }

  @Test
  void haproxyRateLimitRefusesTheCallOverIt() throws IOException {
    LoopbackBackend backend = closing(LoopbackBackend.start("orders-1"));
    PolicyParity p = PolicyParityTest.parity("orders", null, null, List.of(backend.host() + ":" + backend.port()),
        "rate-limit.permits", "3", "rate-limit.period", "1m", "retry.enabled", "false");
    LocalSidecar haproxy = closing(LocalSidecar.haproxy().extraConfig(p.haproxy()).backendFor("orders",
        p.proxyName()).start());
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      statuses.add(get(haproxy, "orders"));
    }
    assertThat(statuses).containsExactly(200, 200, 200, 429, 429);
    assertThat(backend.requests()).isEqualTo(3);
  }

  @Test
  void haproxyRetriesAsTheSdkWould() throws IOException {
    LoopbackBackend backend = closing(LoopbackBackend.start("orders-1").mode(LoopbackBackend.failing(503)));
    List<String> servers = List.of(backend.host() + ":" + backend.port());
    PolicyParity sidecarRetries = PolicyParityTest.parity("orders", null, null, servers, "outlier.enabled", "false");
    PolicyParity sdkRetries = PolicyParityTest.parity("billing", null, null, servers, "outlier.enabled", "false",
        "route.sidecar-retries", "sdk");
    LocalSidecar haproxy = closing(LocalSidecar.haproxy()
        .extraConfig(sidecarRetries.haproxy()).backendFor("orders", sidecarRetries.proxyName())
        .extraConfig(sdkRetries.haproxy()).backendFor("billing", sdkRetries.proxyName())
        .start());
    assertThat(get(haproxy, "orders")).isEqualTo(503);
    assertThat(backend.requests()).as("retry.max-attempts=3: the first and 2 retries").isEqualTo(3);
    backend.resetCounters();
    assertThat(post(haproxy, "orders")).isEqualTo(503);
    assertThat(backend.requests()).as("POST is not retried (retry.non-idempotent=false)").isEqualTo(1);
    backend.resetCounters();
    assertThat(get(haproxy, "billing")).isEqualTo(503);
    assertThat(backend.requests()).as("route.sidecar-retries=sdk: the sidecar makes one attempt").isEqualTo(1);
  }

  @Test
  void haproxyHonoursTheDeadlineHeader() throws IOException {
    LoopbackBackend backend = closing(LoopbackBackend.start("orders-1").mode(LoopbackBackend.slow(1500)));
    PolicyParity p = PolicyParityTest.parity("orders", null, null, List.of(backend.host() + ":" + backend.port()),
        "retry.enabled", "false", "outlier.enabled", "false");
    LocalSidecar haproxy = closing(LocalSidecar.haproxy().extraConfig(p.haproxy()).backendFor("orders",
        p.proxyName()).start());
    assertThat(send(haproxy, "orders", "GET", "100")).as("x-mesh-deadline-ms: 100 < the backend's 1.5 s")
        .isEqualTo(504);
    assertThat(send(haproxy, "orders", "GET", null)).as("no deadline: the defaults' 30 s").isEqualTo(200);
  }

  @Test
  void nginxTriesAsManyServersAsTheSdkWouldMakeAttempts() throws IOException {
    List<LoopbackBackend> backends = new ArrayList<>();
    List<String> servers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      LoopbackBackend b = closing(LoopbackBackend.start("orders-" + i).mode(LoopbackBackend.failing(503)));
      backends.add(b);
      servers.add(b.host() + ":" + b.port());
    }
    LocalSidecar nginx = LocalSidecar.nginx();
    int port = nginx.reservePort();
    PolicyParity p = PolicyParityTest.parity("orders", sidecarAt(port), null, servers,
        "retry.max-attempts", "2", "outlier.enabled", "false");
    closing(nginx.extraConfig(p.nginx()).start());
    assertThat(get(nginx, "orders")).isEqualTo(503);
    assertThat(backends.stream().mapToLong(LoopbackBackend::requests).sum())
        .as("proxy_next_upstream_tries 2 (retry.max-attempts=2)").isEqualTo(2);
  }

  @Test
  void nginxRateLimitRefusesTheCallOverIt() throws IOException {
    LoopbackBackend backend = closing(LoopbackBackend.start("orders-1"));
    LocalSidecar nginx = LocalSidecar.nginx();
    int port = nginx.reservePort();
    PolicyParity p = PolicyParityTest.parity("orders", sidecarAt(port), null,
        List.of(backend.host() + ":" + backend.port()), "rate-limit.permits", "3", "rate-limit.period", "1m");
    closing(nginx.extraConfig(p.nginx()).start());
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      statuses.add(get(nginx, "orders"));
    }
    assertThat(statuses).containsExactly(200, 200, 200, 429, 429);
    assertThat(backend.requests()).isEqualTo(3);
  }

  private int get(LocalSidecar sidecar, String host) throws IOException {
    return send(sidecar, host, "GET", null);
  }

  private int post(LocalSidecar sidecar, String host) throws IOException {
    return send(sidecar, host, "POST", null);
  }

  private int send(LocalSidecar sidecar, String host, String method, String deadlineMs) throws IOException {
    Request.Builder rb = new Request.Builder().url("http://127.0.0.1:" + sidecar.port() + "/items").header("Host", host)
        .method(method, method.equals("POST") ? RequestBody.create("{}", MediaType.get("application/json")) : null);
    if (deadlineMs != null) {
      rb.header("x-mesh-deadline-ms", deadlineMs);
    }
    try (Response r = http.newCall(rb.build()).execute()) {
      return r.code();
    }
  }

  private record Run(int exit, String output) {}

  private static Run run(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return new Run(-1, out + "\n(timed out)");
    }
    return new Run(p.exitValue(), out);
  }
}
