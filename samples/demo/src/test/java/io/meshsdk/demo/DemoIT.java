package io.meshsdk.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The demo runs to the end by itself on embedded defaults and reports every section. */
class DemoIT {

  @Test
  void runsEveryStepAndReportsWhatTheMeshDid() throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      Demo.run(Duration.ofSeconds(2));
    } finally {
      System.setOut(original);
    }
    String out = captured.toString(StandardCharsets.UTF_8);
    original.print(out);
    assertThat(out)
        .contains("== 1. Discovery")
        .contains("== 2. Load balancing")
        .contains("inventory-healthy")
        .contains("inventory-slow")
        .contains("inventory-flaky")
        .contains("== 3. Circuit breaker")
        .contains("breaker OPEN")
        .contains("CircuitOpenException")
        .contains("== 4. Outbound rate limiting")
        .contains("RateLimitedException")
        .contains("== 5. Tracing")
        .containsPattern("GET \\[CLIENT\\] .* mesh.service=catalog .*!mesh.retry")
        .contains("resend=1")
        .contains("== 6. Sidecar handoff")
        .contains("Migration report")
        .contains("== 7. What the mesh sees now")
        .containsPattern("inventory  lb=least-request route=direct breaker=CLOSED")
        .containsPattern("catalog-ok +SERVING")
        .contains("they passed, breaker CLOSED") // the breaker section waits for recovery and reports it
        .contains("== Done");
    // the sidecar part shows a real handoff when HAProxy or nginx is installed (CI installs both)
    if (io.meshsdk.testing.sidecar.LocalSidecar.firstInstalled() != null) {
      assertThat(out).contains("via sidecar=200").contains("sidecar killed:").doesNotContain("failed:");
    } else {
      assertThat(out).contains("bridge reports NOT READY");
    }
  }
}
