package io.meshsdk.benchmarks;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.metrics.MeshMetrics;
import io.meshsdk.tracing.MeshTracing;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-call overhead of the mesh interceptor pipeline, against an in-JVM transport that returns a canned
 * response (no network), next to the same call through a plain {@link OkHttpClient}.
 *
 * <ul>
 *   <li>{@code plainClient}: OkHttp alone, URL {@code http://127.0.0.1:8080/items/42}.
 *   <li>{@code meshClient}: the same client with the mesh interceptor first, URL
 *       {@code http://inventory/items/42} over 10 endpoints: lookup, pick, URL rewrite, endpoint stats.
 *   <li>{@code meshPassThrough}: a non-mesh host through the mesh client (the cost for everything else).
 *   <li>{@code rewriteFloor}: the plain client plus one application interceptor that only swaps the URL for a
 *       fixed, pre-parsed physical one ({@code request.newBuilder().url(u).build()}) and proceeds: what any
 *       client-side balancer built as an OkHttp interceptor pays before doing any work of its own (one more
 *       interceptor-chain object, the longer interceptor list, the {@code Request} copy). The mesh's own cost is
 *       {@code meshClient - rewriteFloor}.
 *   <li>{@code plainClientDistinctUrls} / {@code meshClientDistinctUrls}: as above, but every call has a URL
 *       the mesh has not seen (a new id in the path), so the per-endpoint rewrite cache misses and the URL is
 *       built; both sides build their request from a string, as applications do.
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class MeshPipelineBenchmark {

  @Param({"least-request", "round-robin"})
  public String policy = "least-request";

  /**
   * What observes the calls: {@code none}; {@code metrics} (Micrometer on a {@link SimpleMeterRegistry}, the
   * product default when a registry is present); {@code metrics+sampled-out} (metrics plus tracing whose sampler
   * drops every trace); {@code metrics+sampled-in} (metrics plus tracing that records one span per attempt into
   * a batch processor whose exporter drops them).
   */
  @Param({"none", "metrics", "metrics+sampled-out", "metrics+sampled-in"})
  public String observer = "metrics";

  private @Nullable MeshTracing tracing;

  private Mesh mesh;
  private OkHttpClient plain;
  private OkHttpClient meshed;
  private Request plainRequest;
  private Request meshRequest;
  private OkHttpClient rewriting;

  @Setup(Level.Trial)
  public void setUp() {
    List<Endpoint> endpoints = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      endpoints.add(Endpoint.of("inventory", "10.0.0." + (i + 1), 8080));
    }
    Mesh.Builder b = Mesh.builder()
        .discovery(StaticServiceDiscovery.of(endpoints))
        .config(MeshConfig.builder().service("inventory", s -> s.set("lb.policy", policy)).build());
    if (observer.startsWith("metrics")) {
      b.metrics(MeshMetrics.create(new SimpleMeterRegistry()));
    }
    MeshTracing t = switch (observer) {
      case "metrics+sampled-out" -> MeshTracing.builder().samplerRatio(0.0).build();
      case "metrics+sampled-in" -> MeshTracing.builder().samplerRatio(1.0)
          .addSpanProcessor(BatchSpanProcessor.builder(new ObservabilityBenchmark.DroppingExporter()).build()).build();
      default -> null;
    };
    if (t != null) {
      b.observer(t.observer());
    }
    tracing = t;
    mesh = b.build();
    plain = new OkHttpClient.Builder().addInterceptor(CannedResponse.INSTANCE).build();
    meshed = mesh.newOkHttpClient(plain);
    plainRequest = new Request.Builder().url("http://127.0.0.1:8080/items/42").build();
    HttpUrl physical = HttpUrl.get("http://10.0.0.1:8080/items/42");
    rewriting = new OkHttpClient.Builder()
        .addInterceptor(chain -> chain.proceed(chain.request().newBuilder().url(physical).build()))
        .addInterceptor(CannedResponse.INSTANCE)
        .build();
    meshRequest = new Request.Builder().url("http://inventory/items/42").build();
  }

  private long sequence;

  @Benchmark
  public int plainClientDistinctUrls() throws IOException {
    Request r = new Request.Builder().url("http://127.0.0.1:8080/items/" + sequence++).build();
    try (Response response = plain.newCall(r).execute()) {
      return response.code();
    }
  }

  @Benchmark
  public int meshClientDistinctUrls() throws IOException {
    Request r = new Request.Builder().url("http://inventory/items/" + sequence++).build();
    try (Response response = meshed.newCall(r).execute()) {
      return response.code();
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    mesh.close();
    MeshTracing t = tracing;
    if (t != null) {
      t.close();
    }
  }

  @Benchmark
  public int plainClient() throws IOException {
    try (Response r = plain.newCall(plainRequest).execute()) {
      return r.code();
    }
  }

  @Benchmark
  public int meshClient() throws IOException {
    try (Response r = meshed.newCall(meshRequest).execute()) {
      return r.code();
    }
  }

  @Benchmark
  public int rewriteFloor() throws IOException {
    try (Response r = rewriting.newCall(meshRequest).execute()) {
      return r.code();
    }
  }

  @Benchmark
  public int meshPassThrough() throws IOException {
    try (Response r = meshed.newCall(plainRequest).execute()) {
      return r.code();
    }
  }
}
