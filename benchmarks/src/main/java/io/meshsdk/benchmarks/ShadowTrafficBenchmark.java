package io.meshsdk.benchmarks;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.sidecar.MigrationReport;
import io.meshsdk.core.sidecar.ReadinessProbe;
import io.meshsdk.core.sidecar.SidecarConfig;
import io.meshsdk.testing.LoopbackBackend;
import java.io.IOException;
import java.time.Duration;
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
 * The primary call's latency with and without shadow traffic (issue 14, "Observe before shifting": primary p99
 * at most 1.05× without shadowing). One caller thread calls {@code http://inventory/items/42} through the mesh,
 * end to end on loopback: the service's endpoint is a {@link LoopbackBackend}; the "sidecar" is a second one
 * (it answers whatever Host it is sent), probed by TCP. {@code mode} is the service's route mode: {@code direct}
 * (no shadow; the sidecar is configured all the same), {@code shadow:10} and {@code shadow:100} (a copy of 10 %
 * or of every call goes to the sidecar, asynchronously). Sample time: JMH reports p50/p90/p99 of the primary call
 * (headers and body), which is what the caller waits for; the copies run on the mesh's {@code mesh-shadow}
 * threads meanwhile.
 *
 * <pre>{@code
 * java -jar benchmarks/target/benchmarks.jar ShadowTrafficBenchmark -f 1 -wi 3 -w 2s -i 5 -r 4s -prof gc
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 4)
@Fork(1)
public class ShadowTrafficBenchmark {

  @Param({"direct", "shadow:10", "shadow:100"})
  public String mode = "direct";

  /**
   * {@code route.shadow-max-cpu}: 100 (the default here) sends every picked copy however busy the machine is, so
   * the copies' cost is what is measured; the product's default (75) sheds them while the host is busy.
   */
  @Param({"100"})
  public String shadowMaxCpu = "100";

  private LoopbackBackend backend;
  private LoopbackBackend sidecar;
  private Mesh mesh;
  private OkHttpClient client;
  private Request request;

  @Setup(Level.Trial)
  public void setUp() {
    backend = LoopbackBackend.start("direct");
    sidecar = LoopbackBackend.start("sidecar");
    mesh = Mesh.builder()
        .discovery(StaticServiceDiscovery.of(Endpoint.of("inventory", backend.host(), backend.port())))
        .config(MeshConfig.builder().service("inventory", s -> s.set("route.mode", mode)
            .set("route.shadow-max-cpu", shadowMaxCpu)).build())
        .sidecar(SidecarConfig.builder().address(sidecar.host(), sidecar.port()).readiness(ReadinessProbe.TCP)
            .probeInterval(Duration.ofHours(1)).build()) // probed once, at build: no probe noise
        .build();
    if (!mesh.sidecarBridge().isReady()) {
      throw new IllegalStateException("sidecar not ready: " + mesh.sidecarBridge());
    }
    client = mesh.newOkHttpClient();
    request = new Request.Builder().url("http://inventory/items/42").build();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    MigrationReport.Service s = mesh.migrationReport().service("inventory");
    if (s != null && !s.shadow().isEmpty()) {
      MigrationReport.Shadow sh = s.shadow();
      System.out.printf(java.util.Locale.ROOT, "%n[%s] last 60 s: %d direct calls, %d copies sent, %d pairs,"
          + " %d dropped (%d concurrency, %d cpu), shadow p50 %d us p99 %d us%n", mode, s.direct().calls(),
          sh.sent(), sh.pairs(), sh.dropped(), sh.droppedConcurrency(), sh.droppedCpu(), sh.shadow().p50Micros(),
          sh.shadow().p99Micros());
    }
    mesh.close();
    backend.close();
    sidecar.close();
  }

  @Benchmark
  public int primaryCall() throws IOException {
    try (Response r = client.newCall(request).execute()) {
      r.body().source().skip(r.body().contentLength());
      return r.code();
    }
  }
}
