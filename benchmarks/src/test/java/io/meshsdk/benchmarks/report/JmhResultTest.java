package io.meshsdk.benchmarks.report;

import static io.meshsdk.benchmarks.report.SuiteFixtures.jmhFile;
import static io.meshsdk.benchmarks.report.SuiteFixtures.jmhRow;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JmhResultTest {

  @Test
  void readsScoreErrorUnitParamsAndBytesPerOp() {
    List<JmhResult> rows = JmhResult.parse(jmhFile(
        jmhRow("MeshPipelineBenchmark.meshClient", Map.of("policy", "least-request"), 705.5, 1264.0),
        jmhRow("RejectionBenchmark.breakerOpen", Map.of("depth", "60"), 307.0, 264.0)), "parts");
    assertThat(rows).hasSize(2);
    JmhResult mesh = rows.get(0);
    assertThat(mesh.benchmark()).isEqualTo("io.meshsdk.benchmarks.MeshPipelineBenchmark.meshClient");
    assertThat(mesh.className()).isEqualTo("MeshPipelineBenchmark");
    assertThat(mesh.method()).isEqualTo("meshClient");
    assertThat(mesh.mode()).isEqualTo("avgt");
    assertThat(mesh.params()).containsExactly(Map.entry("policy", "least-request"));
    assertThat(mesh.score()).isEqualTo(705.5);
    assertThat(mesh.error()).isEqualTo(70.55);
    assertThat(mesh.unit()).isEqualTo("ns/op");
    assertThat(mesh.bytesPerOp()).isEqualTo(1264.0);
    assertThat(mesh.source()).isEqualTo("parts");
    assertThat(rows.get(1).param("depth")).isEqualTo("60");
  }

  @Test
  void olderJmhKeyAndNaNErrorAndNoProfiler() {
    String json = """
        [ {
          "benchmark" : "io.meshsdk.benchmarks.LoadBalancerPickBenchmark.pick",
          "mode" : "avgt",
          "params" : { "balancer" : "ring-hash", "endpoints" : "10000" },
          "primaryMetric" : { "score" : 98.1, "scoreError" : "NaN", "scoreUnit" : "ns/op" },
          "secondaryMetrics" : { "\u00b7gc.alloc.rate.norm" : { "score" : 0.001, "scoreUnit" : "B/op" } }
        }, {
          "benchmark" : "io.meshsdk.benchmarks.LoadBalancerPickBenchmark.pick",
          "mode" : "avgt",
          "primaryMetric" : { "score" : 15.0, "scoreError" : 1.5, "scoreUnit" : "ns/op" },
          "secondaryMetrics" : { }
        } ]
        """;
    List<JmhResult> rows = JmhResult.parse(json, "pick");
    assertThat(rows.get(0).error()).isNaN();
    assertThat(rows.get(0).bytesPerOp()).isEqualTo(0.001);
    assertThat(rows.get(0).paramText()).isEqualTo("balancer=ring-hash, endpoints=10000");
    assertThat(rows.get(1).bytesPerOp()).isNaN();
    assertThat(rows.get(1).params()).isEmpty();
    assertThat(rows.get(1).paramText()).isEmpty();
    assertThat(rows.get(0).median()).as("no rawData").isNaN();
    assertThat(rows.get(0).typical()).isEqualTo(98.1);
  }

  @Test
  void theMedianIterationIsNotMovedByAnOutlier() {
    String json = """
        [ {
          "benchmark" : "io.meshsdk.benchmarks.SpringRestClientPeerBenchmark.meshRestClient",
          "mode" : "avgt",
          "primaryMetric" : { "score" : 10960.0, "scoreError" : 30000.0, "scoreUnit" : "ns/op",
            "rawData" : [ [ 3300.0, 3400.0, 45000.0 ], [ 3200.0, 3500.0, 3360.0 ] ] }
        } ]
        """;
    JmhResult r = JmhResult.parse(json, "spring").get(0);
    assertThat(r.median()).isEqualTo(3380.0); // (3360 + 3400) / 2 over both forks
    assertThat(r.typical()).isEqualTo(3380.0);
    assertThat(r.score()).isEqualTo(10960.0);
  }

  @Test
  void anEmptyFileHasNoRows() {
    assertThat(JmhResult.parse("", "x")).isEmpty();
    assertThat(JmhResult.parse("[]", "x")).isEmpty();
  }

  @Test
  void paramsAgreeOnSharedNamesOnly() {
    JmhResult plain = JmhResult.parse(jmhFile(jmhRow("MeshPipelineBenchmark.plainClient",
        Map.of("policy", "least-request", "observer", "none"), 400, 848)), "p").get(0);
    assertThat(plain.agreesWith(Map.of("policy", "least-request", "observer", "metrics"), Set.of("observer"))).isTrue();
    assertThat(plain.agreesWith(Map.of("policy", "least-request", "observer", "metrics"), Set.of())).isFalse();
    assertThat(plain.agreesWith(Map.of("policy", "round-robin"), Set.of("observer"))).isFalse();
    assertThat(plain.agreesWith(Map.of("other", "x"), Set.of())).isTrue();
  }
}
