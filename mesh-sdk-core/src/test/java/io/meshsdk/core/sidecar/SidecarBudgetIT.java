package io.meshsdk.core.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.testing.LoopbackBackend;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One budget across layers: what a hand-off to the sidecar tells the sidecar (remaining deadline, retries it may
 * make, in the mesh's headers and in Envoy's), and that an answer coming through the sidecar is retried by the
 * SDK only when the sidecar was told to make no retries ({@code route.sidecar-retries=sdk}). The sidecar here is
 * a loopback HTTP server standing for its outbound listener (it records the headers it receives and answers as
 * told); its ready URL is a second one answering 200.
 */
class SidecarBudgetIT {

  private LoopbackBackend backend;
  private LoopbackBackend sidecar;
  private LoopbackBackend readyServer;
  private @Nullable Mesh mesh;

  @BeforeEach
  void setUp() {
    backend = LoopbackBackend.start("inventory-1");
    sidecar = LoopbackBackend.start("sidecar");
    readyServer = LoopbackBackend.start("sidecar-admin");
  }

  @AfterEach
  void tearDown() {
    if (mesh != null) {
      mesh.close();
    }
    backend.close();
    sidecar.close();
    readyServer.close();
  }

  private Mesh mesh(SidecarDialect dialect, Consumer<io.meshsdk.core.config.ServiceConfig.Builder> service) {
    mesh = Mesh.builder()
        .discovery(StaticServiceDiscovery.of(Endpoint.of("inventory", backend.host(), backend.port())))
        .config(MeshConfig.builder().service("inventory", s -> {
          s.set("route.mode", "sidecar").set("outlier.enabled", "false").set("timeout.call", "5s");
          service.accept(s);
        }).build())
        .sidecar(SidecarConfig.builder()
            .address("127.0.0.1", sidecar.port())
            .readyUrl(readyServer.baseUrl() + "/ready")
            .dialect(dialect)
            .probeInterval(Duration.ofHours(1))
            .build())
        .build();
    assertThat(mesh.sidecarBridge().isReady()).as("sidecar ready after the start-up probe").isTrue();
    return mesh;
  }

  private static Response get(OkHttpClient http, String url) throws IOException {
    return http.newCall(new Request.Builder().url(url).build()).execute();
  }

  @Test
  void theSidecarIsHandedTheCallsRemainingRetriesAndDeadlineInEnvoysHeadersToo() throws IOException {
    OkHttpClient http = mesh(SidecarDialect.ENVOY, s -> s.set("retry.max-attempts", "3")).newOkHttpClient();
    try (Response r = get(http, "http://inventory/items")) {
      assertThat(r.code()).isEqualTo(200);
    }
    assertThat(sidecar.lastHeader("x-mesh-max-retries")).isEqualTo("2");
    assertThat(sidecar.lastHeader("x-envoy-max-retries")).isEqualTo("2");
    assertThat(sidecar.lastHeader("x-envoy-retry-on"))
        .isEqualTo("connect-failure,refused-stream,reset,retriable-status-codes");
    assertThat(sidecar.lastHeader("x-envoy-retriable-status-codes")).isEqualTo("502,503,504");
    String timeout = sidecar.lastHeader("x-envoy-upstream-rq-timeout-ms");
    assertThat(timeout).as("the remaining deadline, as x-mesh-deadline-ms")
        .isEqualTo(sidecar.lastHeader("x-mesh-deadline-ms"));
    assertThat(Long.parseLong(timeout)).isBetween(1L, 5_000L);
    assertThat(backend.requests()).isZero();
  }

  @Test
  void aMethodTheSdkWouldNotRetryIsHandedOverWithNoRetries() throws IOException {
    OkHttpClient http = mesh(SidecarDialect.ENVOY, s -> s.set("retry.max-attempts", "3")).newOkHttpClient();
    try (Response r = http.newCall(new Request.Builder().url("http://inventory/orders")
        .post(RequestBody.create("{}", MediaType.get("application/json"))).build()).execute()) {
      assertThat(r.code()).isEqualTo(200);
    }
    assertThat(sidecar.lastHeader("x-mesh-max-retries")).isEqualTo("0");
    assertThat(sidecar.lastHeader("x-envoy-max-retries")).isEqualTo("0");
    assertThat(sidecar.lastHeader("x-envoy-retry-on")).as("no retry conditions with no retries").isNull();
  }

