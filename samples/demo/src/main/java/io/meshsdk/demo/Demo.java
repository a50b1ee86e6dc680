package io.meshsdk.demo;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.FileServiceDiscovery;
import io.meshsdk.core.endpoint.EndpointState;
import io.meshsdk.core.resilience.BreakerState;
import io.meshsdk.core.resilience.ResilienceView;
import io.meshsdk.core.sidecar.SidecarConfig;
import io.meshsdk.testing.LoopbackBackend;
import io.meshsdk.testing.sidecar.LocalSidecar;
import io.meshsdk.tracing.MeshTracing;
import io.meshsdk.tracing.SemanticAttributes;
import io.meshsdk.tracing.SpanTrees;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * A self-contained tour of mesh-sdk on embedded defaults: real HTTP backends on 127.0.0.1, discovery from a
 * file, load balancing with outlier ejection and retries, a circuit breaker, a rate limiter, a trace, and a
 * handoff to a real sidecar (HAProxy or nginx when installed, else the fallback to direct calls).
 *
 * <p>Run: {@code java -jar samples/demo/target/mesh-demo.jar [--seconds N]} (N s of load-balancing traffic,
 * default 10; the whole tour takes about N + 15 s).
 */
public final class Demo {

  private Demo() {}

  /** Entry point. */
  public static void main(String[] args) throws Exception {
    int seconds = 10;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--seconds") && i + 1 < args.length) {
        seconds = Integer.parseInt(args[++i]);
        if (seconds < 1 || seconds > 30) {
          throw new IllegalArgumentException("--seconds: " + seconds + " (expected: 1-30)");
        }
      } else {
        throw new IllegalArgumentException("unknown argument '" + args[i] + "' (expected: --seconds N)");
      }
    }
    run(Duration.ofSeconds(seconds));
  }

  static void run(Duration trafficTime) throws Exception {
    Path dir = Files.createTempDirectory("mesh-demo");
    List<LoopbackBackend> backends = new ArrayList<>();
    LocalSidecar sidecar = null;
    try {
      LoopbackBackend healthy = add(backends, LoopbackBackend.start("inventory-healthy", 1));
      LoopbackBackend slow = add(backends, LoopbackBackend.start("inventory-slow", 2).mode(LoopbackBackend.slow(25)));
      LoopbackBackend flaky = add(backends,
          LoopbackBackend.start("inventory-flaky", 3).mode(LoopbackBackend.flaky(503, 0.5)));
      LoopbackBackend pay1 = add(backends, LoopbackBackend.start("payments-1", 4));
      LoopbackBackend pay2 = add(backends, LoopbackBackend.start("payments-2", 5));
      LoopbackBackend pricing = add(backends, LoopbackBackend.start("pricing-1", 6));
      LoopbackBackend catalogBad = add(backends,
          LoopbackBackend.start("catalog-broken", 7).mode(LoopbackBackend.failing(503)));
      LoopbackBackend catalogGood = add(backends, LoopbackBackend.start("catalog-ok", 8));
      LoopbackBackend orders1 = add(backends, LoopbackBackend.start("orders-1", 9));
      LoopbackBackend orders2 = add(backends, LoopbackBackend.start("orders-2", 10));

      title("1. Discovery");
      Path file = dir.resolve("endpoints.txt");
      Files.writeString(file, String.join("\n",
          "# service  address            attributes",
          line("inventory", healthy, "id=inventory-healthy zone=z1"),
          line("inventory", slow, "id=inventory-slow zone=z1"),
          line("inventory", flaky, "id=inventory-flaky zone=z2"),
          line("payments", pay1, ""),
          line("payments", pay2, ""),
          line("pricing", pricing, ""),
          line("catalog", catalogBad, "id=catalog-broken"),
          line("catalog", catalogGood, "id=catalog-ok"),
          line("orders", orders1, ""),
          line("orders", orders2, ""),
          "end",
          ""));
      say("Ten real HTTP servers on 127.0.0.1 play five services. The mesh reads them from a plain text file");
      say("(re-read when it changes; a bad edit keeps the last good endpoints; the 'end' line says the file is");
      say("complete, so a half-written file never removes anything):");
      Files.readAllLines(file).forEach(l -> say("    " + l));

      sidecar = LocalSidecar.firstInstalled();
      SidecarConfig sidecarConfig;
      if (sidecar != null) {
        sidecar.routeToPorts("orders", orders1.port(), orders2.port()).start();
        sidecarConfig = SidecarConfig.builder().address(sidecar.host(), sidecar.port())
            .readyUrl(sidecar.readyUrl()).probeInterval(Duration.ofMillis(100)).build();
      } else {
        int nothing = LoopbackBackend.closedPort();
        sidecarConfig = SidecarConfig.builder().address("127.0.0.1", nothing)
            .readyUrl("http://127.0.0.1:" + nothing + "/ready").probeInterval(Duration.ofMillis(100)).build();
      }

      Map<String, String> props = new LinkedHashMap<>();
      props.put("mesh.services.inventory.outlier.consecutive-failures", "3");
      props.put("mesh.services.inventory.outlier.base-ejection-time", "2s"); // 2 s, then 4 s, 6 s...
      props.put("mesh.services.payments.retry.enabled", "false");
      props.put("mesh.services.payments.outlier.enabled", "false");
      props.put("mesh.services.payments.breaker.window-size", "20");
      props.put("mesh.services.payments.breaker.minimum-calls", "10");
      props.put("mesh.services.payments.breaker.failure-rate-threshold", "50");
      props.put("mesh.services.payments.breaker.open-wait", "1s");
      props.put("mesh.services.payments.breaker.half-open-calls", "2");
      props.put("mesh.services.pricing.rate-limit.permits", "20");
      props.put("mesh.services.pricing.rate-limit.period", "1s");
      props.put("mesh.services.catalog.lb.policy", "round-robin");
      props.put("mesh.services.catalog.outlier.enabled", "false");
      props.put("mesh.services.orders.route.mode", "direct");

      CollectingSpanExporter spans = new CollectingSpanExporter();
      try (FileServiceDiscovery discovery = FileServiceDiscovery.watching(file, Duration.ofMillis(200));
          MeshTracing tracing = MeshTracing.builder().serviceName("demo-caller")
              .addSpanProcessor(SimpleSpanProcessor.create(spans)).build();
          Mesh mesh = Mesh.builder()
              .discovery(discovery)
              .config(MeshConfig.fromProperties(props))
              .sidecar(sidecarConfig)
              .observer(tracing.observer())
              .build()) {
        OkHttpClient http = mesh.newOkHttpClient();
        say("");
        say("The application calls logical URLs such as http://inventory/items/42; 'inventory' resolved to:");
        for (EndpointState s : mesh.endpoints("inventory").states()) {
          say("    " + s.endpoint());
        }

        loadBalancing(mesh, http, trafficTime);
        breaker(mesh, http, pay1, pay2);
        rateLimit(mesh, http);
        tracing(http, spans);
        sidecar(mesh, http, props, sidecar, orders1, orders2);
        explain(mesh);
      }
    } finally {
      if (sidecar != null) {
        sidecar.close();
      }
      backends.forEach(LoopbackBackend::close);
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    title("Done");
  }

  private static void explain(Mesh mesh) {
    title("7. What the mesh sees now");
    say("Mesh.snapshot(): per service, every endpoint and why it is (or is not) in rotation, the breaker, panic");
    say("and last-known-good; read-only, for an admin page or an actuator:");
    mesh.snapshot().render().lines().forEach(l -> say("    " + l));
  }

  private static void loadBalancing(Mesh mesh, OkHttpClient http, Duration trafficTime) throws Exception {
    title("2. Load balancing, outlier ejection and retries (service 'inventory')");
    say("Defaults: least-request (power of two choices over peak-EWMA latency), retries of idempotent calls");
    say("on 5xx/connect errors (3 attempts, 20 % retry budget), passive outlier ejection. One instance takes");
    say("25 ms per call, one answers 503 to half of its calls. " + trafficTime.toSeconds()
        + " s of traffic from 4 threads...");
    Traffic t = Traffic.run(http, () -> new Request.Builder().url("http://inventory/items/42").build(), 4,
        trafficTime, 200_000);
    System.out.print(t.table());
    ResilienceView r = mesh.resilience("inventory");
    say("");
    say(String.format(Locale.ROOT, "What the mesh did: %d retries (%d refused by the budget), %d ejection(s), "
        + "%d restoration(s); ejected now: %s.", r.retries(), r.retriesDeniedByBudget(), r.ejections(),
        r.restorations(), r.ejectedEndpoints().stream().map(s -> s.endpoint().id()).toList()));
    say("Per endpoint (cost = latency EWMA x (in-flight + 1)):");
    for (EndpointState s : mesh.endpoints("inventory").states()) {
      say(String.format(Locale.ROOT, "    %-20s ewma %7.2f ms  ok %6d  failed %5d  %s", s.endpoint().id(),
          s.ewmaNanos() / 1e6, s.successes(), s.failures(), s.isEjected() ? "EJECTED" : "in rotation"));
    }
    say("(The EWMA is a *peak* EWMA: a slow sample counts at once, fast ones pull it down with a 10 s time");
    say("constant, so the first calls' connection set-up still shows in it; what matters is the comparison.)");
    say("Why: every call compares two random endpoints and takes the cheaper, so the 25 ms instance loses");
    say("nearly every comparison; the flaky instance's 503s were retried on another instance (callers saw");
    say("200s), and after 3 failures in a row it was ejected for 2 s x times ejected (outlier.base-ejection-time),");
    say("then let back in on probation with a slow-start ramp, and ejected again while it kept failing.");
  }

  private static void breaker(Mesh mesh, OkHttpClient http, LoopbackBackend pay1, LoopbackBackend pay2)
      throws Exception {
    title("3. Circuit breaker (service 'payments': window 20 calls, opens at 50 % failures, waits 1 s)");
    Map<String, Integer> before = outcomes(http, "http://payments/charge", 10);
    say("Healthy:            10 calls -> " + before + ", breaker " + mesh.resilience("payments").breakerState());
    pay1.mode(LoopbackBackend.failing(503));
    pay2.mode(LoopbackBackend.failing(503));
    long served = pay1.requests() + pay2.requests();
    Map<String, Integer> failing = outcomes(http, "http://payments/charge", 30);
    long reached = pay1.requests() + pay2.requests() - served;
    say("Both instances 503: 30 calls -> " + failing + ", breaker " + mesh.resilience("payments").breakerState());
    say("                    only " + reached + " of them reached a server: once open, the breaker refused the"
        + " rest at once (" + mesh.resilience("payments").breakerRejections() + " CircuitOpenException).");
    pay1.mode(LoopbackBackend.healthy());
    pay2.mode(LoopbackBackend.healthy());
    long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    Map<String, Integer> recovery = new TreeMap<>();
    while (mesh.resilience("payments").breakerState() != BreakerState.CLOSED && System.nanoTime() < until) {
      outcomes(http, "http://payments/charge", 1).forEach((k, v) -> recovery.merge(k, v, Integer::sum));
      Thread.sleep(100); // pacing the demo's calls while the breaker waits out its open state
    }
    say("Recovered:          calls while waiting -> " + recovery + "; after 1 s the breaker let "
        + "trial calls through (HALF_OPEN), they passed, breaker " + mesh.resilience("payments").breakerState());
  }

  private static void rateLimit(Mesh mesh, OkHttpClient http) throws IOException {
    title("4. Outbound rate limiting (service 'pricing': 20 calls per second, fail fast)");
    Map<String, Integer> burst = outcomes(http, "http://pricing/quote", 60);
    say("A burst of 60 calls -> " + burst);
    say("The limiter let 20 through and refused " + mesh.resilience("pricing").rateLimitRejections()
        + " at once with RateLimitedException: no hidden queue, no network I/O for refused calls.");
  }

  private static void tracing(OkHttpClient http, CollectingSpanExporter spans) throws IOException {
    title("5. Tracing (OpenTelemetry; service 'catalog' has one broken instance, round-robin)");
    for (int i = 0; i < 2; i++) {
      try (Response r = http.newCall(new Request.Builder().url("http://catalog/products/7").build()).execute()) {
        r.body().bytes();
      }
    }
    Map<String, List<SpanData>> byTrace = spans.spans().stream()
        .collect(Collectors.groupingBy(SpanData::getTraceId, LinkedHashMap::new, Collectors.toList()));
    List<SpanData> retried = byTrace.values().stream()
        .filter(l -> l.stream().anyMatch(s -> "catalog".equals(s.getAttributes().get(SemanticAttributes.MESH_SERVICE))))
        .filter(l -> l.stream().filter(s -> s.getKind() == io.opentelemetry.api.trace.SpanKind.CLIENT).count() > 1)
        .findFirst()
        .orElse(List.of());
    if (retried.isEmpty()) {
      say("(no retried catalog call was traced)");
      return;
    }
    say("Every attempt is one CLIENT span (HTTP semantic conventions), a retry marked resend=N; W3C traceparent");
    say("goes out with each attempt. A call whose first attempt hit the broken instance and was retried elsewhere");
    say("(no parent span here, so the first attempt starts the trace and the retry is its child):");
    System.out.print(SpanTrees.render(retried));
  }

  private static void sidecar(Mesh mesh, OkHttpClient http, Map<String, String> props, @Nullable LocalSidecar sidecar,
      LoopbackBackend orders1, LoopbackBackend orders2) throws Exception {
    title("6. Sidecar handoff (service 'orders': direct -> split:50 -> sidecar, then the sidecar dies)");
    if (sidecar != null) {
      say("A real " + sidecar.name() + " listens on " + sidecar.host() + ":" + sidecar.port()
          + " as the local sidecar (routing by Host header to the orders instances).");
      waitFor(() -> mesh.sidecarBridge().isReady(), Duration.ofSeconds(5));
    } else {
      say("Neither HAProxy nor nginx is installed (apt-get install haproxy): the sidecar address has nothing");
      say("listening, so the bridge reports NOT READY and every sidecar-routed call goes direct (fail-open).");
    }
    for (String mode : List.of("split:50", "sidecar")) {
      props.put("mesh.services.orders.route.mode", mode);
      mesh.reconfigure(MeshConfig.fromProperties(props));
      Map<String, Integer> via = viaCounts(http, 200);
      say(String.format(Locale.ROOT, "route.mode=%-9s 200 calls -> %s", mode, via));
    }
    if (sidecar != null) {
      sidecar.kill();
      Map<String, Integer> via = viaCounts(http, 200);
      say("sidecar killed:      200 calls -> " + via + " (refused connections retried direct once; the");
      say("                     probe marks the sidecar NOT READY and the rest go direct)");
      sidecar.restart();
      waitFor(() -> mesh.sidecarBridge().isReady(), Duration.ofSeconds(5));
      say("sidecar restarted:   200 calls -> " + viaCounts(http, 200));
    }
    say("");
    say("Migration report (last minute, per path) - what an operator compares before the next step:");
    System.out.print(mesh.migrationReport().render());
    say("orders-1 and orders-2 served " + (orders1.requests() + orders2.requests()) + " requests in all.");
  }

  private static Map<String, Integer> viaCounts(OkHttpClient http, int calls) {
    Map<String, Integer> m = new TreeMap<>();
    for (int i = 0; i < calls; i++) {
      Request req = new Request.Builder().url("http://orders/orders/" + i).header("x-user", "u" + i).build();
      try (Response r = http.newCall(req).execute()) {
        r.body().bytes();
        String path = r.header(LocalSidecar.VIA_HEADER) != null ? "via sidecar" : "direct";
        m.merge(r.code() == 200 ? path : path + " " + r.code(), 1, Integer::sum);
      } catch (IOException e) {
        m.merge("failed: " + e.getClass().getSimpleName(), 1, Integer::sum);
      }
    }
    return m;
  }

  private static Map<String, Integer> outcomes(OkHttpClient http, String url, int calls) {
    Map<String, Integer> m = new TreeMap<>();
    for (int i = 0; i < calls; i++) {
      try (Response r = http.newCall(new Request.Builder().url(url).build()).execute()) {
        r.body().bytes();
        m.merge(String.valueOf(r.code()), 1, Integer::sum);
      } catch (IOException e) {
        m.merge(e.getClass().getSimpleName(), 1, Integer::sum);
      }
    }
    return m;
  }

  private static void waitFor(java.util.function.BooleanSupplier condition, Duration max) throws InterruptedException {
    long until = System.nanoTime() + max.toNanos();
    while (!condition.getAsBoolean() && System.nanoTime() < until) {
      Thread.sleep(20); // the demo waits for the sidecar probe; bounded
    }
  }

  private static LoopbackBackend add(List<LoopbackBackend> all, LoopbackBackend b) {
    all.add(b);
    return b;
  }

  private static String line(String service, LoopbackBackend b, String attrs) {
    return String.format(Locale.ROOT, "%-9s  %-17s  %s", service, b.host() + ":" + b.port(), attrs).stripTrailing();
  }

  static void title(String t) {
    System.out.println();
    System.out.println("== " + t + " " + "=".repeat(Math.max(0, 100 - t.length())));
  }

  static void say(String s) {
    System.out.println(s);
  }
}
