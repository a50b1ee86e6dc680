package io.meshsdk.benchmarks;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.sidecar.SidecarConfig;
import io.meshsdk.testing.LoopbackBackend;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The sidecar bridge's own cost per call, in-JVM: every client ends in an interceptor that returns a canned
 * response, so no socket is touched and only the client-side work is measured.
 *
 * <ul>
 *   <li>{@code bareProxyHop}: a plain OkHttp client with one hand-written interceptor that rewrites the URL to
 *       the proxy and sets Host: the least any client must do to use a sidecar. The baseline.
 *   <li>{@code bridgeSidecar}: the mesh with {@code route.mode=sidecar}: route lookup, readiness check, rewrite,
 *       marker header, migration statistics.
 *   <li>{@code bridgeSplit50}: {@code split:50} keyed by a traceparent header (half the calls go direct).
 *   <li>{@code meshDirect}: the mesh's direct path for comparison (the service was never migrated: the bridge
 *       is not in the path at all).
 *   <li>{@code plainClient}: OkHttp with the canned interceptor only.
 * </ul>
 * The bridge's added cost is {@code bridgeSidecar - bareProxyHop}; the goal is at most 1 µs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SidecarBridgeBenchmark {

  private static final ResponseBody EMPTY = ResponseBody.create(new byte[0], null);
  private static final Interceptor CANNED = chain -> new Response.Builder()
      .request(chain.request())
      .protocol(Protocol.HTTP_1_1)
      .code(200)
      .message("OK")
      .body(EMPTY)
      .build();

  private LoopbackBackend fakeSidecar;
  private Mesh sidecarMesh;
  private Mesh splitMesh;
  private Mesh directMesh;
  private OkHttpClient plain;
  private OkHttpClient bareHop;
  private OkHttpClient bridgeSidecar;
  private OkHttpClient bridgeSplit;
  private OkHttpClient meshDirect;
  private Request request;
  private Request tracedRequest;

  @Setup(Level.Trial)
  public void setUp() {
    // a real listener so that the readiness probe passes; no call reaches it (the canned interceptor answers)
    fakeSidecar = LoopbackBackend.start("sidecar");
    OkHttpClient base = new OkHttpClient.Builder().addInterceptor(CANNED).build();
    plain = base;
    HttpUrl proxy = HttpUrl.get(fakeSidecar.baseUrl());
    bareHop = new OkHttpClient.Builder()
        .addInterceptor(chain -> {
          Request r = chain.request();
          return chain.proceed(r.newBuilder()
              .url(r.url().newBuilder().host(proxy.host()).port(proxy.port()).build())
              .header("Host", r.url().host())
              .build());
        })
        .addInterceptor(CANNED)
        .build();
    SidecarConfig sidecar = SidecarConfig.builder()
        .address(fakeSidecar.host(), fakeSidecar.port())
        .readyUrl(fakeSidecar.baseUrl() + "/ready")
        .probeInterval(java.time.Duration.ofHours(1)) // probe once, at build: no probe noise, no flapping
        .build();
    sidecarMesh = mesh("sidecar", sidecar);
    splitMesh = mesh("split:50", sidecar);
    directMesh = mesh("direct", sidecar);
    if (!sidecarMesh.sidecarBridge().isReady()) {
      throw new IllegalStateException("sidecar not ready: " + sidecarMesh.sidecarBridge());
    }
    bridgeSidecar = sidecarMesh.newOkHttpClient(base);
    bridgeSplit = splitMesh.newOkHttpClient(base);
    meshDirect = directMesh.newOkHttpClient(base);
    request = new Request.Builder().url("http://inventory/items/42").build();
    tracedRequest = request.newBuilder()
        .header("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01").build();
  }

  private static Mesh mesh(String mode, SidecarConfig sidecar) {
    return Mesh.builder()
        .discovery(StaticServiceDiscovery.of(Endpoint.of("inventory", "127.0.0.1", 9)))
        .config(MeshConfig.builder().service("inventory", s -> s.set("route.mode", mode)).build())
        .sidecar(sidecar)
        .build();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    sidecarMesh.close();
    splitMesh.close();
    directMesh.close();
    fakeSidecar.close();
  }

  private static int call(OkHttpClient client, Request request) throws IOException {
    try (Response r = client.newCall(request).execute()) {
      return r.code();
    }
  }

  @Benchmark
  public int plainClient() throws IOException {
    return call(plain, request);
  }

  @Benchmark
  public int bareProxyHop() throws IOException {
    return call(bareHop, request);
  }

  @Benchmark
  public int bridgeSidecar() throws IOException {
    return call(bridgeSidecar, request);
  }

  @Benchmark
  public int bridgeSplit50() throws IOException {
    return call(bridgeSplit, tracedRequest);
  }

  @Benchmark
  public int meshDirect() throws IOException {
    return call(meshDirect, request);
  }
}
