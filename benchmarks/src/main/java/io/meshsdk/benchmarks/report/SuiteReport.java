package io.meshsdk.benchmarks.report;

import io.meshsdk.benchmarks.report.SvgBarChart.Bar;
import io.meshsdk.benchmarks.report.SvgBarChart.Group;
import io.meshsdk.benchmarks.report.SvgBarChart.Legend;
import io.meshsdk.benchmarks.report.SvgBarChart.Panel;
import io.meshsdk.benchmarks.report.SvgBarChart.Row;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The benchmark suite's report. Reads one results directory written by {@code benchmarks/run-suite.sh} and writes,
 * into the same directory:
 *
 * <ul>
 *   <li>{@code summary.md}: the machine, what ran and how long it took, then per part the results and the ratios
 *       computed from this run (the mesh's added cost over bare OkHttp; the peers' added cost over the mesh's, in time
 *       and bytes; rejection costs; pick cost per endpoint count), the loopback tables, the plain mains' key lines,
 *       and every JMH row;
 *   <li>{@code peers.svg}: per-call cost of the mesh against its peers (time and bytes), when a peer benchmark ran;
 *   <li>{@code loopback-latency.svg}: p50/p90/p99/p99.9 per loopback path, when {@code loopback.json} is there.
 * </ul>
 *
 * <p>Inputs: every {@code *.json} in the directory that is a JMH result file ({@code -rf json}), {@code loopback.json}
 * and {@code machine.json}; {@code SnapshotSwap.txt} and {@code DirectoryFootprint.txt} when present. Missing parts
 * are left out of the report, never filled in.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.meshsdk.benchmarks.report.SuiteReport benchmarks/results/latest
 * </pre>
 */
public final class SuiteReport {

  static final String MESH_PIPELINE = "MeshPipelineBenchmark";
  static final String REJECTION = "RejectionBenchmark";
  static final String PICK = "LoadBalancerPickBenchmark";

  /** Colours: the floor (no client-side balancing), the mesh, the peers. */
  static final String FLOOR = "#9e9e9e";
  static final String MESH = "#1f6fb4";
  static final String PEER = "#e8710a";
  static final String[] PERCENTILE_COLOURS = {"#9ecae1", "#4292c6", "#08519c", "#08306b"};

  /**
   * A peer comparison: one class, its floor(s), the mesh's variant and the peers' variants.
   *
   * @param className the benchmark class
   * @param title what it compares
   * @param floors the floor methods (the client alone), the first is the main one
   * @param mesh the mesh's method
   * @param peers the peers' methods
   */
  record PeerSet(String className, String title, List<String> floors, String mesh, List<String> peers) {}

  static final List<PeerSet> PEER_SETS = List.of(
      new PeerSet("PeerPipelineBenchmark", "OkHttp call: the mesh against Spring Cloud LoadBalancer + CircuitBreaker",
          List.of("bareOkHttp"), "meshOkHttp", List.of("springCloudTuned", "springCloudDefaults")),
      new PeerSet("SpringRestClientPeerBenchmark",
          "Spring RestClient: the starter against Spring Cloud LoadBalancer + CircuitBreaker",
          List.of("bareRestClient", "bareRestClientWithInterceptor"), "meshRestClient",
          List.of("springCloudLoadBalancedTuned", "springCloudLoadBalancedDefaults")));

  /** The mesh pipeline's variants and the OkHttp-alone variant each is compared with. */
  static final Map<String, String> PIPELINE_PAIRS = pipelinePairs();

  /**
   * Everything read from one results directory.
   *
   * @param machine {@code machine.json}, or {@link Machine#UNKNOWN}
   * @param jmh every JMH row, file by file in name order
   * @param loopback {@code loopback.json}, if present
   * @param texts the plain mains' output by file name ({@code SnapshotSwap.txt} ...)
   */
  record Results(Machine machine, List<JmhResult> jmh, @Nullable LoopbackResults loopback, Map<String, String> texts) {}

  private SuiteReport() {}

