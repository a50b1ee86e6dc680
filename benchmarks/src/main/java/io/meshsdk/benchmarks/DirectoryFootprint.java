package io.meshsdk.benchmarks;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.management.ObjectName;

/**
 * Retained heap of the mesh's discovery state for {@code services × endpointsPerService} endpoints (default
 * 1,000 × 100 = 100,000), built the way a user gets it: {@code Mesh.builder().discovery(StaticServiceDiscovery.of(list))}
 * with every service routed at start (checked with {@code mesh.snapshot().services().size()}).
 *
 * <p>Each endpoint has its own IP and port, a zone and a {@code version} label, as a registry client decoding a
 * response would give them (distinct {@code String} objects per endpoint, not shared constants).
 *
 * <p>Four heap levels, each after full GCs with everything built so far alive and reachable:
 *
 * <ol>
 *   <li>baseline: classes loaded and initialized by a small mesh built and closed first (so class statics, the
 *       mesh's threads and OkHttp's tables are not counted);
 *   <li>+ the {@code List<Endpoint>} a registry client holds;
 *   <li>+ the {@link StaticServiceDiscovery} holding it (its per-service maps);
 *   <li>+ the {@link Mesh}: directory entries, tracked endpoints, pipelines, pickers, policies.
 * </ol>
 *
 * <p>Heap is read two ways: {@link MemoryMXBean} used heap after several {@code System.gc()} (median of the
 * repetitions), and the exact live bytes of a class histogram ({@code GC.class_histogram}, the DiagnosticCommand
 * MBean, which also runs a full GC); the per-class difference between level 3 and 4 shows what the mesh's own
 * state is made of. Run it with a fixed heap and a non-moving-region collector so used heap is exact:
 *
 * <pre>
 * java -Xms1g -Xmx1g -XX:+UseSerialGC -cp benchmarks/target/benchmarks.jar \
 *     io.meshsdk.benchmarks.DirectoryFootprint [services] [endpointsPerService]
 * </pre>
 */
public final class DirectoryFootprint {

  private static final long MB = 1_000_000L;

  private DirectoryFootprint() {}

  /** Builds the levels, prints the figures and the per-class breakdown. */
  public static void main(String[] args) throws Exception {
    int services = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
    int perService = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    int total = services * perService;

    // warm-up: load and initialize every class the mesh uses, start and stop its threads once
    try (Mesh warm = Mesh.builder().discovery(StaticServiceDiscovery.of(endpoints(3, 3, 99))).build()) {
      check(warm, 3);
    }

    Level base = Level.measure("baseline");
    List<Endpoint> list = endpoints(services, perService, 0);
    Level withList = Level.measure("+ List<Endpoint>");
    StaticServiceDiscovery discovery = StaticServiceDiscovery.of(list);
    Level withBackend = Level.measure("+ StaticServiceDiscovery");
    Mesh mesh = Mesh.builder().discovery(discovery).build();
    check(mesh, services);
    Level withMesh = Level.measure("+ Mesh (all routed)");

    System.out.printf(Locale.ROOT, "%n%,d services x %,d endpoints = %,d endpoints; %s, %s%n", services, perService,
        total, System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"));
    System.out.printf(Locale.ROOT, "%-34s %14s %14s%n", "level", "MXBean used", "histogram");
    for (Level l : List.of(base, withList, withBackend, withMesh)) {
      System.out.printf(Locale.ROOT, "%-34s %,14d %,14d%n", l.name, l.mxUsed, l.histoBytes);
    }
    System.out.println();
    row("Endpoint records (the client's list)", withList.histoBytes - base.histoBytes,
        withList.mxUsed - base.mxUsed, total);
    row("StaticServiceDiscovery's own maps", withBackend.histoBytes - withList.histoBytes,
        withBackend.mxUsed - withList.mxUsed, total);
    row("the mesh's own state", withMesh.histoBytes - withBackend.histoBytes,
        withMesh.mxUsed - withBackend.mxUsed, total);
    row("total: backend + its Endpoints + mesh", withMesh.histoBytes - base.histoBytes,
        withMesh.mxUsed - base.mxUsed, total);
    row("mesh + the Endpoints it references", withMesh.histoBytes - withBackend.histoBytes
        + withList.histoBytes - base.histoBytes, withMesh.mxUsed - withBackend.mxUsed + withList.mxUsed - base.mxUsed,
        total);

    System.out.printf(Locale.ROOT, "%nthe mesh's own state by class (histogram difference, top 25):%n");
    System.out.printf(Locale.ROOT, "%14s %12s %10s  %s%n", "bytes", "instances", "B/endpoint", "class");
    diff(withBackend.histogram(), withMesh.histogram(), total, 25);
    System.out.printf(Locale.ROOT, "%nthe client's Endpoint list by class (top 10):%n");
    System.out.printf(Locale.ROOT, "%14s %12s %10s  %s%n", "bytes", "instances", "B/endpoint", "class");
    diff(base.histogram(), withList.histogram(), total, 10);
    System.out.printf(Locale.ROOT, "%nthe backend's maps by class (top 10):%n");
    System.out.printf(Locale.ROOT, "%14s %12s %10s  %s%n", "bytes", "instances", "B/endpoint", "class");
    diff(withList.histogram(), withBackend.histogram(), total, 10);

    // keep everything reachable until the last measurement is done
    System.out.printf(Locale.ROOT, "%n(alive: %d endpoints, %d routed services)%n", list.size(),
        mesh.snapshot().services().size());
    mesh.close();
    discovery.close();
  }

  private static void row(String what, long histo, long mx, int endpoints) {
    System.out.printf(Locale.ROOT, "%-40s %8.2f MB (MXBean %8.2f MB)  %6.1f B/endpoint%n", what,
        histo / (double) MB, mx / (double) MB, histo / (double) endpoints);
  }

  private static void check(Mesh mesh, int services) {
    int routed = mesh.snapshot().services().size();
    if (routed != services) {
      throw new IllegalStateException("routed services: " + routed + " (expected " + services + ")");
    }
  }

  /**
   * {@code services} services {@code svc-0000...} of {@code perService} endpoints each: IP {@code 10.a.b.c}, port
   * 8080 + (index % 100), zone {@code zone-a/b/c}, label {@code version=v1} (90 %) or {@code v2}; zone and label
   * strings are new objects per endpoint, as a decoder produces them.
   */
  static List<Endpoint> endpoints(int services, int perService, int salt) {
    List<Endpoint> out = new ArrayList<>(services * perService);
    int n = 0;
    for (int s = 0; s < services; s++) {
      String service = String.format(Locale.ROOT, "svc-%04d", s + salt * 10_000);
      for (int i = 0; i < perService; i++, n++) {
        String ip = "10." + (salt + (n >> 16 & 255)) + "." + (n >> 8 & 255) + "." + (n & 255);
        out.add(Endpoint.builder(service, ip, 8080 + n % 100)
            .zone(new String("zone-" + "abc".charAt(n % 3)))
            .labels(Map.of(new String("version"), new String(n % 10 == 0 ? "v2" : "v1")))
            .build());
      }
    }
    return out;
  }

  /** Prints the classes whose live bytes grew most from {@code before} to {@code after}. */
  private static void diff(Map<String, long[]> before, Map<String, long[]> after, int endpoints, int top) {
    List<Map.Entry<String, long[]>> grown = new ArrayList<>();
    for (Map.Entry<String, long[]> e : after.entrySet()) {
      long[] b = before.getOrDefault(e.getKey(), new long[2]);
      long[] d = {e.getValue()[0] - b[0], e.getValue()[1] - b[1]};
      if (d[1] != 0) {
        grown.add(Map.entry(e.getKey(), d));
      }
    }
    grown.sort((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]));
    long shown = 0;
    long all = 0;
    for (int i = 0; i < grown.size(); i++) {
      long[] d = grown.get(i).getValue();
      all += d[1];
      if (i < top) {
        shown += d[1];
        System.out.printf(Locale.ROOT, "%,14d %,12d %10.1f  %s%n", d[1], d[0], d[1] / (double) endpoints,
            grown.get(i).getKey());
      }
    }
    System.out.printf(Locale.ROOT, "%,14d %12s %10.1f  (other classes)%n", all - shown, "",
        (all - shown) / (double) endpoints);
  }

