package io.meshsdk.benchmarks;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
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

  private Mesh mesh;
  private OkHttpClient plain;
  private OkHttpClient meshed;
  private Request plainRequest;
  private Request meshRequest;

  @Setup(Level.Trial)
  public void setUp() {
    List<Endpoint> endpoints = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      endpoints.add(Endpoint.of("inventory", "10.0.0." + (i + 1), 8080));
    }
    mesh = Mesh.builder()
        .discovery(StaticServiceDiscovery.of(endpoints))
        .config(MeshConfig.builder().service("inventory", s -> s.set("lb.policy", policy)).build())
        .build();
    plain = new OkHttpClient.Builder().addInterceptor(CannedResponse.INSTANCE).build();
    meshed = mesh.newOkHttpClient(plain);
    plainRequest = new Request.Builder().url("http://127.0.0.1:8080/items/42").build();
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
  public int meshPassThrough() throws IOException {
    try (Response r = meshed.newCall(plainRequest).execute()) {
      return r.code();
    }
  }
}
