package io.meshsdk.benchmarks.report;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code loopback.json}, written by {@code io.meshsdk.benchmarks.loopback.LoopbackComparison}: per path (raw OkHttp,
 * the mesh direct, through HAProxy or nginx, ...) closed-loop latency percentiles, the paired ratio against raw
 * OkHttp, peak throughput, open-loop points and CPU per call. Paths that were not measured are absent.
 *
 * @param date when the run started (ISO-8601)
 * @param jdk the JDK version
 * @param cpus processors available to the JVM
 * @param loadAverage the one-minute load average at the start
 * @param samplesPerPath closed-loop samples per path
 * @param rounds interleaved rounds
 * @param paths the measured paths, in the file's order
 */
record LoopbackResults(String date, String jdk, int cpus, double loadAverage, long samplesPerPath, int rounds,
    List<Path> paths) {

  /**
   * One path.
   *
   * @param name {@code raw okhttp}, {@code mesh direct}, {@code haproxy}, {@code nginx}, {@code mesh via haproxy}, ...
   * @param samples closed-loop samples
   * @param p50Us closed-loop p50, µs (NaN when absent)
   * @param p90Us p90, µs
   * @param p99Us p99, µs
   * @param p999Us p99.9, µs
   * @param maxUs maximum, µs
   * @param p50Ratio median over rounds of this path's p50 over raw OkHttp's in the same round
   * @param p999Ratio the same for p99.9
   * @param peakRps peak requests per second
   * @param openLoop open-loop points
   * @param cpuClientNs client CPU per call, ns
   * @param cpuServerNs server CPU per call, ns
   * @param cpuSidecarNs sidecar CPU per call, ns (0 without a sidecar)
   */
  record Path(String name, long samples, double p50Us, double p90Us, double p99Us, double p999Us, double maxUs,
      double p50Ratio, double p999Ratio, double peakRps, List<OpenLoopPoint> openLoop, double cpuClientNs,
      double cpuServerNs, double cpuSidecarNs) {}

  /**
   * One open-loop point: a fixed arrival rate as a share of raw OkHttp's peak.
   *
   * @param targetPctOfRawPeak the target, percent of raw OkHttp's peak
   * @param rps the rate achieved
   * @param p50Us p50, µs
   * @param p99Us p99, µs
   * @param p999Us p99.9, µs
   */
  record OpenLoopPoint(double targetPctOfRawPeak, double rps, double p50Us, double p99Us, double p999Us) {}

  /** Reads {@code loopback.json}; absent members read as NaN (numbers) or empty (lists, strings). */
  static LoopbackResults parse(String json) {
    Object root = Json.parse(json);
    List<Path> paths = new ArrayList<>();
    for (Object p : Json.list(Json.get(root, "paths"))) {
      Object closed = Json.get(p, "closedLoop");
      Object paired = Json.get(p, "pairedVsRaw");
      Object cpu = Json.get(p, "cpuNsPerCall");
      List<OpenLoopPoint> open = new ArrayList<>();
      for (Object o : Json.list(Json.get(p, "openLoop"))) {
        open.add(new OpenLoopPoint(n(o, "targetPctOfRawPeak"), n(o, "rps"), n(o, "p50Us"), n(o, "p99Us"),
            n(o, "p999Us")));
      }
      paths.add(new Path(Json.string(Json.get(p, "name"), "?"), (long) zeroIfNaN(n(closed, "samples")),
          n(closed, "p50Us"), n(closed, "p90Us"), n(closed, "p99Us"), n(closed, "p999Us"), n(closed, "maxUs"),
          n(paired, "p50RatioMedian"), n(paired, "p999RatioMedian"), n(p, "peakRps"), open, n(cpu, "client"),
          n(cpu, "server"), n(cpu, "sidecar")));
    }
    return new LoopbackResults(Json.string(Json.get(root, "date"), ""), Json.string(Json.get(root, "jdk"), ""),
        (int) zeroIfNaN(n(root, "cpus")), n(root, "loadAverage"), (long) zeroIfNaN(n(root, "samplesPerPath")),
        (int) zeroIfNaN(n(root, "rounds")), paths);
  }

  private static double n(Object o, String key) {
    return Json.number(Json.get(o, key));
  }

  private static double zeroIfNaN(double d) {
    return Double.isNaN(d) ? 0 : d;
  }
}