  /**
   * One heap level: MXBean used heap and the class histogram, both after full GCs. The histogram's text goes to a
   * temporary file, so that the levels measured later do not count the earlier levels' histograms.
   */
  private static final class Level {
    final String name;
    final long mxUsed;
    final long histoBytes;
    private final Path file;

    private Level(String name, long mxUsed, long histoBytes, Path file) {
      this.name = name;
      this.mxUsed = mxUsed;
      this.histoBytes = histoBytes;
      this.file = file;
    }

    static Level measure(String name) throws Exception {
      MemoryMXBean mx = ManagementFactory.getMemoryMXBean();
      long[] used = new long[5];
      for (int i = 0; i < used.length; i++) {
        for (int k = 0; k < 3; k++) {
          System.gc();
        }
        Thread.sleep(50);
        used[i] = mx.getHeapMemoryUsage().getUsed();
      }
      Arrays.sort(used);
      // the histogram runs its own full GC before it counts; its text is allocated after
      ObjectName dcmd = new ObjectName("com.sun.management:type=DiagnosticCommand");
      String text = (String) ManagementFactory.getPlatformMBeanServer().invoke(dcmd, "gcClassHistogram",
          new Object[] {new String[0]}, new String[] {String[].class.getName()});
      Path file = Files.createTempFile("mesh-footprint-", ".histo");
      file.toFile().deleteOnExit();
      Files.writeString(file, text);
      long sum = 0;
      for (long[] v : parse(text).values()) {
        sum += v[1];
      }
      return new Level(name, used[used.length / 2], sum, file);
    }

    Map<String, long[]> histogram() throws IOException {
      return parse(Files.readString(file));
    }
  }

  /** {@code class name -> {instances, bytes}} from a {@code GC.class_histogram} text. */
  private static Map<String, long[]> parse(String text) {
    Map<String, long[]> out = new HashMap<>();
    for (String line : text.split("\n")) {
      String[] f = line.trim().split("\\s+");
      // "  1:   123   4567   java.lang.String (java.base@17)"
      if (f.length >= 4 && f[0].endsWith(":")) {
        out.merge(f[3], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])},
            (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
      }
    }
    return out;
  }
}
