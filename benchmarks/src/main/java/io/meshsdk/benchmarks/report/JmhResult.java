package io.meshsdk.benchmarks.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One row of a JMH result file ({@code -rf json}): a benchmark method with one parameter combination.
 *
 * @param benchmark the fully qualified name, {@code io.meshsdk.benchmarks.MeshPipelineBenchmark.meshClient}
 * @param mode JMH's mode ({@code avgt}, {@code thrpt}, ...)
 * @param params the parameters of this row, in the file's order
 * @param score the primary metric
 * @param error its 99.9 % half-interval, NaN when JMH had too few iterations
 * @param median the median of the measurement iterations of every fork ({@code rawData}), NaN when the file has none:
 *     one outlier iteration (a collection, another process) moves the mean, not the median
 * @param unit the primary metric's unit, {@code ns/op}
 * @param bytesPerOp {@code gc.alloc.rate.norm} from {@code -prof gc}, NaN when the run had no GC profiler
 * @param source the file it came from (its name without {@code .json})
 */
record JmhResult(String benchmark, String mode, Map<String, String> params, double score, double error,
    double median, String unit, double bytesPerOp, String source) {

  /** The median iteration when the file has the iterations, else the score. */
  double typical() {
    return Double.isNaN(median) ? score : median;
  }

  /** The benchmark class's simple name, {@code MeshPipelineBenchmark}. */
  String className() {
    String withoutMethod = benchmark.substring(0, Math.max(0, benchmark.lastIndexOf('.')));
    return withoutMethod.substring(withoutMethod.lastIndexOf('.') + 1);
  }

  /** The method name, {@code meshClient}. */
  String method() {
    return benchmark.substring(benchmark.lastIndexOf('.') + 1);
  }

  /** A parameter's value, or {@code ""} if this row has no such parameter. */
  String param(String name) {
    String v = params.get(name);
    return v == null ? "" : v;
  }

  /** The parameters as {@code a=1, b=x}, or {@code ""} when there are none. */
  String paramText() {
    StringBuilder sb = new StringBuilder();
    params.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(k).append('=').append(v));
    return sb.toString();
  }

  /** Whether this row's parameters agree with {@code wanted} on every name both have, names in {@code ignored} aside. */
  boolean agreesWith(Map<String, String> wanted, java.util.Set<String> ignored) {
    for (Map.Entry<String, String> e : wanted.entrySet()) {
      String mine = params.get(e.getKey());
      if (mine != null && !ignored.contains(e.getKey()) && !mine.equals(e.getValue())) {
        return false;
      }
    }
    return true;
  }

  /** Reads every row of one JMH JSON result file (a JSON array; an empty file or array gives no rows). */
  static List<JmhResult> parse(String json, String source) {
    if (json.isBlank()) {
      return List.of();
    }
    List<JmhResult> out = new ArrayList<>();
    for (Object row : Json.list(Json.parse(json))) {
      String benchmark = Json.string(Json.get(row, "benchmark"), "");
      if (benchmark.isEmpty()) {
        continue;
      }
      Map<String, String> params = new LinkedHashMap<>();
      if (Json.get(row, "params") instanceof Map<?, ?> p) {
        p.forEach((k, v) -> params.put(String.valueOf(k), Json.string(v, "")));
      }
      Object primary = Json.get(row, "primaryMetric");
      double bytes = Double.NaN;
      if (Json.get(row, "secondaryMetrics") instanceof Map<?, ?> secondary) {
        for (Map.Entry<?, ?> e : secondary.entrySet()) {
          // JMH 1.37 writes "gc.alloc.rate.norm"; versions before 1.36 prefixed secondary metrics with a middle dot
          String key = String.valueOf(e.getKey());
          if (key.equals("gc.alloc.rate.norm") || key.endsWith("·gc.alloc.rate.norm")) {
            bytes = Json.number(Json.get(e.getValue(), "score"));
          }
        }
      }
      out.add(new JmhResult(benchmark, Json.string(Json.get(row, "mode"), ""), params,
          Json.number(Json.get(primary, "score")), Json.number(Json.get(primary, "scoreError")),
          median(Json.get(primary, "rawData")), Json.string(Json.get(primary, "scoreUnit"), ""), bytes, source));
    }
    return out;
  }

  /** The median of JMH's {@code rawData} (one list of iteration scores per fork), NaN when there is none. */
  static double median(Object rawData) {
    List<Double> all = new ArrayList<>();
    for (Object fork : Json.list(rawData)) {
      for (Object iteration : Json.list(fork)) {
        double v = Json.number(iteration);
        if (!Double.isNaN(v)) {
          all.add(v);
        }
      }
    }
    if (all.isEmpty()) {
      return Double.NaN;
    }
    java.util.Collections.sort(all);
    int n = all.size();
    return n % 2 == 1 ? all.get(n / 2) : (all.get(n / 2 - 1) + all.get(n / 2)) / 2;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%s(%s) = %s %s", benchmark, paramText(), score, unit);
  }
}
