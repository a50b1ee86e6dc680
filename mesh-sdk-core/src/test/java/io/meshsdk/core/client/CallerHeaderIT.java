package io.meshsdk.core.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.metrics.MeshServerMetrics;
import io.meshsdk.core.observe.AttemptInfo;
import io.meshsdk.core.observe.CallInfo;
import io.meshsdk.core.observe.CallObserver;
import io.meshsdk.core.observe.MeshObserver;
import io.meshsdk.core.observe.OutboundHeaders;
import io.meshsdk.core.sidecar.SidecarConfig;
import io.meshsdk.testing.LoopbackBackend;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code Mesh.Builder.localService}: every mesh call, direct or via the sidecar (and the direct attempt after a
 * refused sidecar), carries {@code x-mesh-caller}, checked at real loopback servers.
 */
class CallerHeaderIT {

  private static final String CALLER = MeshServerMetrics.CALLER_HEADER;

  private LoopbackBackend backend;
  private LoopbackBackend admin;
  private LoopbackBackend fakeSidecar;
  private LoopbackBackend outsider;
  private Mesh mesh;
  private OkHttpClient http;
  /** What observers read for {@value #CALLER} at each attempt start. */
  private final List<String> observed = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() {
    backend = LoopbackBackend.start("inventory-1");
    admin = LoopbackBackend.start("sidecar-admin");
    fakeSidecar = LoopbackBackend.start("sidecar-outbound");
    outsider = LoopbackBackend.start("not-in-mesh");
  }

  @AfterEach
  void tearDown() {
    if (mesh != null) {
      mesh.close();
    }
    backend.close();
    admin.close();
    fakeSidecar.close();
    outsider.close();
  }

  private void start(Mesh.Builder builder, String mode, int sidecarPort) {
    mesh = builder
        .discovery(StaticServiceDiscovery.of(Endpoint.of("inventory", backend.host(), backend.port())))
        .config(MeshConfig.builder().service("inventory", s -> s.set("route.mode", mode)).build())
        .sidecar(SidecarConfig.builder()
            .address("127.0.0.1", sidecarPort)
            .readyUrl(admin.baseUrl() + "/ready")
            .probeInterval(Duration.ofMillis(50))
            .build())
        .observer(new MeshObserver() {
          @Override
          public CallObserver onCallStart(CallInfo call) {
            return new CallObserver() {
              @Override
              public void onAttemptStart(AttemptInfo attempt, OutboundHeaders headers) {
                String v = headers.get(CALLER);
                observed.add(v == null ? "<none>" : v);
              }
            };
          }
        })
        .build();
    http = mesh.newOkHttpClient();
  }

  private String get(String url) throws IOException {
    try (Response r = http.newCall(new Request.Builder().url(url).build()).execute()) {
      assertThat(r.code()).isEqualTo(200);
      return r.header("x-backend");
    }
  }

  @Test
  void directCallsCarryTheLocalServiceAndPassThroughCallsDoNot() throws IOException {
    start(Mesh.builder().localService("checkout"), "direct", fakeSidecar.port());
    assertThat(get("http://inventory/items/1")).isEqualTo("inventory-1");
    assertThat(backend.lastHeader(CALLER)).isEqualTo("checkout");
    assertThat(observed).containsExactly("checkout"); // what will be sent, read without building a request
    assertThat(get(outsider.baseUrl() + "/x")).isEqualTo("not-in-mesh");
    assertThat(outsider.lastHeader(CALLER)).isNull(); // not a mesh call: untouched
  }

  @Test
  void sidecarCallsCarryTheLocalService() throws IOException {
    start(Mesh.builder().localService("checkout"), "sidecar", fakeSidecar.port());
    assertThat(get("http://inventory/items/1")).isEqualTo("sidecar-outbound");
    assertThat(fakeSidecar.lastHeader(CALLER)).isEqualTo("checkout");
    assertThat(fakeSidecar.lastHeader("x-mesh-route")).isEqualTo("sidecar");
    assertThat(observed).containsExactly("checkout");
  }

  @Test
  void theDirectAttemptAfterARefusedSidecarCarriesTheLocalService() throws IOException {
    LoopbackBackend listener = LoopbackBackend.start("sidecar-listener");
    start(Mesh.builder().localService("checkout"), "sidecar", listener.port());
    listener.close();
    assertThat(get("http://inventory/items/1")).isEqualTo("inventory-1");
    assertThat(backend.lastHeader(CALLER)).isEqualTo("checkout");
    assertThat(observed).containsExactly("checkout", "checkout"); // the refused attempt, then the direct one
  }

  @Test
  void aCallerHeaderSetByTheApplicationIsReplacedByTheConfiguredOne() throws IOException {
    start(Mesh.builder().localService("checkout"), "direct", fakeSidecar.port());
    try (Response r = http.newCall(new Request.Builder().url("http://inventory/items/1")
        .header(CALLER, "spoofed").build()).execute()) {
      assertThat(r.code()).isEqualTo(200);
    }
    assertThat(backend.recentHeaders().get(0).get(CALLER)).containsExactly("checkout");
  }

  @Test
  void withoutALocalServiceNoCallerHeaderIsAdded() throws IOException {
    start(Mesh.builder(), "direct", fakeSidecar.port());
    get("http://inventory/items/1");
    assertThat(backend.lastHeader(CALLER)).isNull();
    assertThat(observed).containsExactly("<none>");
    mesh.reconfigure(MeshConfig.builder().service("inventory", s -> s.set("route.mode", "sidecar")).build());
    get("http://inventory/items/1");
    assertThat(fakeSidecar.lastHeader(CALLER)).isNull();
  }
}
