package io.meshsdk.core.resilience;

import io.meshsdk.core.inbound.InboundRequests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.endpoint.EndpointState;
import io.meshsdk.core.observe.CallInfo;
import io.meshsdk.core.observe.CallObserver;
import io.meshsdk.core.observe.MeshEvent;
import io.meshsdk.core.observe.EndpointStateChange;
import io.meshsdk.core.observe.MeshObserver;
import io.meshsdk.testing.LoopbackBackend;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The resilience policies end to end, against real HTTP servers on 127.0.0.1 with fault modes. */
class ResilienceIT {

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final ConcurrentLinkedQueue<MeshEvent> events = new ConcurrentLinkedQueue<>();

  @AfterEach
  void tearDown() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private LoopbackBackend backend(String name, long seed) {
    LoopbackBackend b = LoopbackBackend.start(name, seed);
    toClose.add(b);
    return b;
  }

  private Mesh mesh(TestTicker ticker, String service, Map<String, String> props, int... ports) {
    List<Endpoint> eps = new ArrayList<>();
    for (int p : ports) {
      eps.add(Endpoint.of(service, "127.0.0.1", p));
    }
    Map<String, String> all = new java.util.HashMap<>();
    all.put("mesh.services." + service + ".lb.policy", "round-robin");
    props.forEach((k, v) -> all.put("mesh.services." + service + "." + k, v));
    MeshObserver recorder = new MeshObserver() {
      @Override
      public CallObserver onCallStart(CallInfo call) {
        return new CallObserver() {
          @Override
          public void onEvent(MeshEvent event, String detail) {
            events.add(event);
          }
        };
      }
    };
    Mesh mesh = Mesh.builder()
        .discovery(StaticServiceDiscovery.of(eps.toArray(new Endpoint[0])))
        .config(MeshConfig.fromProperties(all))
        .ticker(ticker)
        .observer(recorder)
        .build();
    toClose.add(mesh);
    return mesh;
  }

  private static ResilienceView view(Mesh mesh, String service) {
    return mesh.resilience(service);
  }

  private static int get(OkHttpClient http, String url) throws IOException {
    try (Response r = http.newCall(new Request.Builder().url(url).build()).execute()) {
      r.body().string();
      return r.code();
    }
  }

  private static int post(OkHttpClient http, String url) throws IOException {
    RequestBody body = RequestBody.create("{}", MediaType.get("application/json"));
    try (Response r = http.newCall(new Request.Builder().url(url).post(body).build()).execute()) {
      r.body().string();
      return r.code();
    }
  }

  private static long count(ConcurrentLinkedQueue<MeshEvent> events, MeshEvent e) {
    return events.stream().filter(x -> x == e).count();
  }

  @Test
  void flakyHangingAndClosedInstancesAreEjectedCallsStillSucceedAndTheyComeBack() throws Exception {
    // Three faulty instances next to three healthy ones. (With the three faulty ones alone, the half-failing
    // instance is the only one that can answer and 99.9 % would need ten attempts per call to one endpoint.)
    LoopbackBackend flaky = backend("flaky", 7).mode(LoopbackBackend.flaky(503, 0.5));
    LoopbackBackend hang = backend("hang", 8).mode(LoopbackBackend.hang());
    int closedPort = LoopbackBackend.closedPort();
    LoopbackBackend h1 = backend("h1", 11);
    LoopbackBackend h2 = backend("h2", 12);
    LoopbackBackend h3 = backend("h3", 13);
    TestTicker ticker = TestTicker.flowing();
    // Default retries (3 attempts, 20 % budget), breaker and max-ejected share (50 %); a short per-attempt
    // timeout so the hanging instance costs little, and a short failure-rate window so the test stays short.
    Mesh mesh = mesh(ticker, "inventory", Map.of(
        "timeout.per-attempt", "200ms",
        "outlier.failure-rate-window", "1s",
        "outlier.failure-rate-minimum-calls", "10",
        "outlier.base-ejection-time", "10m", // ejections outlast the run even on a slow machine
        "outlier.max-ejection-time", "1h",
        "outlier.interval", "50ms"),
        flaky.port(), h1.port(), hang.port(), h2.port(), closedPort, h3.port());
    OkHttpClient http = mesh.newOkHttpClient();

    int ok = 0;
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      try {
        int code = get(http, "http://inventory/items/" + i);
        if (code == 200) {
          ok++;
        } else {
          failures.add("#" + i + ": HTTP " + code);
        }
      } catch (IOException e) {
        failures.add("#" + i + ": " + e);
      }
    }
    assertThat(ok).as("failures: %s", failures).isGreaterThanOrEqualTo(1998);
    ResilienceView view = view(mesh, "inventory");
    assertThat(view.ejectedEndpoints()).extracting(s -> s.endpoint().port())
        .containsExactlyInAnyOrder(flaky.port(), hang.port(), closedPort);
    assertThat(view.panicMode()).isFalse();
    assertThat(view.breakerState()).isEqualTo(io.meshsdk.core.resilience.BreakerState.CLOSED);
    assertThat(view.retries()).isPositive();

