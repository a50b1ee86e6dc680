package io.meshsdk.benchmarks.report;

import java.util.Locale;
import java.util.Map;

/** Result files as the suite writes them, for the tests. */
final class SuiteFixtures {

  private SuiteFixtures() {}

  /**
   * One JMH result row in JMH 1.37's JSON shape (trimmed to what the report reads, plus a few members it ignores);
   * parameters in name order, the error a tenth of the score.
   */
  static String jmhRow(String benchmark, Map<String, String> params, double score, double bytes) {
    StringBuilder p = new StringBuilder();
    new java.util.TreeMap<>(params).forEach((k, v) -> p.append(p.length() == 0 ? "" : ", ").append('"').append(k).append("\": \"").append(v)
        .append('"'));
    return String.format(Locale.ROOT, """
        {
          "jmhVersion" : "1.37",
          "benchmark" : "io.meshsdk.benchmarks.%s",
          "mode" : "avgt",
          "threads" : 1,
          "forks" : 1,
          "params" : { %s },
          "primaryMetric" : {
            "score" : %s,
            "scoreError" : %s,
            "scoreConfidence" : [ 1.0, 2.0 ],
            "scorePercentiles" : { "0.0" : 1.0, "50.0" : 1.5, "100.0" : 2.0 },
            "scoreUnit" : "ns/op",
            "rawData" : [ [ %s, %s, %s ] ]
          },
          "secondaryMetrics" : {
            "gc.alloc.rate" : { "score" : 123.0, "scoreError" : "NaN", "scoreUnit" : "MB/sec" },
            "gc.alloc.rate.norm" : { "score" : %s, "scoreError" : 0.01, "scoreUnit" : "B/op" },
            "gc.count" : { "score" : 2.0, "scoreError" : "NaN", "scoreUnit" : "counts" }
          }
        }""", benchmark, p, score, score / 10, score * 0.9, score, score * 1.1, bytes);
  }

  /** A JMH result file: the rows as a JSON array. */
  static String jmhFile(String... rows) {
    return "[\n" + String.join(",\n", rows) + "\n]\n";
  }

  static final String LOOPBACK = """
      {
        "kind": "loopback",
        "date": "2026-12-02T05:00:00Z", "jdk": "17.0.15", "cpus": 2, "loadAverage": 2.1,
        "samplesPerPath": 150000, "rounds": 30,
        "paths": [
          { "name": "raw okhttp",
            "closedLoop": { "samples": 150000, "p50Us": 80.5, "p90Us": 120.0, "p99Us": 400.0, "p999Us": 2100.0, "maxUs": 9000.0 },
            "pairedVsRaw": { "p50RatioMedian": 1.0, "p999RatioMedian": 1.0 },
            "peakRps": 11000.0,
            "openLoop": [ { "targetPctOfRawPeak": 50, "rps": 5500.0, "p50Us": 90.0, "p99Us": 500.0, "p999Us": 3000.0 } ],
            "cpuNsPerCall": { "client": 30000.0, "server": 20000.0, "sidecar": 0.0 } },
          { "name": "mesh direct",
            "closedLoop": { "samples": 150000, "p50Us": 82.0, "p90Us": 125.0, "p99Us": 410.0, "p999Us": 2200.0, "maxUs": 9100.0 },
            "pairedVsRaw": { "p50RatioMedian": 1.02, "p999RatioMedian": 1.05 },
            "peakRps": 10800.0, "openLoop": [],
            "cpuNsPerCall": { "client": 31000.0, "server": 20000.0, "sidecar": 0.0 } },
          { "name": "mesh via haproxy",
            "closedLoop": { "samples": 150000, "p50Us": 140.0, "p90Us": 220.0, "p99Us": 700.0, "p999Us": 4000.0, "maxUs": 12000.0 },
            "pairedVsRaw": { "p50RatioMedian": 1.75, "p999RatioMedian": 1.9 },
            "peakRps": 7000.0, "openLoop": [],
            "cpuNsPerCall": { "client": 31000.0, "server": 20000.0, "sidecar": 25000.0 } }
        ]
      }
      """;

  static final String MACHINE = """
      {
        "kind": "suite-machine", "mode": "quick", "date": "2026-12-02T04:30:00Z",
        "javaVersion": "openjdk version \\"17.0.15\\" 2025-04-15\\nOpenJDK Runtime Environment (build 17.0.15+6-Debian-1deb12u1)\\n",
        "nproc": "2", "loadAverageBefore": "1.29 1.35 1.93", "loadAverageAfter": "2.50 1.80 1.90",
        "gitCommit": "ed659831234567890abcdef", "os": "Linux 6.1.0 x86_64", "cpuModel": "Some CPU",
        "elapsedSeconds": 170,
        "parts": [
          { "name": "MeshPipelineBenchmark", "status": "ok", "seconds": 20,
            "command": "java -jar benchmarks/target/benchmarks.jar 'MeshPipelineBenchmark\\\\.(plainClient|meshClient)$' -prof gc", "note": "" },
          { "name": "PeerPipelineBenchmark", "status": "skipped", "seconds": 0, "command": "",
            "note": "io.meshsdk.benchmarks.PeerPipelineBenchmark is not in the jar" }
        ]
      }
      """;
}
