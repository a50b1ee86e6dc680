package io.meshsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** A malformed policy file or an unusable certificate file stops the start with a report naming file and reason. */
class MeshSecurityFailureAnalyzersTest {

  @TempDir
  Path dir;

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(MeshAutoConfiguration.class))
      .withUserConfiguration(MeshAutoConfigurationTest.App.class);

  private FailureAnalysis analyze(FailureAnalyzer analyzer, String... properties) {
    FailureAnalysis[] out = new FailureAnalysis[1];
    runner.withPropertyValues(properties).run(ctx -> {
      assertThat(ctx).hasFailed();
      out[0] = analyzer.analyze(ctx.getStartupFailure());
    });
    assertThat(out[0]).as("analysis").isNotNull();
    return out[0];
  }

  @Test
  void aMalformedPolicyFileIsReportedWithFileLineAndReason() throws Exception {
    Path policy = Files.writeString(dir.resolve("policy.conf"), "service orders\n  allow read metod=GET\n");
    FailureAnalysis a = analyze(new MeshSecurityFailureAnalyzers.Policy(), "mesh.policy.file=" + policy);
    assertThat(a.getDescription()).contains(policy + ":2:").contains("metod");
    assertThat(a.getAction()).contains("at line 2");
  }

  @Test
  void aMissingPolicyFileIsReported() {
    FailureAnalysis a = analyze(new MeshSecurityFailureAnalyzers.Policy(),
        "mesh.policy.file=" + dir.resolve("nope.conf"));
    assertThat(a.getDescription()).contains("nope.conf");
  }

  @Test
  void anUnusableCertificateFileIsReportedByName() throws Exception {
    Path chain = Files.writeString(dir.resolve("tls.crt"), "-----BEGIN CERTIFICATE-----\ntruncated");
    Path key = Files.writeString(dir.resolve("tls.key"), "");
    Path bundle = Files.writeString(dir.resolve("ca.crt"), "");
    FailureAnalysis a = analyze(new MeshSecurityFailureAnalyzers.Certificate(),
        "mesh.tls.certificate-chain=" + chain, "mesh.tls.private-key=" + key, "mesh.tls.trust-bundle=" + bundle);
    assertThat(a.getDescription()).containsAnyOf("tls.crt", "tls.key", "ca.crt");
  }
}
