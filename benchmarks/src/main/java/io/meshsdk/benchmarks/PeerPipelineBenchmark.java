package io.meshsdk.benchmarks;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import okhttp3.HttpUrl;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.loadbalancer.LoadBalancerClient;

/**
 * The mesh's OkHttp pipeline next to what a Spring Cloud user writes around the same OkHttp client, every variant
 * over one canned {@link OkHttpClient} (its last interceptor answers 200 with an empty body, no I/O), in one run.
 *
 * <ul>
 *   <li>{@code bareOkHttp}: the canned client alone, a fixed {@code Request} for {@code http://10.0.0.1:8080/...}.
 *       The floor.
 *   <li>{@code bareOkHttpRequestPerCall}: the same, the {@code Request} built per call from a {@code java.net.URI}
 *       (what any client that learns its URL per call pays; Spring Cloud below does).
 *   <li>{@code meshOkHttp}: {@code mesh.newOkHttpClient(canned)}, {@code http://inventory/items/42}, 10 static
 *       endpoints, the product's defaults (least-request, breaker, retry budget, outlier detection) and Micrometer
 *       metrics into a {@code SimpleMeterRegistry} ({@code Mesh.Builder.meterRegistry}).
 *   <li>{@code springCloudTuned}: a Spring Boot context with Spring Cloud's auto-configuration
 *       ({@link SpringCloudPeer}: {@code BlockingLoadBalancerClient} over {@code SimpleDiscoveryClient} with the same 10
 *       instances, round-robin, cached instance list; Spring Cloud CircuitBreaker on resilience4j); per call,
 *       {@code timer.record(() -> circuitBreakerFactory.create("inventory").run(() -> ...))} around
 *       {@code loadBalancerClient.choose("inventory")}, {@code reconstructURI}, a {@code Request} for that URI and
 *       the canned call; semaphore bulkhead, no thread pool, no time limiter (the caller's thread).
 *   <li>{@code springCloudDefaults}: the same with Spring Cloud CircuitBreaker's defaults (thread-pool bulkhead, 1 s
 *       time limiter: each call is handed to a pool thread and waited for).
 * </ul>
 *
 * <p>Results: {@code docs/benchmarks.md}, "Peers: the mesh's OkHttp pipeline against Spring Cloud LoadBalancer +
 * CircuitBreaker".
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class PeerPipelineBenchmark {

  static final String BARE_URL = "http://10.0.0.1:8080/items/42";
  static final String LOGICAL_URL = "http://inventory/items/42";
  static final URI LOGICAL_URI = URI.create(LOGICAL_URL);
  static final URI BARE_URI = URI.create(BARE_URL);

  private OkHttpClient canned;
  private Request bareRequest;
  private Mesh mesh;
  private OkHttpClient meshed;
  private Request meshRequest;
  private SpringCloudPeer tuned;
  private LoadBalancerClient tunedBalancer;
  private SpringCloudPeer defaults;
  private LoadBalancerClient defaultsBalancer;

  /**
   * The URL the canned interceptor last answered, for the set-up checks: one plain field write per call, in every
   * variant (the default breaker's pool thread writes it before the caller's wait for the result returns).
   */
  private HttpUrl lastUrl = HttpUrl.get(BARE_URL);

  @Setup(Level.Trial)
  public void setUp() {
    canned = new OkHttpClient.Builder()
        .addInterceptor(chain -> {
          lastUrl = chain.request().url();
          return CannedResponse.INSTANCE.intercept(chain);
        })
        .build();
    bareRequest = new Request.Builder().url(BARE_URL).build();

    List<Endpoint> endpoints = new ArrayList<>();
    for (int i = 0; i < SpringCloudPeer.INSTANCES; i++) {
      endpoints.add(Endpoint.of(SpringCloudPeer.SERVICE, SpringCloudPeer.address(i), 8080));
    }
    mesh = Mesh.builder()
        .discovery(StaticServiceDiscovery.of(endpoints))
        .meterRegistry(new SimpleMeterRegistry())
        .build();
    meshed = mesh.newOkHttpClient(canned);
    meshRequest = new Request.Builder().url(LOGICAL_URL).build();

    tuned = SpringCloudPeer.start(SpringCloudPeer.Breaker.TUNED);
    tunedBalancer = tuned.context().getBean(LoadBalancerClient.class);
    defaults = SpringCloudPeer.start(SpringCloudPeer.Breaker.DEFAULTS);
    defaultsBalancer = defaults.context().getBean(LoadBalancerClient.class);

    check("bareOkHttp", this::bareOkHttp, false);
    check("bareOkHttpRequestPerCall", this::bareOkHttpRequestPerCall, false);
    check("meshOkHttp", this::meshOkHttp, true);
    check("springCloudTuned", this::springCloudTuned, true);
    check("springCloudDefaults", this::springCloudDefaults, true);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    tuned.close();
    defaults.close();
    mesh.close();
  }

  /** The floor: the canned OkHttp call, a fixed {@code Request}. */
  @Benchmark
  public int bareOkHttp() throws IOException {
    try (Response r = canned.newCall(bareRequest).execute()) {
      return r.code();
    }
  }

  /** The floor with the {@code Request} built per call from a {@code URI}, as Spring Cloud's variants do. */
  @Benchmark
  public int bareOkHttpRequestPerCall() throws IOException {
    return exchange(BARE_URI);
  }

  /** The mesh's OkHttp client, {@code http://inventory/items/42}, product defaults, metrics on. */
  @Benchmark
  public int meshOkHttp() throws IOException {
    try (Response r = meshed.newCall(meshRequest).execute()) {
      return r.code();
    }
  }

  /** Spring Cloud LoadBalancer + CircuitBreaker (semaphore bulkhead, caller's thread) + a Micrometer timer. */
  @Benchmark
  public int springCloudTuned() {
    return springCloud(tuned, tunedBalancer);
  }

  /** The same with Spring Cloud CircuitBreaker's defaults (thread-pool bulkhead, time limiter). */
  @Benchmark
  public int springCloudDefaults() {
    return springCloud(defaults, defaultsBalancer);
  }

  private int springCloud(SpringCloudPeer peer, LoadBalancerClient balancer) {
    return peer.call(() -> {
      ServiceInstance instance = balancer.choose(SpringCloudPeer.SERVICE);
      if (instance == null) {
        throw new IllegalStateException("no instance of " + SpringCloudPeer.SERVICE);
      }
      try {
        return exchange(balancer.reconstructURI(instance, LOGICAL_URI));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  private int exchange(URI uri) throws IOException {
    Request request = new Request.Builder().url(uri.toString()).build();
    try (Response r = canned.newCall(request).execute()) {
      return r.code();
    }
  }

  /**
   * Runs a variant 50 times: every call answers 200; balanced variants spread over the 10 instances (round-robin
   * reaches all of them; the mesh's least-request picks two at random and may miss some), the others reach
   * {@code 10.0.0.1}.
   */
  private void check(String name, CheckedCall call, boolean balanced) {
    Set<String> hosts = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      int code;
      try {
        code = call.call();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (code != 200) {
        throw new IllegalStateException(name + ": status " + code);
      }
      HttpUrl url = requireNonNull(lastUrl);
      if (url.port() != 8080 || !url.encodedPath().equals("/items/42")) {
        throw new IllegalStateException(name + ": called " + url);
      }
      hosts.add(url.host());
    }
    boolean ok = balanced ? hosts.size() >= SpringCloudPeer.INSTANCES / 2 : hosts.equals(Set.of("10.0.0.1"));
    for (String h : hosts) {
      ok &= h.startsWith("10.0.0.");
    }
    if (!ok) {
      throw new IllegalStateException(name + ": reached " + hosts);
    }
  }

  @FunctionalInterface
  private interface CheckedCall {
    int call() throws IOException;
  }
}
