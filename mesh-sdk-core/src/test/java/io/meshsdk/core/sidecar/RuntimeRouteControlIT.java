package io.meshsdk.core.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.endpoint.EndpointState;
import io.meshsdk.core.resilience.BreakerState;
import io.meshsdk.core.snapshot.EndpointSnapshot;
import io.meshsdk.testing.LoopbackBackend;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Run-time route control ({@code Mesh.route}) and sidecar replacement ({@code Mesh.sidecar}) with loopback servers
 * standing in for the sidecars (TCP readiness): only the route changes, breaker and ejection state stay, calls in
 * flight finish where they started, and every change is in the bounded transition log.
 */
class RuntimeRouteControlIT {

  private LoopbackBackend good;
  private LoopbackBackend bad;
  private LoopbackBackend payments;
  private LoopbackBackend sidecar1;
  private LoopbackBackend sidecar2;
  private Mesh mesh;
  private OkHttpClient http;

  @BeforeEach
  void setUp() {
    good = LoopbackBackend.start("orders-good");
    bad = LoopbackBackend.start("orders-bad").mode(LoopbackBackend.failing(503));
    payments = LoopbackBackend.start("payments-1").mode(LoopbackBackend.failing(500));
    sidecar1 = LoopbackBackend.start("sidecar-1");
    sidecar2 = LoopbackBackend.start("sidecar-2");
    mesh = Mesh.builder()
        .discovery(StaticServiceDiscovery.of(
            Endpoint.of("orders", good.host(), good.port()),
            Endpoint.of("orders", bad.host(), bad.port()),
            Endpoint.of("payments", payments.host(), payments.port())))
        .config(MeshConfig.builder()
            .service("orders", s -> s
                .set("outlier.consecutive-failures", "1")
                .set("outlier.base-ejection-time", "1h")
                .set("outlier.max-ejection-time", "1h")
                .set("breaker.enabled", "false"))
            .service("payments", s -> s
                .set("outlier.enabled", "false")
                .set("retry.enabled", "false")
                .set("breaker.window-size", "4")
                .set("breaker.minimum-calls", "2")
                .set("breaker.failure-rate-threshold", "50")
                .set("breaker.open-wait", "1h"))
            .build())
        .sidecar(tcpSidecar(sidecar1))
        .build();
    http = mesh.newOkHttpClient();
  }

  @AfterEach
  void tearDown() {
    mesh.close();
    for (LoopbackBackend b : List.of(good, bad, payments, sidecar1, sidecar2)) {
      b.close();
    }
  }

  private static SidecarConfig tcpSidecar(LoopbackBackend listener) {
    return SidecarConfig.builder()
        .address(listener.host(), listener.port())
        .readiness(ReadinessProbe.TCP)
        .probeInterval(Duration.ofMillis(50))
        .build();
  }

  private Response get(String service) throws IOException {
    return http.newCall(new Request.Builder().url("http://" + service + "/x").build()).execute();
  }

  private String backendOf(String service) throws IOException {
    try (Response r = get(service)) {
      return r.code() + " " + r.header("x-backend");
    }
  }

  private void ejectBadOrdersEndpoint() throws IOException {
    for (int i = 0; i < 20 && mesh.resilience("orders").ejectedEndpoints().isEmpty(); i++) {
      backendOf("orders");
    }
    assertThat(mesh.resilience("orders").ejectedEndpoints()).extracting(EndpointState::endpoint)
        .extracting(Endpoint::port).containsExactly(bad.port());
  }

  private void openPaymentsBreaker() throws IOException {
    for (int i = 0; i < 4 && mesh.resilience("payments").breakerState() != BreakerState.OPEN; i++) {
      backendOf("payments");
    }
    assertThat(mesh.resilience("payments").breakerState()).isEqualTo(BreakerState.OPEN);
  }

