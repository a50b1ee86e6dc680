package io.meshsdk.core.loadbalancer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.common.Ticker;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.endpoint.EndpointState;
import io.meshsdk.testing.LoopbackBackend;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Regression tests: a passive ejection rebuilds the service's picker on the request thread (the call that tripped
 * the ejection pays for {@code LoadBalancer.newPicker}). A {@link LoadBalancerProvider} registered in this
 * module's test resources ({@code META-INF/services/io.meshsdk.core.loadbalancer.LoadBalancerProvider}) wraps
 * round-robin and records the thread of every {@code newPicker}.
 *
 * <ul>
 *   <li>{@link #anEjectionDoesNotRebuildThePickerOnTheCallingThread}: calls made on a dedicated thread eject an
 *       endpoint answering 503; the picker without it is built, but never on that thread (before the fix: it is).
 * </ul>
 */
public class PickerRebuildIT {

  /** The policy name of the recording balancer. */
  public static final String POLICY = "test-thread-recording";

  /** One {@code newPicker} call: the thread it ran on and how many endpoints were eligible. */
  public record Build(String thread, int eligible) {}

  private static final ConcurrentLinkedQueue<Build> BUILDS = new ConcurrentLinkedQueue<>();

  /** Registers {@link #POLICY} through {@link java.util.ServiceLoader}. */
  public static final class RecordingProvider implements LoadBalancerProvider {
    @Override
    public String name() {
      return POLICY;
    }

    @Override
    public LoadBalancer newLoadBalancer(LoadBalancerConfig config, Ticker ticker) {
      LoadBalancer delegate = new RoundRobinLoadBalancer();
      return new LoadBalancer() {
        @Override
        public Picker newPicker(EndpointSet all, List<EndpointState> eligible) {
          BUILDS.add(new Build(Thread.currentThread().getName(), eligible.size()));
          return delegate.newPicker(all, eligible);
        }

        @Override
        public String name() {
          return POLICY;
        }
      };
    }
  }

  private static final String CALLER = "test-caller";

  private LoopbackBackend bad;
  private LoopbackBackend good;
  private Mesh mesh;
  private ExecutorService caller;

  @BeforeEach
  void setUp() {
    BUILDS.clear();
    caller = Executors.newSingleThreadExecutor(r -> new Thread(r, CALLER));
    bad = LoopbackBackend.start("inventory-bad");
    bad.mode(LoopbackBackend.failing(503));
    good = LoopbackBackend.start("inventory-good");
    mesh = Mesh.builder()
        .discovery(StaticServiceDiscovery.of(
            Endpoint.of("inventory", bad.host(), bad.port()), Endpoint.of("inventory", good.host(), good.port())))
        .config(MeshConfig.builder().service("inventory", s -> s
            .set("lb.policy", POLICY)
            .set("retry.enabled", "false")
            .set("outlier.consecutive-failures", "2")
            .set("outlier.max-ejection-time", "1h")
            .set("outlier.base-ejection-time", "1h")).build())
        .build();
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    caller.shutdownNow();
    caller.awaitTermination(10, TimeUnit.SECONDS);
    if (mesh != null) {
      mesh.close();
    }
    bad.close();
    good.close();
  }

  @Test
  void anEjectionDoesNotRebuildThePickerOnTheCallingThread() throws Exception {
    assertThat(mesh.snapshot().service("inventory").loadBalancer()).isEqualTo(POLICY);
    OkHttpClient http = mesh.newOkHttpClient();
    caller.submit(() -> {
      for (int i = 0; i < 20 && mesh.resilience("inventory").ejections() == 0; i++) {
        try (Response r = http.newCall(new Request.Builder().url("http://inventory/x").build()).execute()) {
          r.body().string();
        }
      }
      return null;
    }).get(60, TimeUnit.SECONDS);
    assertThat(mesh.resilience("inventory").ejections()).as("ejections after the calls").isEqualTo(1);
    // the picker without the ejected endpoint gets built (whatever thread builds it)
    await().atMost(Duration.ofSeconds(10)).until(() -> BUILDS.stream().anyMatch(b -> b.eligible() == 1));
    assertThat(BUILDS).as("newPicker calls (thread, eligible endpoints)")
        .noneMatch(b -> b.thread().equals(CALLER));
  }
}
