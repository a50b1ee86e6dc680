package io.meshsdk.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * mesh-tracing needs only the OpenTelemetry API: the SDK and the OTLP exporter are optional dependencies. A JVM
 * started without them on its classpath traces mesh calls with the application's own {@code OpenTelemetry}, and
 * {@code MeshTracing.builder().build()}, which would set up the SDK, fails naming the missing artifact.
 */
class ApiOnlyClasspathIT {

  @Test
  void anApplicationWithOnlyTheApiTracesMeshCallsWithItsOwnOpenTelemetry() throws Exception {
    String full = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> entries = Arrays.asList(full.split(File.pathSeparator));
    List<String> apiOnly = entries.stream()
        .filter(e -> !Path.of(e).getFileName().toString().matches("opentelemetry-(sdk|exporter)[-.].*"))
        .collect(Collectors.toList());
    assertThat(entries.size() - apiOnly.size()).as("SDK and exporter jars left out").isGreaterThanOrEqualTo(3);
    assertThat(apiOnly).anyMatch(e -> e.contains("opentelemetry-api"));

    String out = run(String.join(File.pathSeparator, apiOnly));

    assertThat(out).contains("SDK: absent");
    assertThat(out).contains("BUILD WITHOUT SDK: MeshTracing: io.opentelemetry:opentelemetry-sdk is not on the"
        + " classpath");
    assertThat(out).contains("STATUS: 200");
    assertThat(out).containsPattern("BACKEND TRACEPARENT: 00-" + ApiOnlyMain.TRACE_ID + "-[0-9a-f]{16}-01");
  }

  private static String run(String classpath) throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-cp", classpath, ApiOnlyMain.class.getName())
        .redirectErrorStream(true)
        .start();
    byte[] output;
    try {
      output = p.getInputStream().readAllBytes();
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the API-only JVM ended").isTrue();
    } finally {
      p.destroyForcibly();
    }
    String out = new String(output, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as("exit code; output:%n%s", out).isZero();
    return out;
  }
}