  @Test
  void aRouteChangeKeepsTheEjectedEndpointEjectedAndTheOpenBreakerOpen() throws IOException {
    ejectBadOrdersEndpoint();
    openPaymentsBreaker();
    var ordersView = mesh.resilience("orders");
    long okBefore = mesh.snapshot().services().stream().filter(s -> s.service().equals("orders")).findFirst()
        .orElseThrow().endpoints().stream().filter(e -> e.endpoint().port() == good.port()).findFirst()
        .orElseThrow().successes();

    assertThat(mesh.route("orders", "split:25")).isEqualTo(RouteMode.DIRECT);
    assertThat(mesh.route("payments", RouteMode.SIDECAR)).isEqualTo(RouteMode.DIRECT);

    assertThat(mesh.route("orders")).isEqualTo(RouteMode.split(25));
    assertThat(mesh.route("payments")).isEqualTo(RouteMode.SIDECAR);
    assertThat(mesh.resilience("orders")).isSameAs(ordersView); // the same policies, not rebuilt
    assertThat(mesh.resilience("orders").ejectedEndpoints()).extracting(EndpointState::endpoint)
        .extracting(Endpoint::port).containsExactly(bad.port());
    assertThat(mesh.resilience("payments").breakerState()).isEqualTo(BreakerState.OPEN);
    var orders = mesh.snapshot().services().stream().filter(s -> s.service().equals("orders")).findFirst()
        .orElseThrow();
    assertThat(orders.routeMode()).isEqualTo(RouteMode.split(25));
    assertThat(orders.endpoints()).filteredOn(e -> e.endpoint().port() == bad.port())
        .extracting(EndpointSnapshot::status).containsExactly(EndpointSnapshot.Status.EJECTED);
    assertThat(orders.endpoints()).filteredOn(e -> e.endpoint().port() == good.port())
        .extracting(EndpointSnapshot::successes).containsExactly(okBefore); // endpoint statistics kept

    // and back: still ejected, still open; the sidecar path (no breaker in the way) served payments meanwhile
    assertThat(backendOf("payments")).isEqualTo("200 sidecar-1");
    mesh.route("orders", "direct");
    mesh.route("payments", "direct");
    assertThat(mesh.resilience("orders").ejectedEndpoints()).hasSize(1);
    assertThat(mesh.resilience("payments").breakerState()).isEqualTo(BreakerState.OPEN);
    try (Response r = get("orders")) {
      assertThat(r.header("x-backend")).isEqualTo("orders-good");
    }

    MigrationReport report = mesh.migrationReport();
    assertThat(report.service("orders").transitions())
        .extracting(t -> t.from() + ">" + t.to() + " " + t.by())
        .containsExactly("direct>split:25 api", "split:25>direct api");
    assertThat(report.render()).contains("split:25 -> direct by api");
  }

