package io.meshsdk.benchmarks;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cloud.circuitbreaker.resilience4j.Resilience4JCircuitBreakerFactory;
import org.springframework.cloud.client.circuitbreaker.CircuitBreakerFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The Spring Cloud side of the peer benchmarks ({@link SpringRestClientPeerBenchmark}, {@link PeerPipelineBenchmark}),
 * built as a Spring Cloud user builds it: a Spring Boot context with auto-configuration (Spring Cloud LoadBalancer
 * over {@code SimpleDiscoveryClient} with {@link #INSTANCES} instances of {@code inventory} from properties, Spring
 * Cloud CircuitBreaker on resilience4j, a {@code SimpleMeterRegistry}), and each call run as the documentation shows
 * it: {@code timer.record(() -> circuitBreakerFactory.create("inventory").run(work))}.
 *
 * <ul>
 *   <li>{@link Breaker#TUNED}: the call stays on the caller's thread: semaphore bulkhead, no thread pool, no time
 *       limiter ({@code spring.cloud.circuitbreaker.resilience4j.enable-semaphore-default-bulkhead},
 *       {@code disable-thread-pool}, {@code disable-time-limiter}).
 *   <li>{@link Breaker#DEFAULTS}: out of the box: thread-pool bulkhead and a 1 s time limiter; each call is handed to
 *       a pool thread and waited for.
 * </ul>
 */
final class SpringCloudPeer implements AutoCloseable {

  /** The service's instances: {@code http://10.0.0.1:8080} to {@code http://10.0.0.10:8080}. */
  static final int INSTANCES = 10;

  /** The service's name, for discovery and for the circuit breaker. */
  static final String SERVICE = "inventory";

  /** How Spring Cloud CircuitBreaker is configured. */
  enum Breaker {
    /** Semaphore bulkhead, no thread pool, no time limiter: the call runs on the caller's thread. */
    TUNED,
    /** Spring Cloud CircuitBreaker's defaults: thread-pool bulkhead and time limiter. */
    DEFAULTS
  }

  private final ConfigurableApplicationContext context;
  private final CircuitBreakerFactory<?, ?> breakers;
  private final Timer timer;
  private final ExecutorService pool;

  private SpringCloudPeer(ConfigurableApplicationContext context) {
    this.context = context;
    this.breakers = context.getBean(CircuitBreakerFactory.class);
    // The factory's default is Executors.newCachedThreadPool(), whose threads keep the forked JVM alive after the
    // run: the same pool with daemon threads, shut down at close.
    this.pool = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "circuit-breaker-pool");
      t.setDaemon(true);
      return t;
    });
    ((Resilience4JCircuitBreakerFactory) breakers).configureExecutorService(pool);
    this.timer = Timer.builder("http.client.calls").tag("service", SERVICE)
        .register(context.getBean(MeterRegistry.class));
  }

  /**
   * Starts a Spring Cloud application context: {@link CloudApplication} and {@code extraSources}, the breaker
   * configured as {@code breaker} says.
   */
  static SpringCloudPeer start(Breaker breaker, Class<?>... extraSources) {
    List<String> p = new ArrayList<>();
    p.add("spring.application.name=checkout");
    for (int i = 0; i < INSTANCES; i++) {
      p.add("spring.cloud.discovery.client.simple.instances." + SERVICE + "[" + i + "].uri=http://"
          + address(i) + ":8080");
    }
    if (breaker == Breaker.TUNED) {
      p.add("spring.cloud.circuitbreaker.resilience4j.enable-semaphore-default-bulkhead=true");
      p.add("spring.cloud.circuitbreaker.resilience4j.disable-thread-pool=true");
      p.add("spring.cloud.circuitbreaker.resilience4j.disable-time-limiter=true");
    }
    Class<?>[] sources = new Class<?>[extraSources.length + 1];
    sources[0] = CloudApplication.class;
    System.arraycopy(extraSources, 0, sources, 1, extraSources.length);
    SpringCloudPeer peer = new SpringCloudPeer(context(sources, p.toArray(new String[0])));
    Thread caller = Thread.currentThread();
    Thread ran = peer.threadOfCall();
    if (breaker == Breaker.TUNED && ran != caller) {
      peer.close();
      throw new IllegalStateException("tuned circuit breaker ran the call on " + ran);
    }
    if (breaker == Breaker.DEFAULTS && ran == caller) {
      peer.close();
      throw new IllegalStateException("default circuit breaker ran the call on the caller's thread");
    }
    return peer;
  }

  /** A non-web Spring Boot application context of {@code sources} with {@code properties}. */
  static ConfigurableApplicationContext context(Class<?>[] sources, String... properties) {
    return new SpringApplicationBuilder(sources)
        .web(WebApplicationType.NONE)
        .logStartupInfo(false)
        .properties(properties)
        .run();
  }

  /** The address of instance {@code i}, {@code 10.0.0.(i + 1)}. */
  static String address(int i) {
    return "10.0.0." + (i + 1);
  }

  /** The application context. */
  ConfigurableApplicationContext context() {
    return context;
  }

  /** Runs {@code work} as a Spring Cloud user does: in the service's circuit breaker, timed. */
  <T> T call(Supplier<T> work) {
    return requireNonNull(timer.record(() -> breakers.create(SERVICE).run(work)));
  }

  private Thread threadOfCall() {
    AtomicReference<@Nullable Thread> ran = new AtomicReference<>();
    call(() -> {
      ran.set(Thread.currentThread());
      return "";
    });
    return requireNonNull(ran.get());
  }

  @Override
  public void close() {
    pool.shutdownNow();
    context.close();
  }

  /** The Spring Cloud application: auto-configuration (discovery, balancer and breaker from properties), a registry. */
  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class CloudApplication {

    @Bean
    MeterRegistry meterRegistry() {
      return new SimpleMeterRegistry();
    }
  }
}
