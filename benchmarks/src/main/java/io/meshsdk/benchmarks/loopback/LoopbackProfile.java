package io.meshsdk.benchmarks.loopback;

import com.sun.management.ThreadMXBean;
import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * One path of {@link LoopbackComparison} in a JVM of its own, for a profiler: {@code raw} (OkHttp alone) or
 * {@code mesh} (mesh-direct, product defaults, Micrometer metrics) calls the {@link LoopbackServer} (started in
 * its own JVM) in a closed loop on the main thread, 5 s of warm-up then the given seconds, and prints the calling
 * thread's CPU time and allocation per call. Attach a sampling profiler to the JVM and compare the two runs' main
 * thread; e.g. async-profiler (Maven Central {@code tools.profiler:async-profiler}, its {@code linux-x64} library):
 *
 * <pre>
 * java -agentpath:libasyncProfiler.so=start,event=cpu,interval=1ms,threads,file=mesh.collapsed,collapsed \
 *     -cp benchmarks/target/benchmarks.jar io.meshsdk.benchmarks.loopback.LoopbackProfile mesh 40
 * </pre>
 */
public final class LoopbackProfile {

  private LoopbackProfile() {}

  /** {@code raw|mesh seconds}. */
  public static void main(String[] args) throws IOException {
    if (args.length != 2 || !(args[0].equals("raw") || args[0].equals("mesh"))) {
      throw new IllegalArgumentException("usage: LoopbackProfile raw|mesh <seconds>");
    }
    boolean raw = args[0].equals("raw");
    long seconds = Long.parseLong(args[1]);
    PrintStream out = System.out;
    try (ServerProcess server = ServerProcess.start(4, List.of())) {
      OkHttpClient base = new OkHttpClient.Builder()
          .connectionPool(new ConnectionPool(64, 5, TimeUnit.MINUTES)).build();
      @Nullable Mesh mesh = raw ? null : Mesh.builder()
          .discovery(StaticServiceDiscovery.of(Endpoint.of("inventory", "127.0.0.1", server.port())))
          .config(MeshConfig.builder().build())
          .meterRegistry(new SimpleMeterRegistry())
          .httpClient(base)
          .build();
      try {
        OkHttpClient client = mesh == null ? base : mesh.newOkHttpClient();
        Request request = new Request.Builder()
            .url(mesh == null ? "http://127.0.0.1:" + server.port() + "/items/42" : "http://inventory/items/42")
            .build();
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int phase = 0; phase < 2; phase++) {
          long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(phase == 0 ? 5 : seconds);
          long calls = 0;
          long cpu0 = threads.getCurrentThreadCpuTime();
          long bytes0 = threads.getCurrentThreadAllocatedBytes();
          long t0 = System.nanoTime();
          while (System.nanoTime() < end) {
            for (int i = 0; i < 100; i++) {
              try (Response r = client.newCall(request).execute()) {
                if (r.body().bytes().length != LoopbackServer.BODY_BYTES) {
                  throw new IOException("unexpected body length");
                }
              }
            }
            calls += 100;
          }
          out.printf(Locale.ROOT, "%s %s: %,d calls, %.2f us wall, %.2f us calling-thread CPU, %,d B per call%n",
              args[0], phase == 0 ? "warm-up" : "measured", calls, (System.nanoTime() - t0) / 1e3 / calls,
              (threads.getCurrentThreadCpuTime() - cpu0) / 1e3 / calls,
              (threads.getCurrentThreadAllocatedBytes() - bytes0) / calls);
        }
      } finally {
        if (mesh != null) {
          mesh.close();
        }
      }
    }
  }
}
