package io.meshsdk.benchmarks;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The in-JVM clients of {@link SidecarBridgeBenchmark}, measured in interleaved rounds instead of one JMH run
 * per variant: on a shared 2-vCPU machine the load of other processes drifts over minutes, and interleaving
 * makes every variant see the same drift, so their ratios hold even when absolute figures do not. Each round is
 * timed in wall-clock time and in the thread's CPU time (which excludes time the thread was descheduled by
 * other processes: the calls are synchronous and never leave the thread). Reports the median ns/call over the
 * rounds for each variant and its difference to {@code bareProxyHop}.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.meshsdk.benchmarks.SidecarBridgeInterleaved [rounds] [callsPerRound]
 * </pre>
 */
public final class SidecarBridgeInterleaved {

  private SidecarBridgeInterleaved() {}

  interface Call {
    int run() throws IOException;
  }

  /** Runs the comparison and prints a table. */
  public static void main(String[] args) throws IOException {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    int perRound = args.length > 1 ? Integer.parseInt(args[1]) : 50_000;
    SidecarBridgeBenchmark b = new SidecarBridgeBenchmark();
    b.setUp();
    try {
      Map<String, Call> variants = new LinkedHashMap<>();
      variants.put("plainClient", b::plainClient);
      variants.put("bareProxyHop", b::bareProxyHop);
      variants.put("bridgeSidecar", b::bridgeSidecar);
      variants.put("bridgeSplit50", b::bridgeSplit50);
      variants.put("meshDirect", b::meshDirect);
      Map<String, double[]> nsPerCall = new LinkedHashMap<>();
      Map<String, double[]> cpuPerCall = new LinkedHashMap<>();
      variants.keySet().forEach(k -> nsPerCall.put(k, new double[rounds]));
      variants.keySet().forEach(k -> cpuPerCall.put(k, new double[rounds]));
      java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
      long sink = 0;
      for (Call c : variants.values()) { // warm-up
        for (int i = 0; i < 200_000; i++) {
          sink += c.run();
        }
      }
      for (int r = 0; r < rounds; r++) {
        for (Map.Entry<String, Call> e : variants.entrySet()) {
          Call c = e.getValue();
          long cpu0 = mx.getCurrentThreadCpuTime();
          long t0 = System.nanoTime();
          for (int i = 0; i < perRound; i++) {
            sink += c.run();
          }
          double[] wall = requireNonNull(nsPerCall.get(e.getKey()), "nsPerCall");
          double[] cpu = requireNonNull(cpuPerCall.get(e.getKey()), "cpuPerCall");
          wall[r] = (System.nanoTime() - t0) / (double) perRound;
          cpu[r] = (mx.getCurrentThreadCpuTime() - cpu0) / (double) perRound;
        }
      }
      double base = median(requireNonNull(nsPerCall.get("bareProxyHop"), "nsPerCall"));
      double cpuBase = median(requireNonNull(cpuPerCall.get("bareProxyHop"), "cpuPerCall"));
      System.out.printf(Locale.ROOT, "%d rounds x %d calls, interleaved; JDK %s, %d CPUs (sink %d)%n", rounds, perRound,
          Runtime.version(), Runtime.getRuntime().availableProcessors(), sink % 7);
      System.out.printf(Locale.ROOT, "%-15s %10s %10s %14s %10s %14s%n", "variant", "wall ns", "min ns",
          "wall vs bare", "cpu ns", "cpu vs bare");
      for (Map.Entry<String, double[]> e : nsPerCall.entrySet()) {
        double m = median(e.getValue());
        double c = median(requireNonNull(cpuPerCall.get(e.getKey()), "cpuPerCall"));
        System.out.printf(Locale.ROOT, "%-15s %10.0f %10.0f %+11.0f ns %10.0f %+11.0f ns%n", e.getKey(), m,
            Arrays.stream(e.getValue()).min().orElse(0), m - base, c, c - cpuBase);
      }
    } finally {
      b.tearDown();
    }
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }
}