    // recovery: every instance healthy again, the closed port listening
    flaky.mode(LoopbackBackend.healthy());
    hang.mode(LoopbackBackend.healthy());
    LoopbackBackend reborn = LoopbackBackend.startOnPort("reborn", 9, closedPort);
    toClose.add(reborn);
    ticker.advance(Duration.ofHours(2)); // past every ejection time; restoration needs no call
    await().atMost(Duration.ofSeconds(10)).until(() -> view.ejectedEndpoints().isEmpty());
    assertThat(view.restorations()).isGreaterThanOrEqualTo(3);
    long flakyBefore = flaky.requests();
    long hangBefore = hang.requests();
    // restored endpoints ramp up from 10 % of their share (slow start): enough calls to see each take some
    for (int i = 0; i < 400; i++) {
      assertThat(get(http, "http://inventory/after/" + i)).isEqualTo(200);
    }
    assertThat(flaky.requests()).isGreaterThan(flakyBefore);
    assertThat(hang.requests()).isGreaterThan(hangBefore);
    assertThat(reborn.requests()).isPositive();
  }

  @Test
  void retriesStayWithinTheBudgetWhenEveryInstanceFails() throws Exception {
    LoopbackBackend a = backend("a", 1).mode(LoopbackBackend.failing(503));
    LoopbackBackend b = backend("b", 2).mode(LoopbackBackend.failing(503));
    LoopbackBackend c = backend("c", 3).mode(LoopbackBackend.failing(503));
    TestTicker ticker = TestTicker.frozen(); // every call in one budget bucket: an exact bound
    Mesh mesh = mesh(ticker, "inventory", Map.of(
        "breaker.enabled", "false",
        "outlier.enabled", "false",
        "retry.backoff", "1ms",
        "retry.max-backoff", "2ms",
        "retry.budget.percent", "20",
        "retry.budget.min-per-second", "1",
        "retry.budget.window", "10s"), a.port(), b.port(), c.port());
    OkHttpClient http = mesh.newOkHttpClient();
    int calls = 100;
    for (int i = 0; i < calls; i++) {
      assertThat(get(http, "http://inventory/x")).isEqualTo(503);
    }
    long atServers = a.requests() + b.requests() + c.requests();
    long allowed = calls * 20L / 100 + 10; // 20 % of requests + 1/s × 10 s
    assertThat(atServers - calls).isEqualTo(view(mesh, "inventory").retries()).isLessThanOrEqualTo(allowed)
        .isGreaterThanOrEqualTo(allowed - 2);
    assertThat(view(mesh, "inventory").retriesDeniedByBudget()).isPositive();
    assertThat(count(events, MeshEvent.RETRY_BUDGET_EXHAUSTED)).isPositive();
  }

  @Test
  void breakerOpensRejectsWithoutNetworkHalfOpensAndClosesAfterRecovery() throws Exception {
    LoopbackBackend a = backend("a", 1).mode(LoopbackBackend.failing(503));
    TestTicker ticker = TestTicker.flowing(); // drives the breaker's open-state wait
    Mesh mesh = mesh(ticker, "inventory", Map.of(
        "retry.enabled", "false",
        "outlier.enabled", "false",
        "breaker.window-size", "10",
        "breaker.minimum-calls", "10",
        "breaker.failure-rate-threshold", "50",
        "breaker.open-wait", "30s",
        "breaker.half-open-calls", "2"), a.port());
    OkHttpClient http = mesh.newOkHttpClient();
    ResilienceView view = view(mesh, "inventory");
    for (int i = 0; i < 10; i++) {
      assertThat(get(http, "http://inventory/x")).isEqualTo(503);
    }
    assertThat(view.breakerState()).isEqualTo(io.meshsdk.core.resilience.BreakerState.OPEN);
    long before = a.requests();
    assertThatThrownBy(() -> get(http, "http://inventory/x"))
        .isInstanceOf(CircuitOpenException.class)
        .hasMessageContaining("'inventory'")
        .hasMessageContaining("OPEN");
    assertThat(a.requests()).isEqualTo(before); // no network I/O
    assertThat(view.breakerRejections()).isEqualTo(1);
    assertThat(count(events, MeshEvent.BREAKER_REJECTED)).isEqualTo(1);

    a.mode(LoopbackBackend.healthy());
    ticker.advance(Duration.ofSeconds(31));
    assertThat(get(http, "http://inventory/x")).isEqualTo(200);
    assertThat(view.breakerState()).isEqualTo(io.meshsdk.core.resilience.BreakerState.HALF_OPEN);
    assertThat(get(http, "http://inventory/x")).isEqualTo(200);
    assertThat(view.breakerState()).isEqualTo(io.meshsdk.core.resilience.BreakerState.CLOSED);
  }

  @Test
  void postIsNotRetriedOnceSentButIsRetriedAfterAConnectFailure() throws Exception {
    LoopbackBackend failing = backend("failing", 1).mode(LoopbackBackend.failing(503));
    Mesh mesh = mesh(TestTicker.flowing(), "orders", Map.of(
        "timeout.per-attempt", "200ms", "retry.backoff", "1ms", "retry.max-backoff", "2ms"), failing.port());
    OkHttpClient http = mesh.newOkHttpClient();
    assertThat(post(http, "http://orders/o")).isEqualTo(503);
    assertThat(failing.requests()).isEqualTo(1);
    assertThat(get(http, "http://orders/o")).isEqualTo(503);
    assertThat(failing.requests()).isEqualTo(1 + 3); // GET is idempotent: retried up to max-attempts

    failing.resetCounters();
    failing.mode(LoopbackBackend.hang());
    assertThatThrownBy(() -> post(http, "http://orders/o")).isInstanceOf(SocketTimeoutException.class);
    assertThat(failing.requests()).isEqualTo(1);
    failing.mode(LoopbackBackend.healthy());

    int closed = LoopbackBackend.closedPort();
    LoopbackBackend good = backend("good", 2);
    Mesh mesh2 = mesh(TestTicker.flowing(), "ledger", Map.of("retry.backoff", "1ms", "retry.max-backoff", "2ms"),
        closed, good.port());
    OkHttpClient http2 = mesh2.newOkHttpClient();
    for (int i = 0; i < 4; i++) {
      assertThat(post(http2, "http://ledger/entries")).isEqualTo(200);
    }
    assertThat(good.requests()).isEqualTo(4);
    assertThat(view(mesh2, "ledger").retries()).isPositive(); // the calls that hit the closed port were retried
  }

  @Test
  void deadlineClipsAttemptsIsSentDownstreamAndStopsRetriesThatCannotFit() throws Exception {
    LoopbackBackend a = backend("a", 1).mode(LoopbackBackend.failing(503));
    TestTicker ticker = TestTicker.frozen();
    Mesh mesh = mesh(ticker, "inventory", Map.of("timeout.per-attempt", "200ms", "timeout.call", "100ms"),
        a.port());
    OkHttpClient http = mesh.newOkHttpClient();
    // 100 ms left: no 200 ms attempt fits after the first 503, so no retry
    assertThat(get(http, "http://inventory/x")).isEqualTo(503);
    assertThat(a.requests()).isEqualTo(1);
    assertThat(a.lastHeader(Deadlines.HEADER)).isEqualTo("100");
    assertThat(view(mesh, "inventory").deadlineExceeded()).isEqualTo(1);
    assertThat(count(events, MeshEvent.DEADLINE_EXCEEDED)).isEqualTo(1);

    // an inbound deadline (e.g. set by InboundGuard) is inherited and narrower than timeout.call
    a.mode(LoopbackBackend.healthy());
    io.meshsdk.core.inbound.InboundGuard guard =
        io.meshsdk.core.inbound.InboundGuard.create(io.meshsdk.core.inbound.InboundGuardConfig.ofDefaults(), ticker);
    try (io.meshsdk.core.inbound.InboundGuard.Admission in = guard.admit(InboundRequests.from("frontend", "40"))) {
      assertThat(in.admitted()).isTrue();
      assertThat(get(http, "http://inventory/x")).isEqualTo(200); // made while serving the inbound request
    }
    assertThat(a.lastHeader(Deadlines.HEADER)).isEqualTo("40");

    // nothing left: fails before any network I/O
    long before = a.requests();
    try (Deadlines.Scope s = Deadlines.withRemaining(0, ticker)) {
      assertThatThrownBy(() -> get(http, "http://inventory/x")).isInstanceOf(DeadlineExceededException.class)
          .hasMessageContaining("'inventory'");
    }
    assertThat(a.requests()).isEqualTo(before);
  }

  @Test
  void rateLimiterRejectsAtOnceWithoutAHiddenQueue() throws Exception {
    LoopbackBackend a = backend("a", 1);
    Mesh mesh = mesh(TestTicker.flowing(), "inventory", Map.of("rate-limit.permits", "2", "rate-limit.period", "1h"),
        a.port());
    OkHttpClient http = mesh.newOkHttpClient();
    assertThat(get(http, "http://inventory/x")).isEqualTo(200);
    assertThat(get(http, "http://inventory/x")).isEqualTo(200);
    assertThatThrownBy(() -> get(http, "http://inventory/x")).isInstanceOf(RateLimitedException.class)
        .hasMessageContaining("'inventory'");
    assertThat(a.requests()).isEqualTo(2);
    assertThat(view(mesh, "inventory").rateLimitRejections()).isEqualTo(1);
    assertThat(count(events, MeshEvent.RATE_LIMITED)).isEqualTo(1);
  }

  @Test
  void bulkheadRejectsACallOverTheConcurrencyLimit() throws Exception {
    LoopbackBackend a = backend("a", 1).mode(LoopbackBackend.hang());
    Mesh mesh = mesh(TestTicker.flowing(), "inventory", Map.of("bulkhead.max-concurrent-calls", "1"), a.port());
    OkHttpClient http = mesh.newOkHttpClient();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    toClose.add(pool::shutdownNow);
    Future<Integer> first = pool.submit(() -> get(http, "http://inventory/slow"));
    await().atMost(Duration.ofSeconds(5)).until(() -> a.requests() == 1);
    assertThatThrownBy(() -> get(http, "http://inventory/x")).isInstanceOf(BulkheadFullException.class)
        .hasMessageContaining("'inventory'");
    assertThat(a.requests()).isEqualTo(1);
    assertThat(view(mesh, "inventory").bulkheadRejections()).isEqualTo(1);
    a.mode(LoopbackBackend.healthy());
    assertThat(first.get()).isEqualTo(200);
    assertThat(get(http, "http://inventory/x")).isEqualTo(200);
  }

  @Test
  void ejectionNotifiesTheObserverAndRebuildsThePicker() throws Exception {
    LoopbackBackend good = backend("good", 1);
    LoopbackBackend bad = backend("bad", 2).mode(LoopbackBackend.failing(500));
    List<String> changes = new java.util.concurrent.CopyOnWriteArrayList<>();
    Mesh mesh = Mesh.builder()
        .discovery(StaticServiceDiscovery.of(Endpoint.of("inventory", "127.0.0.1", good.port()),
            Endpoint.of("inventory", "127.0.0.1", bad.port())))
        .config(MeshConfig.fromProperties(Map.of("mesh.services.inventory.lb.policy", "round-robin",
            "mesh.services.inventory.outlier.consecutive-failures", "3")))
        .observer(new MeshObserver() {
          @Override
          public CallObserver onCallStart(CallInfo call) {
            return CallObserver.NOOP;
          }

          @Override
          public void onEndpointStateChanged(EndpointState endpoint, EndpointStateChange change) {
            changes.add(endpoint.endpoint().port() + (change.ejected() ? " out" : " in"));
          }
        })
        .build();
    toClose.add(mesh);
    OkHttpClient http = mesh.newOkHttpClient();
    for (int i = 0; i < 6; i++) {
      get(http, "http://inventory/x"); // 500 is not retryable by default: returned as is
    }
    // the ejection and the picker rebuild happen on the mesh's control thread, never on the caller's
    await().atMost(Duration.ofSeconds(5)).until(() -> !changes.isEmpty());
    assertThat(changes).containsExactly(bad.port() + " out");
    long badBefore = bad.requests();
    for (int i = 0; i < 10; i++) {
      assertThat(get(http, "http://inventory/x")).isEqualTo(200);
    }
    assertThat(bad.requests()).isEqualTo(badBefore);
  }

  @Test
  void activeHealthCheckEjectsAnUnhealthyEndpointAndRestoresItWhenItPassesAgain() throws Exception {
    LoopbackBackend a = backend("a", 1);
    LoopbackBackend b = backend("b", 2);
    Mesh mesh = mesh(TestTicker.flowing(), "inventory", Map.of(
        "outlier.enabled", "false",
        "health-check.enabled", "true",
        "health-check.path", "/healthz",
        "health-check.interval", "50ms",
        "health-check.jitter", "0",
        "health-check.unhealthy-threshold", "2",
        "health-check.healthy-threshold", "2"), a.port(), b.port());
    ResilienceView view = view(mesh, "inventory");
    b.mode(LoopbackBackend.failing(503));
    await().atMost(Duration.ofSeconds(10)).until(() -> !view.ejectedEndpoints().isEmpty());
    assertThat(view.ejectedEndpoints()).extracting(s -> s.endpoint().port()).containsExactly(b.port());
    OkHttpClient http = mesh.newOkHttpClient();
    long bBefore = b.requests();
    for (int i = 0; i < 6; i++) {
      assertThat(get(http, "http://inventory/x")).isEqualTo(200);
    }
    assertThat(a.requests()).isGreaterThanOrEqualTo(6);
    b.mode(LoopbackBackend.healthy());
    await().atMost(Duration.ofSeconds(10)).until(() -> view.ejectedEndpoints().isEmpty());
    assertThat(view.restorations()).isEqualTo(1);
    assertThat(b.requests()).isGreaterThan(bBefore);
  }

  @Test
  void aRetryGoesToAnotherEndpointEvenWhenTheBalancerWouldPickTheSameOne() throws Exception {
    LoopbackBackend bad = backend("bad", 1).mode(LoopbackBackend.failing(503));
    LoopbackBackend good = backend("good", 2);
    Mesh mesh = Mesh.builder()
        .discovery(StaticServiceDiscovery.of(Endpoint.of("inventory", "127.0.0.1", bad.port()),
            Endpoint.of("inventory", "127.0.0.1", good.port())))
        .config(MeshConfig.fromProperties(Map.of( // default balancer: least-request P2C, which favours the fast 503s
            "mesh.services.inventory.outlier.enabled", "false",
            "mesh.services.inventory.retry.backoff", "1ms",
            "mesh.services.inventory.retry.max-backoff", "2ms",
            "mesh.services.inventory.retry.budget.min-per-second", "1000")))
        .build();
    toClose.add(mesh);
    OkHttpClient http = mesh.newOkHttpClient();
    int calls = 50;
    for (int i = 0; i < calls; i++) {
      assertThat(get(http, "http://inventory/x")).isEqualTo(200);
    }
    assertThat(good.requests()).isEqualTo(calls);
    assertThat(bad.requests()).isLessThanOrEqualTo(calls); // never twice in one call
    assertThat(mesh.resilience("inventory").retries()).isEqualTo(bad.requests());
  }
}
