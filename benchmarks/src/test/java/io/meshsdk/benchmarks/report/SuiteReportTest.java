package io.meshsdk.benchmarks.report;

import static io.meshsdk.benchmarks.report.SuiteFixtures.jmhFile;
import static io.meshsdk.benchmarks.report.SuiteFixtures.jmhRow;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SuiteReportTest {

  @TempDir
  Path dir;

  private void write(String name, String text) throws Exception {
    Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
  }

  private String read(String name) throws Exception {
    return Files.readString(dir.resolve(name), StandardCharsets.UTF_8);
  }

  private void writeAllParts() throws Exception {
    write("machine.json", SuiteFixtures.MACHINE);
    write("MeshPipelineBenchmark.json", jmhFile(
        jmhRow("MeshPipelineBenchmark.plainClient", Map.of("observer", "none", "policy", "least-request"), 400, 848),
        jmhRow("MeshPipelineBenchmark.meshClient", Map.of("observer", "none", "policy", "least-request"), 700, 1264),
        jmhRow("MeshPipelineBenchmark.plainClientDistinctUrls", Map.of("observer", "none", "policy", "least-request"),
            2000, 2257),
        jmhRow("MeshPipelineBenchmark.meshClientDistinctUrls", Map.of("observer", "none", "policy", "least-request"),
            2800, 3198)));
    write("MeshPipelineBenchmark-observer.json", jmhFile(
        jmhRow("MeshPipelineBenchmark.meshClient", Map.of("observer", "sampled-in+metrics", "policy",
            "least-request"), 2500, 3500)));
    write("RejectionBenchmark.json", jmhFile(
        jmhRow("RejectionBenchmark.breakerOpen", Map.of("depth", "60"), 300, 264),
        jmhRow("RejectionBenchmark.filledIoException", Map.of("depth", "60"), 2600, 2080)));
    write("PeerPipelineBenchmark.json", jmhFile(
        jmhRow("PeerPipelineBenchmark.bareOkHttp", Map.of(), 400, 900),
        jmhRow("PeerPipelineBenchmark.meshOkHttp", Map.of(), 700, 1300),
        jmhRow("PeerPipelineBenchmark.springCloudTuned", Map.of(), 1600, 5300),
        jmhRow("PeerPipelineBenchmark.springCloudDefaults", Map.of(), 80_000, 6100)));
    write("SpringRestClientPeerBenchmark.json", jmhFile(
        jmhRow("SpringRestClientPeerBenchmark.bareRestClient", Map.of(), 4000, 5000),
        jmhRow("SpringRestClientPeerBenchmark.meshRestClient", Map.of(), 9000, 10000)));
    write("LoadBalancerPickBenchmark.json", jmhFile(
        jmhRow("LoadBalancerPickBenchmark.pick", Map.of("balancer", "round-robin", "endpoints", "10"), 16, 0.0001),
        jmhRow("LoadBalancerPickBenchmark.pick", Map.of("balancer", "round-robin", "endpoints", "10000"), 32, 0.0002),
        jmhRow("LoadBalancerPickBenchmark.pick", Map.of("balancer", "ring-hash", "endpoints", "10"), 90, 0.001)));
    write("loopback.json", SuiteFixtures.LOOPBACK);
    write("SnapshotSwap.txt", """
        [main] INFO something
        header

        swap, from set() until the new picker is in place (250 swaps), ms:
        set() returns: new picker in place (end to end)   4.00  26.7
        """);
    write("DirectoryFootprint.txt", """

        1,000 services x 100 endpoints = 100,000 endpoints; OpenJDK
        the mesh's own state                        43.49 MB

        the mesh's own state by class (top 25):
            11,200,000      100,000      112.0  TrackedEndpoint
        """);
    write("notes.json", "{\"not\": \"a JMH file\"}");
  }

  @Test
  void summaryHasEveryPartAndTheRatiosOfThisRun() throws Exception {
    writeAllParts();
    List<Path> written = SuiteReport.write(dir);
    assertThat(written).extracting(p -> p.getFileName().toString())
        .containsExactly("summary.md", "peers.svg", "loopback-latency.svg");
    String md = read("summary.md");
    // machine and parts
    assertThat(md).contains("2026-12-02T04:30:00Z", "openjdk version \"17.0.15\"", "1.29 1.35 1.93",
        "ed659831234567890abcdef", "| 170 s |", "skipped: io.meshsdk.benchmarks.PeerPipelineBenchmark is not in the jar",
        "`java -jar benchmarks/target/benchmarks.jar 'MeshPipelineBenchmark\\.(plainClient\\|meshClient)$' -prof gc`");
    // mesh added over OkHttp alone: 700 - 400 ns, 1264 - 848 B; the observer row against the same plainClient
    assertThat(md).contains("| `meshClient` (observer=none, policy=least-request) | 700 ± 70 | 400 | **+300** | "
        + "1,264 | 848 | **+416** |");
    assertThat(md).contains("| `meshClient` (observer=sampled-in+metrics, policy=least-request) | 2,500 ± 250 | 400 |"
        + " **+2,100** |");
    assertThat(md).contains("| `meshClientDistinctUrls` (observer=none, policy=least-request) | 2,800 ± 280 | 2,000 |"
        + " **+800** | 3,198 | 2,257 | **+941** |");
    // rejection against a filled exception: 2600 / 300, 2080 / 264
    assertThat(md).contains("| `breakerOpen` | 60 | 300 ± 30 | 264 | 8.67× | 7.88× |");
    // peers: tuned adds 1200 ns and 4400 B, the mesh 300 ns and 400 B
    assertThat(md).contains("| `springCloudTuned` | 1,600 | 1,600 ± 160 | 5,300 | +1,200 | +4,400 | **4.00×** | **11×** |");
    assertThat(md).contains("| **`meshOkHttp`** | 700 | 700 ± 70 | 1,300 | +300 | +400 |  |  |");
    assertThat(md).contains("Floor: `bareRestClient`.");
    // pick per size and the 10k/10 ratio
    assertThat(md).contains("| balancer | 10 ns/op | 10,000 ns/op | 10,000 / 10 | max B/op |");
    assertThat(md).contains("| round-robin | 16 ± 1.60 | 32 ± 3.20 | 2.00× |");
    assertThat(md).contains("| ring-hash | 90 ± 9 |  |  |");
    // loopback and the mains
    assertThat(md).contains("| mesh via haproxy | 140 | 220 | 700 | 4,000 | 12,000 | 1.75× | 1.90× | 7,000 | 31,000 |"
        + " 20,000 | 25,000 |");
    assertThat(md).contains("| raw okhttp | 50 | 5,500 | 90 | 500 | 3,000 |");
    assertThat(md).contains("set() returns: new picker in place", "the mesh's own state                        43.49 MB");
    assertThat(md).doesNotContain("INFO something", "TrackedEndpoint");
    assertThat(md).contains("![per-call cost against the peers](peers.svg)",
        "![loopback latency percentiles](loopback-latency.svg)");
  }

  @Test
  void peersChartHasEveryVariantInTimeAndBytes() throws Exception {
    writeAllParts();
    SuiteReport.write(dir);
    List<String> texts = SvgBarChartTest.texts(read("peers.svg"));
    assertThat(texts).contains("Time per call", "Allocation per call", "PeerPipelineBenchmark",
        "SpringRestClientPeerBenchmark", "bareOkHttp", "meshOkHttp", "springCloudTuned", "springCloudDefaults",
        "bareRestClient", "meshRestClient", "700 ns", "1,300 B", "80,000 ns", "ns/op (median iteration) (log scale)");
    assertThat(texts).anyMatch(t -> t.contains("2 vCPU") && t.contains("OpenJDK 17.0.15") && t.contains("quick run"));
  }

  @Test
  void peerRatiosComeFromTheMedianIterationNotAnOutlierMovedMean() throws Exception {
    // the mesh's mean is moved by one 45 us iteration; its median is 3,000 ns (1,000 over the floor's 2,000)
    write("SpringRestClientPeerBenchmark.json", """
        [ { "benchmark" : "io.meshsdk.benchmarks.SpringRestClientPeerBenchmark.bareRestClient", "mode" : "avgt",
            "primaryMetric" : { "score" : 2000.0, "scoreError" : 10.0, "scoreUnit" : "ns/op",
              "rawData" : [ [ 1990.0, 2000.0, 2010.0 ] ] } },
          { "benchmark" : "io.meshsdk.benchmarks.SpringRestClientPeerBenchmark.meshRestClient", "mode" : "avgt",
            "primaryMetric" : { "score" : 16000.0, "scoreError" : 90000.0, "scoreUnit" : "ns/op",
              "rawData" : [ [ 2990.0, 3000.0, 45000.0 ] ] } },
          { "benchmark" : "io.meshsdk.benchmarks.SpringRestClientPeerBenchmark.springCloudLoadBalancedTuned",
            "mode" : "avgt",
            "primaryMetric" : { "score" : 12000.0, "scoreError" : 100.0, "scoreUnit" : "ns/op",
              "rawData" : [ [ 11900.0, 12000.0, 12100.0 ] ] } } ]
        """);
    SuiteReport.write(dir);
    String md = read("summary.md");
    assertThat(md).contains("| **`meshRestClient`** | 3,000 | 16,000 ± 90,000 |");
    assertThat(md).contains("| `springCloudLoadBalancedTuned` | 12,000 | 12,000 ± 100 |");
    assertThat(md).contains("| +10,000 | n/a | **10×** |"); // (12,000 - 2,000) / (3,000 - 2,000); means: 0.71x
  }

  @Test
  void loopbackChartHasEveryPathAndPercentile() throws Exception {
    writeAllParts();
    SuiteReport.write(dir);
    List<String> texts = SvgBarChartTest.texts(read("loopback-latency.svg"));
    assertThat(texts).contains("raw okhttp", "mesh direct", "mesh via haproxy", "p50", "p90", "p99", "p99.9",
        "p50 80.5 µs", "p99.9 4,000 µs", "µs per call (log scale)");
    assertThat(texts).anyMatch(t -> t.contains("150,000 samples per path"));
  }

  @Test
  void partsThatDidNotRunAreLeftOut() throws Exception {
    write("RejectionBenchmark.json", jmhFile(jmhRow("RejectionBenchmark.breakerOpen", Map.of("depth", "1"), 300, 264)));
    write("peers.svg", "stale");
    List<Path> written = SuiteReport.write(dir);
    assertThat(written).extracting(p -> p.getFileName().toString()).containsExactly("summary.md");
    assertThat(dir.resolve("peers.svg")).doesNotExist();
    String md = read("summary.md");
    assertThat(md).contains("No `machine.json`", "## Rejections", "| `breakerOpen` | 1 | 300 ± 30 | 264 |  |  |");
    assertThat(md).doesNotContain("## Call pipeline", "## Per-call cost", "## Loopback", "## Load balancer",
        "## Discovery scale");
  }
}