  /** {@code SuiteReport [resultsDir]}: reads the directory (default {@code benchmarks/results/latest}), writes the report. */
  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args.length > 0 ? args[0] : "benchmarks/results/latest");
    if (!Files.isDirectory(dir)) {
      System.err.println("SuiteReport: no such directory: " + dir);
      System.exit(2);
    }
    List<Path> written = write(dir);
    for (Path p : written) {
      System.out.println("wrote " + p);
    }
  }

  /** Reads {@code dir} and writes the summary and the charts there; returns the files written. */
  static List<Path> write(Path dir) throws IOException {
    Results r = read(dir);
    List<Path> written = new ArrayList<>();
    Path summary = dir.resolve("summary.md");
    Files.writeString(summary, summary(r), StandardCharsets.UTF_8);
    written.add(summary);
    Optional<String> peers = peersSvg(r);
    Path peersFile = dir.resolve("peers.svg");
    if (peers.isPresent()) {
      Files.writeString(peersFile, peers.get(), StandardCharsets.UTF_8);
      written.add(peersFile);
    } else {
      Files.deleteIfExists(peersFile);
    }
    Optional<String> loopback = loopbackSvg(r);
    Path loopbackFile = dir.resolve("loopback-latency.svg");
    if (loopback.isPresent()) {
      Files.writeString(loopbackFile, loopback.get(), StandardCharsets.UTF_8);
      written.add(loopbackFile);
    } else {
      Files.deleteIfExists(loopbackFile);
    }
    return written;
  }

  /** Reads every input the directory has. */
  static Results read(Path dir) throws IOException {
    Machine machine = Machine.UNKNOWN;
    @Nullable LoopbackResults loopback = null;
    List<JmhResult> jmh = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      // by name without the extension, so that X.json comes before X-variant.json
      files = s.filter(Files::isRegularFile)
          .sorted(java.util.Comparator.comparing((Path f) -> stem(f.getFileName().toString())))
          .toList();
    }
    Map<String, String> texts = new TreeMap<>();
    for (Path f : files) {
      String name = f.getFileName().toString();
      if (name.endsWith(".txt")) {
        texts.put(name, Files.readString(f, StandardCharsets.UTF_8));
        continue;
      }
      if (!name.endsWith(".json")) {
        continue;
      }
      String text = Files.readString(f, StandardCharsets.UTF_8);
      try {
        if (name.equals("machine.json")) {
          machine = Machine.parse(text);
        } else if (name.equals("loopback.json")) {
          loopback = LoopbackResults.parse(text);
        } else if (text.stripLeading().startsWith("[") || text.isBlank()) {
          jmh.addAll(JmhResult.parse(text, name.substring(0, name.length() - ".json".length())));
        }
      } catch (IllegalArgumentException e) {
        System.err.println("SuiteReport: skipping " + name + ": " + e.getMessage());
      }
    }
    return new Results(machine, jmh, loopback, texts);
  }

  // ---------------------------------------------------------------- summary.md

  /** The whole {@code summary.md}. */
  static String summary(Results r) {
    StringBuilder md = new StringBuilder();
    Machine m = r.machine();
    md.append("# Benchmark suite results\n\n");
    md.append("Generated by `io.meshsdk.benchmarks.report.SuiteReport` from the files in this directory ")
        .append("(`benchmarks/run-suite.sh`). Compare rows within this run; B/op (`-prof gc`) are exact, times are ")
        .append("noisy on shared machines.\n\n");
    machine(md, m);
    pipeline(md, r.jmh());
    rejection(md, r.jmh());
    peers(md, r.jmh());
    loopback(md, r.loopback());
    pick(md, r.jmh());
    mains(md, r.texts());
    allRows(md, r.jmh());
    return md.toString();
  }

  private static void machine(StringBuilder md, Machine m) {
    md.append("## Machine\n\n");
    if (!m.known()) {
      md.append("No `machine.json` in this directory.\n\n");
      return;
    }
    md.append("| | |\n|---|---|\n");
    row(md, "date (start, UTC)", m.date());
    row(md, "mode", m.mode());
    row(md, "CPUs (`nproc`)", m.nproc());
    row(md, "CPU", m.cpuModel());
    row(md, "OS", m.os());
    row(md, "JDK (`java -version`)", m.javaVersion().trim().replace("\n", "<br>"));
    row(md, "load average before (1, 5, 15 min)", m.loadBefore());
    row(md, "load average after", m.loadAfter());
    row(md, "git commit", m.commit());
    row(md, "elapsed (all parts, build excluded)", seconds(m.elapsedSeconds()));
    md.append('\n');
    if (!m.parts().isEmpty()) {
      md.append("### Parts\n\n| part | status | time | command (from the repository root) |\n|---|---|---:|---|\n");
      for (Machine.Part p : m.parts()) {
        String status = p.note().isEmpty() ? p.status() : p.status() + ": " + p.note();
        md.append("| ").append(Format.cell(p.name())).append(" | ").append(Format.cell(status)).append(" | ")
            .append(seconds(p.seconds())).append(" | ")
            .append(p.command().isEmpty() ? "" : "`" + Format.cell(p.command()) + "`").append(" |\n");
      }
      md.append('\n');
    }
  }

  private static void pipeline(StringBuilder md, List<JmhResult> all) {
    List<JmhResult> rows = ofClass(all, MESH_PIPELINE);
    if (rows.isEmpty()) {
      return;
    }
    md.append("## Call pipeline overhead (canned transport, no network)\n\n");
    md.append("`MeshPipelineBenchmark`: the added cost is the mesh variant minus OkHttp alone with the same ")
        .append("parameters (the `observer` parameter is the mesh's only), in this run.\n\n");
    md.append("| variant | mesh ns/op | OkHttp alone ns/op | **added ns** | mesh B/op | alone B/op | **added B** |\n")
        .append("|---|---:|---:|---:|---:|---:|---:|\n");
    for (JmhResult mesh : rows) {
      String plainMethod = PIPELINE_PAIRS.get(mesh.method());
      if (plainMethod == null) {
        continue;
      }
      @Nullable JmhResult plain = find(rows, plainMethod, mesh.params(), Set.of("observer")).orElse(null);
      double plainScore = plain == null ? Double.NaN : plain.score();
      double plainBytes = plain == null ? Double.NaN : plain.bytesPerOp();
      md.append("| `").append(mesh.method()).append('`').append(paramSuffix(mesh)).append(" | ")
          .append(Format.withError(mesh.score(), mesh.error())).append(" | ").append(Format.num(plainScore))
          .append(" | **").append(Format.signed(mesh.score() - plainScore)).append("** | ")
          .append(Format.num(mesh.bytesPerOp())).append(" | ").append(Format.num(plainBytes)).append(" | **")
          .append(Format.signed(mesh.bytesPerOp() - plainBytes)).append("** |\n");
    }
    md.append('\n');
  }

  private static void rejection(StringBuilder md, List<JmhResult> all) {
    List<JmhResult> rows = ofClass(all, REJECTION);
    if (rows.isEmpty()) {
      return;
    }
    md.append("## Rejections\n\n`RejectionBenchmark`: admission refusing a call, next to building an `IOException` ")
        .append("with a stack trace at the same depth (`filledIoException`).\n\n");
    md.append("| rejection | depth | ns/op | B/op | `filledIoException` / this (time) | (bytes) |\n")
        .append("|---|---:|---:|---:|---:|---:|\n");
    for (JmhResult r : rows) {
      @Nullable JmhResult filled = find(rows, "filledIoException", r.params(), Set.of()).orElse(null);
      md.append("| `").append(r.method()).append("` | ").append(r.param("depth")).append(" | ")
          .append(Format.withError(r.score(), r.error())).append(" | ").append(Format.num(r.bytesPerOp()))
          .append(" | ")
          .append(r.method().equals("filledIoException") || filled == null ? "" : Format.ratio(filled.score(),
              r.score()))
          .append(" | ")
          .append(r.method().equals("filledIoException") || filled == null ? "" : Format.ratio(filled.bytesPerOp(),
              r.bytesPerOp()))
          .append(" |\n");
    }
    md.append('\n');
  }

  private static void peers(StringBuilder md, List<JmhResult> all) {
    boolean header = false;
    for (PeerSet set : PEER_SETS) {
      List<JmhResult> rows = ofClass(all, set.className());
      if (rows.isEmpty()) {
        continue;
      }
      if (!header) {
        md.append("## Per-call cost against the peers\n\n![per-call cost against the peers](peers.svg)\n\n");
        header = true;
      }
      md.append("### ").append(set.title()).append("\n\n`").append(set.className())
          .append("`. Added cost = variant minus the floor, in this run; the last two columns are each ")
          .append("variant's added cost over the mesh's. Times are the median measurement iteration (the mean ± ")
          .append("error beside it): these forks run several Spring contexts, whose collections and background ")
          .append("threads put single outlier iterations into the mean. With fewer than 3 iterations (quick mode) ")
          .append("the median is the mean: read quick runs' times as a smoke test.\n\n");
      for (String floorMethod : set.floors()) {
        @Nullable JmhResult floor = find(rows, floorMethod, Map.of(), Set.of()).orElse(null);
        @Nullable JmhResult mesh = find(rows, set.mesh(), Map.of(), Set.of()).orElse(null);
        if (floor == null) {
          continue;
        }
        double meshAddedNs = mesh == null ? Double.NaN : mesh.typical() - floor.typical();
        double meshAddedB = mesh == null ? Double.NaN : mesh.bytesPerOp() - floor.bytesPerOp();
        md.append("Floor: `").append(floorMethod).append("`.\n\n");
        md.append("| variant | ns/op (median) | mean ± error | B/op | added ns | added B | added / mesh's added (time) "
            + "| (bytes) |\n").append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        List<String> methods = new ArrayList<>(set.floors());
        methods.add(set.mesh());
        methods.addAll(set.peers());
        for (String method : methods) {
          @Nullable JmhResult r = find(rows, method, Map.of(), Set.of()).orElse(null);
          if (r == null) {
            continue;
          }
          boolean isFloor = method.equals(floorMethod);
          double addedNs = r.typical() - floor.typical();
          double addedB = r.bytesPerOp() - floor.bytesPerOp();
          boolean isMesh = method.equals(set.mesh());
          md.append("| ").append(isMesh ? "**`" + method + "`**" : "`" + method + "`").append(" | ")
              .append(Format.num(r.typical())).append(" | ").append(Format.withError(r.score(), r.error()))
              .append(" | ").append(Format.num(r.bytesPerOp()))
              .append(" | ").append(isFloor ? "floor" : Format.signed(addedNs)).append(" | ")
              .append(isFloor ? "" : Format.signed(addedB)).append(" | ")
              .append(set.peers().contains(method) ? "**" + Format.ratio(addedNs, meshAddedNs) + "**" : "")
              .append(" | ")
              .append(set.peers().contains(method) ? "**" + Format.ratio(addedB, meshAddedB) + "**" : "")
              .append(" |\n");
        }
        md.append('\n');
      }
    }
  }

  private static void loopback(StringBuilder md, @Nullable LoopbackResults lb) {
    if (lb == null) {
      return;
    }
    md.append("## Loopback end to end\n\n![loopback latency percentiles](loopback-latency.svg)\n\n");
    md.append(String.format(Locale.ROOT, "`loopback.json`: %s, JDK %s, %d CPUs, load average %s at the start; "
        + "%,d closed-loop samples per path over %d interleaved rounds.%n%n", lb.date(), lb.jdk(), lb.cpus(),
        Format.num(lb.loadAverage()), lb.samplesPerPath(), lb.rounds()));
    md.append("| path | p50 µs | p90 µs | p99 µs | p99.9 µs | max µs | p50 / raw (paired) | p99.9 / raw | peak rps "
        + "| CPU ns/call client | server | sidecar |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (LoopbackResults.Path p : lb.paths()) {
      md.append("| ").append(Format.cell(p.name())).append(" | ").append(Format.num(p.p50Us())).append(" | ")
          .append(Format.num(p.p90Us())).append(" | ").append(Format.num(p.p99Us())).append(" | ")
          .append(Format.num(p.p999Us())).append(" | ").append(Format.num(p.maxUs())).append(" | ")
          .append(ratioText(p.p50Ratio())).append(" | ").append(ratioText(p.p999Ratio())).append(" | ")
          .append(Format.num(p.peakRps())).append(" | ").append(Format.num(p.cpuClientNs())).append(" | ")
          .append(Format.num(p.cpuServerNs())).append(" | ").append(Format.num(p.cpuSidecarNs())).append(" |\n");
    }
    md.append('\n');
    boolean anyOpen = lb.paths().stream().anyMatch(p -> !p.openLoop().isEmpty());
    if (anyOpen) {
      md.append("Open loop (fixed arrival rate, a share of raw OkHttp's peak):\n\n")
          .append("| path | target % of raw peak | rps | p50 µs | p99 µs | p99.9 µs |\n|---|---:|---:|---:|---:|---:|\n");
      for (LoopbackResults.Path p : lb.paths()) {
        for (LoopbackResults.OpenLoopPoint o : p.openLoop()) {
          md.append("| ").append(Format.cell(p.name())).append(" | ").append(Format.num(o.targetPctOfRawPeak()))
              .append(" | ").append(Format.num(o.rps())).append(" | ").append(Format.num(o.p50Us())).append(" | ")
              .append(Format.num(o.p99Us())).append(" | ").append(Format.num(o.p999Us())).append(" |\n");
        }
      }
      md.append('\n');
    }
  }

  private static void pick(StringBuilder md, List<JmhResult> all) {
    List<JmhResult> rows = ofClass(all, PICK);
    if (rows.isEmpty()) {
      return;
    }
    Set<String> balancers = new LinkedHashSet<>();
    Set<Integer> sizeSet = new java.util.TreeSet<>();
    for (JmhResult r : rows) {
      balancers.add(r.param("balancer"));
      sizeSet.add(intOr(r.param("endpoints"), -1));
    }
    List<Integer> sizes = new ArrayList<>(sizeSet);
    md.append("## Load balancer pick\n\n`LoadBalancerPickBenchmark`: one `Picker.pick`, ns/op by endpoint count; ")
        .append("the ratios are each size's time over the smallest size's, in this run.\n\n| balancer |");
    StringBuilder align = new StringBuilder("|---|");
    for (int s : sizes) {
      md.append(String.format(Locale.ROOT, " %,d ns/op |", s));
      align.append("---:|");
    }
    int smallest = sizes.get(0);
    List<Integer> ratioSizes = sizes.stream().filter(s -> s != smallest).toList();
    for (int s : ratioSizes) {
      md.append(String.format(Locale.ROOT, " %,d / %,d |", s, smallest));
      align.append("---:|");
    }
    md.append(" max B/op |\n").append(align).append("---:|\n");
    for (String b : balancers) {
      md.append("| ").append(b).append(" |");
      Map<Integer, JmhResult> bySize = new TreeMap<>();
      double maxBytes = Double.NaN;
      for (JmhResult r : rows) {
        if (r.param("balancer").equals(b)) {
          bySize.put(intOr(r.param("endpoints"), -1), r);
          maxBytes = Double.isNaN(maxBytes) ? r.bytesPerOp() : Math.max(maxBytes, r.bytesPerOp());
        }
      }
      for (int s : sizes) {
        @Nullable JmhResult r = bySize.get(s);
        md.append(' ').append(r == null ? "" : Format.withError(r.score(), r.error())).append(" |");
      }
      @Nullable JmhResult base = bySize.get(smallest);
      for (int s : ratioSizes) {
        @Nullable JmhResult r = bySize.get(s);
        md.append(' ').append(r == null || base == null ? "" : Format.ratio(r.score(), base.score())).append(" |");
      }
      md.append(' ').append(Format.num(maxBytes)).append(" |\n");
    }
    md.append('\n');
  }

  private static void mains(StringBuilder md, Map<String, String> texts) {
    String swap = texts.get("SnapshotSwap.txt");
    String footprint = texts.get("DirectoryFootprint.txt");
    if (swap == null && footprint == null) {
      return;
    }
    md.append("## Discovery scale (plain mains)\n\n");
    if (footprint != null) {
      md.append("`DirectoryFootprint` (retained heap), from `DirectoryFootprint.txt`:\n\n```text\n")
          .append(excerpt(footprint, " services x ", "the mesh's own state by class")).append("```\n\n");
    }
    if (swap != null) {
      md.append("`SnapshotSwap` (a full snapshot applied while calls pick), from `SnapshotSwap.txt`:\n\n```text\n")
          .append(excerpt(swap, "swap, from set()", null)).append("```\n\n");
    }
  }

  private static void allRows(StringBuilder md, List<JmhResult> all) {
    if (all.isEmpty()) {
      return;
    }
    md.append("## Every JMH row\n\n");
    @Nullable String source = null;
    for (JmhResult r : all) {
      if (!r.source().equals(source)) {
        source = r.source();
        md.append("\n`").append(source).append(".json`\n\n| benchmark | params | mode | score | unit | B/op |\n")
            .append("|---|---|---|---:|---|---:|\n");
      }
      md.append("| ").append(r.className()).append('.').append(r.method()).append(" | ")
          .append(Format.cell(r.paramText())).append(" | ").append(r.mode()).append(" | ")
          .append(Format.withError(r.score(), r.error())).append(" | ").append(r.unit()).append(" | ")
          .append(Format.num(r.bytesPerOp())).append(" |\n");
    }
    md.append('\n');
  }

  // ---------------------------------------------------------------- charts

  /** {@code peers.svg}: ns/op and B/op per variant of every peer comparison that ran; empty if none did. */
  static Optional<String> peersSvg(Results r) {
    List<Group> timeGroups = new ArrayList<>();
    List<Group> byteGroups = new ArrayList<>();
    for (PeerSet set : PEER_SETS) {
      List<JmhResult> rows = ofClass(r.jmh(), set.className());
      List<Row> time = new ArrayList<>();
      List<Row> bytes = new ArrayList<>();
      List<String> methods = new ArrayList<>(set.floors());
      methods.add(set.mesh());
      methods.addAll(set.peers());
      for (String method : methods) {
        Optional<JmhResult> found = find(rows, method, Map.of(), Set.of());
        if (found.isEmpty()) {
          continue;
        }
        JmhResult row = found.get();
        String colour = set.floors().contains(method) ? FLOOR : method.equals(set.mesh()) ? MESH : PEER;
        time.add(new Row(method, List.of(new Bar(row.typical(), colour, Format.num(row.typical()) + " ns"))));
        bytes.add(new Row(method, List.of(new Bar(row.bytesPerOp(), colour, Format.num(row.bytesPerOp()) + " B"))));
      }
      if (!time.isEmpty()) {
        timeGroups.add(new Group(set.className(), time));
        byteGroups.add(new Group(set.className(), bytes));
      }
    }
    if (timeGroups.isEmpty()) {
      return Optional.empty();
    }
    List<Legend> legend = List.of(new Legend(FLOOR, "client alone (floor)"), new Legend(MESH, "mesh-sdk"),
        new Legend(PEER, "Spring Cloud LoadBalancer + CircuitBreaker"));
    return Optional.of(SvgBarChart.render("Per-call cost against the peers (canned transport, no network)",
        r.machine().subtitle(), legend, List.of(new Panel("Time per call", "ns/op (median iteration)", timeGroups),
            new Panel("Allocation per call", "B/op (gc.alloc.rate.norm)", byteGroups)), 560));
  }

  /** {@code loopback-latency.svg}: p50/p90/p99/p99.9 per path; empty without {@code loopback.json}. */
  static Optional<String> loopbackSvg(Results r) {
    LoopbackResults lb = r.loopback();
    if (lb == null || lb.paths().isEmpty()) {
      return Optional.empty();
    }
    String[] names = {"p50", "p90", "p99", "p99.9"};
    List<Row> rows = new ArrayList<>();
    for (LoopbackResults.Path p : lb.paths()) {
      double[] v = {p.p50Us(), p.p90Us(), p.p99Us(), p.p999Us()};
      List<Bar> bars = new ArrayList<>();
      for (int i = 0; i < v.length; i++) {
        bars.add(new Bar(v[i], PERCENTILE_COLOURS[i], names[i] + " " + Format.num(v[i]) + " µs"));
      }
      rows.add(new Row(p.name(), bars));
    }
    List<Legend> legend = new ArrayList<>();
    for (int i = 0; i < names.length; i++) {
      legend.add(new Legend(PERCENTILE_COLOURS[i], names[i]));
    }
    String subtitle = !r.machine().known()
        ? String.format(Locale.ROOT, "%s · %d CPUs · JDK %s · load average %s", lb.date(), lb.cpus(), lb.jdk(),
            Format.num(lb.loadAverage()))
        : r.machine().subtitle();
    String title = String.format(Locale.ROOT, "Loopback latency per path (closed loop, %,d samples per path)",
        lb.samplesPerPath());
    return Optional.of(SvgBarChart.render(title, subtitle, legend,
        List.of(new Panel("Latency percentiles", "µs per call", List.of(new Group("", rows)))), 960));
  }

  // ---------------------------------------------------------------- helpers

  static List<JmhResult> ofClass(List<JmhResult> all, String className) {
    return all.stream().filter(r -> r.className().equals(className)).toList();
  }

  /** The first row of {@code method} whose parameters agree with {@code params} (names in {@code ignored} aside). */
  static Optional<JmhResult> find(List<JmhResult> rows, String method, Map<String, String> params, Set<String> ignored) {
    return rows.stream().filter(r -> r.method().equals(method) && r.agreesWith(params, ignored)).findFirst();
  }

  private static Map<String, String> pipelinePairs() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("meshClient", "plainClient");
    m.put("meshPassThrough", "plainClient");
    m.put("meshClientDistinctUrls", "plainClientDistinctUrls");
    return m;
  }

  private static String paramSuffix(JmhResult r) {
    return r.params().isEmpty() ? "" : " (" + Format.cell(r.paramText()) + ")";
  }

  private static String ratioText(double r) {
    return Double.isNaN(r) ? "n/a" : String.format(Locale.ROOT, "%.2f×", r);
  }

  private static String seconds(double s) {
    return Double.isNaN(s) ? "" : String.format(Locale.ROOT, "%.0f s", s);
  }

  private static void row(StringBuilder md, String what, String value) {
    md.append("| ").append(what).append(" | ").append(value.isEmpty() ? "?" : Format.cell(value)).append(" |\n");
  }

  private static String stem(String fileName) {
    int dot = fileName.lastIndexOf('.');
    return dot < 0 ? fileName : fileName.substring(0, dot);
  }

  private static int intOr(String s, int otherwise) {
    try {
      return Integer.parseInt(s.trim());
    } catch (NumberFormatException e) {
      return otherwise;
    }
  }

  /**
   * The lines of {@code text} from the first containing {@code from} up to (not including) the first after it
   * containing {@code until} (to the end when null or absent); logging lines dropped; the first 40 lines when
   * {@code from} is absent.
   */
  static String excerpt(String text, String from, @Nullable String until) {
    List<String> lines = text.lines().filter(l -> !l.startsWith("[") && !l.startsWith("SLF4J")).toList();
    int start = 0;
    while (start < lines.size() && !lines.get(start).contains(from)) {
      start++;
    }
    if (start == lines.size()) {
      start = 0;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = start; i < lines.size() && i < start + 60; i++) {
      if (until != null && i > start && lines.get(i).contains(until)) {
        break;
      }
      sb.append(lines.get(i)).append('\n');
    }
    return sb.toString().stripTrailing() + "\n";
  }
}