  @Test
  void theMeshDialectSendsOnlyTheMeshsHeadersAndNoDeadlineMeansNoTimeoutHeader() throws IOException {
    OkHttpClient http = mesh(SidecarDialect.MESH, s -> s.set("retry.max-attempts", "2").set("timeout.call", "0"))
        .newOkHttpClient();
    try (Response r = get(http, "http://inventory/items")) {
      assertThat(r.code()).isEqualTo(200);
    }
    assertThat(sidecar.lastHeader("x-mesh-max-retries")).isEqualTo("1");
    assertThat(sidecar.lastHeader("x-envoy-max-retries")).isNull();
    assertThat(sidecar.lastHeader("x-envoy-upstream-rq-timeout-ms")).isNull();
    assertThat(sidecar.lastHeader("x-mesh-deadline-ms")).isNull();
  }

  @Test
  void withSidecarRetriesAnAnswerThroughTheSidecarIsNeverRetriedByTheSdk() throws IOException {
    sidecar.mode(LoopbackBackend.failing(503));
    OkHttpClient http = mesh(SidecarDialect.ENVOY, s -> s.set("retry.max-attempts", "3")).newOkHttpClient();
    try (Response r = get(http, "http://inventory/items")) {
      assertThat(r.code()).as("the sidecar's answer, after its own retries").isEqualTo(503);
    }
    assertThat(sidecar.requests()).isEqualTo(1);
    assertThat(backend.requests()).as("no SDK retry on top of the sidecar's").isZero();
  }

