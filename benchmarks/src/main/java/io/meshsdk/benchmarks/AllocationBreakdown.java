package io.meshsdk.benchmarks;

import static java.util.Objects.requireNonNull;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.management.ObjectName;

/**
 * What one call allocates, class by class: the {@link MeshPipelineBenchmark} variants run in a JVM whose collector
 * never collects (Epsilon), and the heap's class histogram ({@code GC.class_histogram -all}, every object, reachable
 * or not) is taken before and after a measured batch that follows a warm-up. What escape analysis removes is not
 * counted, as in production; what is counted is exact (not sampled). JMH's {@code -prof gc} gives the same totals;
 * this says which objects they are.
 *
 * <pre>
 * java -XX:+UnlockExperimentalVMOptions -XX:+UseEpsilonGC -Xms6g -Xmx6g \
 *   -cp benchmarks/target/benchmarks.jar io.meshsdk.benchmarks.AllocationBreakdown [observer] [calls]
 * </pre>
 *
 * <p>{@code observer} is one of {@link MeshPipelineBenchmark#observer}'s values (default {@code metrics}); 300,000
 * warm-up calls, then {@code calls} (default 200,000) measured, per variant: {@code plainClient}, {@code rewriteFloor},
 * {@code meshClient}. Needs about 1.5 KB of heap per call and variant (Epsilon never frees).
 */
public final class AllocationBreakdown {

  private static final int WARM_UP = 300_000;

  private AllocationBreakdown() {}

  /** Runs the three variants and prints, per variant, the bytes and instances per call of every class. */
  public static void main(String[] args) throws Exception {
    String observer = args.length > 0 ? args[0] : "metrics";
    int calls = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
    if (!ManagementFactory.getRuntimeMXBean().getInputArguments().contains("-XX:+UseEpsilonGC")) {
      System.out.println("warning: run with -XX:+UnlockExperimentalVMOptions -XX:+UseEpsilonGC, or a collection "
          + "between the two histograms hides objects");
    }
    MeshPipelineBenchmark b = new MeshPipelineBenchmark();
    b.policy = "least-request";
    b.observer = observer;
    b.setUp();
    try {
      Map<String, Callable<Integer>> variants = new java.util.LinkedHashMap<>();
      variants.put("plainClient", b::plainClient);
      variants.put("rewriteFloor", b::rewriteFloor);
      variants.put("meshClient", b::meshClient);
      Map<String, Double> totals = new java.util.LinkedHashMap<>();
      for (Map.Entry<String, Callable<Integer>> v : variants.entrySet()) {
        totals.put(v.getKey(), measure(v.getKey(), v.getValue(), calls));
      }
      double plain = requireNonNull(totals.get("plainClient"), "plain");
      System.out.printf(Locale.ROOT, "%nobserver=%s, B per call: plain %.1f, rewrite floor %.1f (+%.1f), mesh %.1f"
              + " (+%.1f over plain, +%.1f over the floor)%n", observer, plain, totals.get("rewriteFloor"),
          requireNonNull(totals.get("rewriteFloor"), "floor") - plain, totals.get("meshClient"),
          requireNonNull(totals.get("meshClient"), "mesh") - plain,
          requireNonNull(totals.get("meshClient"), "mesh") - requireNonNull(totals.get("rewriteFloor"), "floor"));
    } finally {
      b.tearDown();
    }
  }

  private static double measure(String name, Callable<Integer> op, int calls) throws Exception {
    int sink = 0;
    for (int i = 0; i < WARM_UP; i++) {
      sink += op.call();
    }
    Map<String, long[]> before = histogram();
    for (int i = 0; i < calls; i++) {
      sink += op.call();
    }
    Map<String, long[]> after = histogram();
    List<Row> rows = new ArrayList<>();
    long total = 0;
    for (Map.Entry<String, long[]> e : after.entrySet()) {
      long[] was = before.getOrDefault(e.getKey(), new long[2]);
      long bytes = e.getValue()[1] - was[1];
      long count = e.getValue()[0] - was[0];
      // the boxed Integer each Callable returns (a status code above the box cache) is the harness's own
      if (bytes * 100 >= calls && !e.getKey().equals("java.lang.Integer")) { // at least 0.01 B per call
        rows.add(new Row(e.getKey(), (double) bytes / calls, (double) count / calls));
        total += bytes;
      }
    }
    rows.sort((x, y) -> Double.compare(y.bytes(), x.bytes()));
    double perCall = (double) total / calls;
    System.out.printf(Locale.ROOT, "%n%s: %.1f B per call (%d calls; result %d)%n", name, perCall, calls, sink);
    for (Row r : rows) {
      System.out.printf(Locale.ROOT, "  %8.1f B  %5.2f x  %s%n", r.bytes(), r.instances(), r.type());
    }
    return perCall;
  }

  /** Bytes and instances per call of one class. */
  private record Row(String type, double bytes, double instances) {}

  /** Instances and bytes per class over the whole heap, unreachable objects included. */
  private static Map<String, long[]> histogram() throws Exception {
    String text = (String) ManagementFactory.getPlatformMBeanServer().invoke(
        new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
        new Object[] {new String[] {"-all"}}, new String[] {String[].class.getName()});
    Map<String, long[]> classes = new HashMap<>();
    for (String line : text.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length >= 4 && f[0].endsWith(":")) {
        classes.merge(f[3], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])},
            (a, c) -> new long[] {a[0] + c[0], a[1] + c[1]});
      }
    }
    return classes;
  }
}