  @Test
  void invalidValuesAndUnknownServicesAreConfigExceptionsNamingServiceValueAndWhatIsAllowed() {
    assertThatThrownBy(() -> mesh.route("orders", "split:120"))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> {
          ConfigException c = (ConfigException) e;
          assertThat(c.key()).isEqualTo("mesh.services.orders.route.mode");
          assertThat(c.value()).isEqualTo("split:120");
          assertThat(c.expected()).isEqualTo("direct, sidecar, split:N with N 0-100 or shadow:N with N 1-100");
        });
    assertThatThrownBy(() -> mesh.route("orders", "shadow:0"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("mesh.services.orders.route.mode: \"shadow:0\" (expected: direct, sidecar, split:N with N 0-100"
            + " or shadow:N with N 1-100)");
    assertThatThrownBy(() -> mesh.route("orders", "sideways")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("sideways");
    assertThatThrownBy(() -> mesh.route("nosuch", "sidecar"))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> {
          ConfigException c = (ConfigException) e;
          assertThat(c.key()).isEqualTo("mesh.services.nosuch.route.mode");
          assertThat(c.value()).isEqualTo("sidecar");
          assertThat(c.expected()).contains("a service the mesh routes").contains("orders", "payments");
        });
    assertThatThrownBy(() -> mesh.route("bad name!", "sidecar")).isInstanceOf(ConfigException.class);
    assertThat(mesh.migrationReport().services()).isEmpty(); // nothing was created for the failures
  }

  @Test
  void aHundredThousandChangesKeepTheLast32TransitionsPerServiceAndOnlyRoutedServices() {
    RouteMode[] modes = {RouteMode.split(10), RouteMode.split(50), RouteMode.SIDECAR, RouteMode.DIRECT};
    for (int i = 0; i < 100_000; i++) {
      mesh.route(i % 2 == 0 ? "orders" : "payments", modes[(i / 2) % modes.length]);
    }
    MigrationReport report = mesh.migrationReport();
    assertThat(report.services()).extracting(MigrationReport.Service::service).containsExactly("orders", "payments");
    for (MigrationReport.Service s : report.services()) {
      assertThat(s.transitions()).hasSize(RouteTransition.KEPT_PER_SERVICE);
      assertThat(s.transitions()).allSatisfy(t -> {
        assertThat(t.service()).isEqualTo(s.service());
        assertThat(t.by()).isEqualTo(RouteTransition.BY_API);
      });
      RouteTransition last = s.transitions().get(s.transitions().size() - 1);
      assertThat(last.to()).isEqualTo(mesh.route(s.service()));
      for (int i = 1; i < s.transitions().size(); i++) { // a chain, oldest first
        assertThat(s.transitions().get(i).from()).isEqualTo(s.transitions().get(i - 1).to());
      }
    }
    assertThat(mesh.route("orders")).isEqualTo(modes[(99_998 / 2) % modes.length]);
  }

  @Test
  void callsInFlightFinishOnTheRouteAndSidecarTheyStartedOn() throws Exception {
    mesh.route("orders", "sidecar");
    assertThat(mesh.sidecarBridge().awaitReady(Duration.ofSeconds(10))).isTrue();
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    sidecar1.gate((method, header) -> {
      entered.countDown();
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return LoopbackBackend.Decision.serve(() -> { });
    });
    CompletableFuture<String> inFlight = CompletableFuture.supplyAsync(() -> {
      try {
        return backendOf("orders");
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

    mesh.route("orders", "direct"); // new calls go direct at once...
    assertThat(backendOf("orders")).isIn("200 orders-good", "503 orders-bad", "200 orders-bad");
    mesh.route("orders", "sidecar");
    mesh.sidecar(tcpSidecar(sidecar2)); // ...or to the new sidecar
    assertThat(mesh.sidecarBridge().config().port()).isEqualTo(sidecar2.port());
    assertThat(backendOf("orders")).isEqualTo("200 sidecar-2");

    release.countDown(); // the call that started on sidecar 1 ends there
    assertThat(inFlight.get(10, TimeUnit.SECONDS)).isEqualTo("200 sidecar-1");
    assertThat(sidecar1.requests()).isEqualTo(1);
    MigrationReport.Service orders = mesh.migrationReport().service("orders");
    assertThat(orders.sidecar().calls()).isEqualTo(2); // the in-flight call counted on the path it took
    assertThat(mesh.migrationReport().sidecar()).startsWith(sidecar2.host() + ":" + sidecar2.port());
  }

  @Test
  void replacingTheSidecarKeepsBreakerAndEjectionState() throws IOException {
    ejectBadOrdersEndpoint();
    openPaymentsBreaker();
    var ordersView = mesh.resilience("orders");
    SidecarBridge first = mesh.sidecarBridge();

    mesh.sidecar(tcpSidecar(sidecar2));

    assertThat(first.isClosed()).isTrue();
    assertThat(first.isReady()).isFalse();
    assertThat(mesh.sidecarBridge()).isNotSameAs(first);
    assertThat(mesh.sidecarBridge().isReady()).isTrue(); // probed before the switch
    assertThat(mesh.resilience("orders")).isSameAs(ordersView);
    assertThat(mesh.resilience("orders").ejectedEndpoints()).hasSize(1);
    assertThat(mesh.resilience("payments").breakerState()).isEqualTo(BreakerState.OPEN);
    mesh.route("payments", "sidecar");
    assertThat(backendOf("payments")).isEqualTo("200 sidecar-2");

    mesh.sidecar(null); // no sidecar: sidecar-routed calls run direct (fail-open), the breaker still decides
    assertThat(mesh.sidecarBridge().config()).isNull();
    assertThatThrownBy(() -> get("payments").close()) // the open breaker's rejection on the direct path
        .isInstanceOf(io.meshsdk.core.resilience.CircuitOpenException.class);
    assertThat(mesh.resilience("payments").breakerState()).isEqualTo(BreakerState.OPEN);
  }

  @Test
  void aConfigThatLeavesTheRouteKeysAloneKeepsARouteSetAtRunTime() {
    mesh.route("orders", "split:10");
    MeshConfig now = MeshConfig.builder()
        .service("orders", s -> s
            .set("outlier.consecutive-failures", "1")
            .set("outlier.base-ejection-time", "1h")
            .set("outlier.max-ejection-time", "1h")
            .set("breaker.enabled", "false")
            .set("lb.policy", "round-robin"))
        .build();
    mesh.reconfigure(now);
    assertThat(mesh.route("orders")).isEqualTo(RouteMode.split(10));
    mesh.reconfigure(MeshConfig.builder().service("orders", s -> s.set("route.mode", "split:50")).build());
    assertThat(mesh.route("orders")).isEqualTo(RouteMode.split(50));
    assertThat(mesh.migrationReport().service("orders").transitions())
        .extracting(t -> t.from() + ">" + t.to() + " " + t.by())
        .containsExactly("direct>split:10 api", "split:10>split:50 config");
  }
}