  @Test
  void withSdkRetriesTheSidecarMakesOneAttemptAndARetryableAnswerIsRetriedDirect() throws IOException {
    sidecar.mode(LoopbackBackend.failing(503));
    Mesh m = mesh(SidecarDialect.ENVOY, s -> s.set("retry.max-attempts", "3").set("route.sidecar-retries", "sdk"));
    try (Response r = get(m.newOkHttpClient(), "http://inventory/items")) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.header("x-backend")).isEqualTo("inventory-1");
    }
    assertThat(sidecar.lastHeader("x-mesh-max-retries")).isEqualTo("0");
    assertThat(sidecar.lastHeader("x-envoy-max-retries")).as("Envoy's route retries switched off").isEqualTo("0");
    assertThat(sidecar.requests()).isEqualTo(1);
    assertThat(backend.requests()).isEqualTo(1);
    assertThat(backend.lastHeader("x-mesh-max-retries")).as("not sent on direct attempts").isNull();
    assertThat(backend.lastHeader("x-mesh-route")).isNull();
    MigrationReport.Service report = m.migrationReport().service("inventory");
    assertThat(report).isNotNull();
    assertThat(report.sidecar().calls()).isEqualTo(1);
    assertThat(report.sidecar().errors()).as("the sidecar's 503 counts against the sidecar path").isEqualTo(1);
    assertThat(report.direct().calls()).isEqualTo(1);
    assertThat(report.direct().errors()).isZero();
    assertThat(report.fallbacks()).isEqualTo(1);
  }

  @Test
  void sdkRetriesSpendTheSameAllowance() throws IOException {
    sidecar.mode(LoopbackBackend.failing(503));
    backend.mode(LoopbackBackend.failing(503));
    Mesh m = mesh(SidecarDialect.MESH, s -> s.set("retry.max-attempts", "2").set("route.sidecar-retries", "sdk")
        .set("retry.backoff", "1ms"));
    try (Response r = get(m.newOkHttpClient(), "http://inventory/items")) {
      assertThat(r.code()).isEqualTo(503);
    }
    assertThat(sidecar.requests() + backend.requests()).as("two attempts in all: one per layer").isEqualTo(2);
  }

  @Test
  void withOneAttemptTheSidecarsAnswerIsFinal() throws IOException {
    sidecar.mode(LoopbackBackend.failing(503));
    Mesh m = mesh(SidecarDialect.MESH, s -> s.set("retry.max-attempts", "1").set("route.sidecar-retries", "sdk"));
    try (Response r = get(m.newOkHttpClient(), "http://inventory/items")) {
      assertThat(r.code()).isEqualTo(503);
    }
    assertThat(backend.requests()).isZero();
  }

  @Test
  void aPostAnsweredWithARetryableStatusIsNotResentDirect() throws IOException {
    sidecar.mode(LoopbackBackend.failing(503));
    Mesh m = mesh(SidecarDialect.MESH, s -> s.set("retry.max-attempts", "3").set("route.sidecar-retries", "sdk"));
    try (Response r = m.newOkHttpClient().newCall(new Request.Builder().url("http://inventory/orders")
        .post(RequestBody.create("{}", MediaType.get("application/json"))).build()).execute()) {
      assertThat(r.code()).isEqualTo(503);
    }
    assertThat(backend.requests()).as("a POST may have run: never sent again").isZero();
  }

  @Test
  void aPutBodyRetriedDirectArrivesWhole() throws IOException {
    sidecar.mode(LoopbackBackend.failing(503));
    Mesh m = mesh(SidecarDialect.MESH, s -> s.set("retry.max-attempts", "2").set("route.sidecar-retries", "sdk"));
    byte[] payload = new byte[64 * 1024];
    for (int i = 0; i < payload.length; i++) {
      payload[i] = (byte) (i * 31);
    }
    RequestBody oneShot = new RequestBody() { // a body that can be written once: the mesh must keep a copy
      private boolean written;

      @Override
      public MediaType contentType() {
        return MediaType.get("application/octet-stream");
      }

      @Override
      public long contentLength() {
        return payload.length;
      }

      @Override
      public boolean isOneShot() {
        return true;
      }

      @Override
      public void writeTo(BufferedSink sink) throws IOException {
        if (written) {
          throw new IllegalStateException("written twice");
        }
        written = true;
        sink.write(payload);
      }
    };
    try (Response r = m.newOkHttpClient().newCall(new Request.Builder().url("http://inventory/blob")
        .put(oneShot).build()).execute()) {
      assertThat(r.code()).isEqualTo(200);
    }
    assertThat(backend.requests()).isEqualTo(1);
    assertThat(backend.lastHeader("content-length")).isEqualTo(Integer.toString(payload.length));
  }

  @Test
  void anApplicationsOwnBudgetHeaderNeverReachesADirectEndpoint() throws IOException {
    OkHttpClient http = mesh(SidecarDialect.MESH, s -> s.set("route.mode", "direct")).newOkHttpClient();
    try (Response r = http.newCall(new Request.Builder().url("http://inventory/items")
        .header("x-mesh-max-retries", "7").header("x-envoy-max-retries", "4").build()).execute()) {
      assertThat(r.code()).isEqualTo(200);
    }
    assertThat(backend.lastHeader("x-mesh-max-retries")).isNull();
    assertThat(backend.lastHeader("x-envoy-max-retries")).as("not the mesh's: left alone on direct calls")
        .isEqualTo("4");
  }

  @Test
  void badValuesFailNamingTheKey() {
    assertThatThrownBy(() -> MeshConfig.builder().service("inventory", s -> s.set("route.sidecar-retries", "both"))
        .build())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("route.sidecar-retries").hasMessageContaining("both").hasMessageContaining("sdk");
    assertThatThrownBy(() -> SidecarConfig.fromProperties(Map.of("mesh.sidecar.address", "127.0.0.1:1",
        "mesh.sidecar.dialect", "linkerd")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("mesh.sidecar.dialect").hasMessageContaining("linkerd").hasMessageContaining("envoy");
    assertThatThrownBy(() -> SidecarConfig.builder().markerHeader("x-envoy-max-retries"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("sidecar.marker-header");
  }
}
