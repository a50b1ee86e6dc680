package io.meshsdk.benchmarks;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.sidecar.SidecarConfig;
import io.meshsdk.testing.LoopbackBackend;
import io.meshsdk.testing.sidecar.LocalSidecar;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * What the sidecar hop costs next to a direct call, on loopback, with real proxies: one backend, HAProxy and
 * nginx (whichever are installed) routing to it, and meshes with {@code inventory} set to {@code direct} or
 * {@code sidecar}. Paths are measured in interleaved rounds (so that vCPU placement drifts hit every path
 * alike) on one thread, and reported as p50/p90/p99 and p50 ratios against the mesh's direct path.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.meshsdk.benchmarks.SidecarHopComparison [rounds] [callsPerRound]
 * </pre>
 */
public final class SidecarHopComparison {

  private SidecarHopComparison() {}

  /** Runs the comparison and prints a table. */
  public static void main(String[] args) throws IOException {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int perRound = args.length > 1 ? Integer.parseInt(args[1]) : 250;
    List<AutoCloseable> closeables = new ArrayList<>();
    try (LoopbackBackend backend = LoopbackBackend.start("inventory-1")) {
      Map<String, OkHttpClient> paths = new LinkedHashMap<>();
      Mesh direct = mesh(backend, "direct", null);
      closeables.add(direct);
      paths.put("mesh direct", direct.newOkHttpClient());
      for (LocalSidecar sidecar : List.of(LocalSidecar.haproxy(), LocalSidecar.nginx())) {
        if (sidecar.binary() == null) {
          System.out.println(sidecar.name() + " is not installed (apt-get install " + sidecar.debianPackage()
              + "): skipped");
          continue;
        }
        sidecar.routeToPorts("inventory", backend.port()).start();
        closeables.add(sidecar);
        Mesh m = mesh(backend, "sidecar", SidecarConfig.builder()
            .address(sidecar.host(), sidecar.port()).readyUrl(sidecar.readyUrl()).build());
        closeables.add(m);
        paths.put("mesh via " + sidecar.name(), m.newOkHttpClient());
      }
      Request request = new Request.Builder().url("http://inventory/items/42").build();
      Map<String, long[]> samples = new LinkedHashMap<>();
      paths.keySet().forEach(k -> samples.put(k, new long[rounds * perRound]));
      for (OkHttpClient c : paths.values()) { // warm up every path: JIT, connections
        for (int i = 0; i < 2000; i++) {
          call(c, request);
        }
      }
      for (int r = 0; r < rounds; r++) {
        for (Map.Entry<String, OkHttpClient> e : paths.entrySet()) {
          long[] s = requireNonNull(samples.get(e.getKey()), "samples");
          for (int i = 0; i < perRound; i++) {
            long t0 = System.nanoTime();
            call(e.getValue(), request);
            s[r * perRound + i] = System.nanoTime() - t0;
          }
        }
      }
      double baseP50 = 0;
      System.out.printf(Locale.ROOT, "%d rounds x %d calls per path, interleaved; JDK %s, %d CPUs%n", rounds, perRound,
          Runtime.version(), Runtime.getRuntime().availableProcessors());
      System.out.printf(Locale.ROOT, "%-18s %9s %9s %9s %9s%n", "path", "p50 us", "p90 us", "p99 us", "p50 x");
      for (Map.Entry<String, long[]> e : samples.entrySet()) {
        long[] s = e.getValue();
        Arrays.sort(s);
        double p50 = s[s.length / 2] / 1000.0;
        if (baseP50 == 0) {
          baseP50 = p50;
        }
        System.out.printf(Locale.ROOT, "%-18s %9.1f %9.1f %9.1f %9.2f%n", e.getKey(), p50,
            s[(int) (s.length * 0.90)] / 1000.0, s[(int) (s.length * 0.99)] / 1000.0, p50 / baseP50);
      }
    } finally {
      for (int i = closeables.size() - 1; i >= 0; i--) {
        try {
          closeables.get(i).close();
        } catch (Exception e) {
          System.err.println("close failed: " + e);
        }
      }
    }
  }

  private static Mesh mesh(LoopbackBackend backend, String mode, @Nullable SidecarConfig sidecar) {
    return Mesh.builder()
        .discovery(StaticServiceDiscovery.of(Endpoint.of("inventory", backend.host(), backend.port())))
        .config(MeshConfig.builder().service("inventory", s -> s.set("route.mode", mode)).build())
        .sidecar(sidecar)
        .build();
  }

  private static void call(OkHttpClient client, Request request) throws IOException {
    try (Response r = client.newCall(request).execute()) {
      if (r.code() != 200) {
        throw new IOException("unexpected status " + r.code());
      }
      r.body().string();
    }
  }
}
