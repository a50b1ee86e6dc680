package io.meshsdk.benchmarks;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.discovery.ServiceDiscovery;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.spring.EnableMesh;
import io.meshsdk.spring.MeshClientHttpRequestFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
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
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.cloud.client.loadbalancer.LoadBalanced;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.client.AbstractClientHttpRequest;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.web.client.RestClient;

/**
 * The starter's {@code RestClient} path next to Spring Cloud's {@code @LoadBalanced RestClient} with Spring Cloud
 * CircuitBreaker (resilience4j) around each call, every variant over the same canned
 * {@link ClientHttpRequestFactory} (200 with a small body, no I/O), in one run.
 *
 * <ul>
 *   <li>{@code bareRestClient}: a {@code RestClient} over the canned factory, fixed URL: the floor.
 *   <li>{@code bareRestClientWithInterceptor}: the same with one pass-through interceptor: the part of any
 *       interceptor's cost that is Spring's (request buffering, header copies), not the mesh's.
 *   <li>{@code meshRestClient}: Boot's {@code RestClient.Builder} from a Spring Boot context with {@code @EnableMesh}
 *       and the starter's auto-configuration (it wraps the application's request factory, here the canned one given as
 *       a {@code ClientHttpRequestFactoryBuilder} bean, in {@code MeshClientHttpRequestFactory}), a mesh
 *       over 10 static endpoints with the product's defaults (breaker, retry budget, outlier detection, round-robin),
 *       metrics into a {@code SimpleMeterRegistry}; {@code GET http://inventory/items/42}.
 *   <li>{@code springCloudLoadBalancedTuned}: Spring Cloud LoadBalancer's {@code @LoadBalanced RestClient.Builder}
 *       (its Boot auto-configuration, {@code SimpleDiscoveryClient} with the same 10 instances, round-robin, cached
 *       instance list), each call inside {@code circuitBreakerFactory.create("inventory").run(...)} on the caller's
 *       thread (semaphore bulkhead, no thread pool, no time limiter) and inside a Micrometer {@code Timer}.
 *   <li>{@code springCloudLoadBalancedDefaults}: the same with Spring Cloud CircuitBreaker's defaults (thread-pool
 *       bulkhead, 1 s time limiter: each call is handed to another thread and waited for).
 * </ul>
 *
 * <p>Tracing is off on both sides ({@code mesh.tracing.enabled=false}; no Micrometer Tracing on the peer): the
 * comparison is discovery, balancing, breaker, bulkhead and metrics. Results: {@code docs/benchmarks.md}, "Spring: the
 * starter's RestClient against Spring Cloud LoadBalancer + CircuitBreaker".
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class SpringRestClientPeerBenchmark {

  static final int INSTANCES = SpringCloudPeer.INSTANCES;
  static final String MESH_URL = "http://inventory/items/42";
  static final String BARE_URL = "http://10.0.0.1:8080/items/42";

  /** The canned transport of every variant (one per JVM: the mesh's application reaches it as a bean). */
  static final CannedRequestFactory CANNED = new CannedRequestFactory();

  private CannedRequestFactory factory;
  private RestClient bare;
  private RestClient bareIntercepted;
  private RestClient meshed;
  private CloudPeer tuned;
  private CloudPeer defaults;
  private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();

  @Setup(Level.Trial)
  public void setUp() {
    factory = CANNED;
    bare = RestClient.builder().requestFactory(factory).build();
    bareIntercepted = RestClient.builder().requestFactory(factory)
        .requestInterceptor((request, body, execution) -> execution.execute(request, body))
        .build();

    ConfigurableApplicationContext mesh = start(MeshApplication.class,
        "spring.application.name=checkout",
        "mesh.tracing.enabled=false");
    meshed = mesh.getBean(RestClient.Builder.class).build();
    if (!(mesh.getBean(ClientHttpRequestFactoryBuilder.class).build() instanceof MeshClientHttpRequestFactory)) {
      throw new IllegalStateException("the starter did not wrap the request factory");
    }

    tuned = new CloudPeer(SpringCloudPeer.start(SpringCloudPeer.Breaker.TUNED, LoadBalancedBuilder.class), factory);
    defaults = new CloudPeer(SpringCloudPeer.start(SpringCloudPeer.Breaker.DEFAULTS, LoadBalancedBuilder.class),
        factory);

    check("bare", this::bareRestClient, false);
    check("bare with interceptor", this::bareRestClientWithInterceptor, false);
    check("mesh", this::meshRestClient, true);
    check("tuned", this::springCloudLoadBalancedTuned, true);
    check("defaults", this::springCloudLoadBalancedDefaults, true);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    tuned.close();
    defaults.close();
    for (ConfigurableApplicationContext c : contexts) {
      c.close();
    }
  }

  /** The floor: {@code RestClient} over the canned factory, fixed URL, no interceptor. */
  @Benchmark
  public String bareRestClient() {
    return requireNonNull(bare.get().uri(BARE_URL).retrieve().body(String.class));
  }

  /**
   * The floor with one pass-through interceptor: what any {@code ClientHttpRequestInterceptor} costs (Spring then
   * buffers the request and copies its headers), the mesh's or another.
   */
  @Benchmark
  public String bareRestClientWithInterceptor() {
    return requireNonNull(bareIntercepted.get().uri(BARE_URL).retrieve().body(String.class));
  }

  /** The starter's path: Boot's builder, its factory the mesh's around the canned one, {@code http://inventory/...}. */
  @Benchmark
  public String meshRestClient() {
    return requireNonNull(meshed.get().uri(MESH_URL).retrieve().body(String.class));
  }

  /** Spring Cloud LoadBalancer + CircuitBreaker on the caller's thread + a Micrometer timer. */
  @Benchmark
  public String springCloudLoadBalancedTuned() {
    return tuned.call();
  }

  /** The same with Spring Cloud CircuitBreaker's defaults (thread-pool bulkhead, time limiter). */
  @Benchmark
  public String springCloudLoadBalancedDefaults() {
    return defaults.call();
  }

  private ConfigurableApplicationContext start(Class<?> source, String... properties) {
    ConfigurableApplicationContext c = SpringCloudPeer.context(new Class<?>[] {source}, properties);
    contexts.add(c);
    return c;
  }

  private static String address(int i) {
    return SpringCloudPeer.address(i);
  }

  /**
   * Runs a variant 50 times: the answer is the canned body; balanced variants spread over the 10 instances (all of
   * them with round-robin; the mesh's default policy, least-request, picks two at random and may miss some).
   */
  private void check(String name, CheckedCall call, boolean balanced) {
    Set<String> hosts = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      String body = call.call();
      if (!CannedRequestFactory.BODY_TEXT.equals(body)) {
        throw new IllegalStateException(name + ": unexpected body " + body);
      }
      hosts.add(String.valueOf(factory.lastUri.getHost()));
    }
    boolean ok = balanced ? hosts.size() >= INSTANCES / 2 : hosts.equals(Set.of(address(0)));
    for (String h : hosts) {
      ok &= h.startsWith("10.0.0.");
    }
    if (!ok) {
      throw new IllegalStateException(name + ": reached " + hosts);
    }
  }

  @FunctionalInterface
  private interface CheckedCall {
    String call();
  }

  /** Spring Cloud's client as its documentation shows it: the breaker per call, a timer around it. */
  private static final class CloudPeer {
    private final SpringCloudPeer peer;
    private final RestClient client;

    CloudPeer(SpringCloudPeer peer, ClientHttpRequestFactory factory) {
      this.peer = peer;
      RestClient.Builder builder = peer.context().getBean("loadBalancedRestClientBuilder", RestClient.Builder.class);
      this.client = builder.requestFactory(factory).build();
    }

    String call() {
      return peer.call(this::get);
    }

    private String get() {
      return requireNonNull(client.get().uri(MESH_URL).retrieve().body(String.class));
    }

    void close() {
      peer.close();
    }
  }

  /** The application with the starter: {@code @EnableMesh}, static discovery, a meter registry. */
  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  @EnableMesh
  static class MeshApplication {

    @Bean
    ServiceDiscovery serviceDiscovery() {
      List<Endpoint> endpoints = new ArrayList<>();
      for (int i = 0; i < INSTANCES; i++) {
        endpoints.add(Endpoint.of("inventory", address(i), 8080));
      }
      return StaticServiceDiscovery.of(endpoints);
    }

    @Bean
    MeterRegistry meterRegistry() {
      return new SimpleMeterRegistry();
    }

    /** The canned transport, plugged in as a Boot application plugs in its own factory. */
    @Bean
    ClientHttpRequestFactoryBuilder<?> cannedFactoryBuilder() {
      return settings -> CANNED;
    }
  }

  /** Added to {@link SpringCloudPeer.CloudApplication}: a {@code @LoadBalanced RestClient.Builder}. */
  @Configuration(proxyBeanMethods = false)
  static class LoadBalancedBuilder {

    @Bean
    @LoadBalanced
    RestClient.Builder loadBalancedRestClientBuilder() {
      return RestClient.builder();
    }
  }

  /** Answers every request 200 with a small text body; no I/O. Remembers the last URI (for the set-up checks). */
  static final class CannedRequestFactory implements ClientHttpRequestFactory {
    static final String BODY_TEXT = "{\"id\":42,\"name\":\"widget\",\"stock\":7}";
    static final byte[] BODY = BODY_TEXT.getBytes(StandardCharsets.UTF_8);
    static final HttpHeaders RESPONSE_HEADERS;

    static {
      HttpHeaders h = new HttpHeaders();
      h.setContentType(new MediaType(MediaType.TEXT_PLAIN, StandardCharsets.UTF_8));
      h.setContentLength(BODY.length);
      RESPONSE_HEADERS = HttpHeaders.readOnlyHttpHeaders(h);
    }

    URI lastUri = URI.create(BARE_URL);

    @Override
    public ClientHttpRequest createRequest(URI uri, HttpMethod method) {
      lastUri = uri;
      return new CannedRequest(uri, method);
    }
  }

  private static final class CannedRequest extends AbstractClientHttpRequest {
    private final URI uri;
    private final HttpMethod method;

    CannedRequest(URI uri, HttpMethod method) {
      this.uri = uri;
      this.method = method;
    }

    @Override
    public HttpMethod getMethod() {
      return method;
    }

    @Override
    public URI getURI() {
      return uri;
    }

    @Override
    protected OutputStream getBodyInternal(HttpHeaders headers) {
      return OutputStream.nullOutputStream();
    }

    @Override
    protected ClientHttpResponse executeInternal(HttpHeaders headers) {
      return new CannedHttpResponse();
    }
  }

  private static final class CannedHttpResponse implements ClientHttpResponse {
    private @Nullable InputStream body;

    @Override
    public HttpStatusCode getStatusCode() {
      return HttpStatus.OK;
    }

    @Override
    public String getStatusText() {
      return "OK";
    }

    @Override
    public HttpHeaders getHeaders() {
      return CannedRequestFactory.RESPONSE_HEADERS;
    }

    @Override
    public InputStream getBody() {
      InputStream b = body;
      if (b == null) {
        b = new ByteArrayInputStream(CannedRequestFactory.BODY);
        body = b;
      }
      return b;
    }

    @Override
    public void close() {}
  }
}
