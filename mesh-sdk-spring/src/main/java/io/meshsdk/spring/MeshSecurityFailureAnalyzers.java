package io.meshsdk.spring;

import io.meshsdk.core.security.CertificateFileException;
import io.meshsdk.core.security.policy.PolicyException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Startup failure reports for the security settings: a malformed access policy, an unusable certificate file. */
final class MeshSecurityFailureAnalyzers {

  private MeshSecurityFailureAnalyzers() {}

  /** {@code mesh.policy.file} cannot be used: names file, line and reason. */
  public static final class Policy extends AbstractFailureAnalyzer<PolicyException> {

    /** Created by Spring Boot from {@code META-INF/spring.factories}. */
    public Policy() {}

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, PolicyException cause) {
      return new FailureAnalysis("Invalid mesh access policy (mesh.policy.file): " + cause.getMessage(),
          "Fix " + cause.source() + (cause.line() > 0 ? " at line " + cause.line() : "") + ": " + cause.reason()
              + ". See docs/security.md, \"Policy reference\".", cause);
    }
  }

  /** A {@code mesh.tls.*} file cannot be used: names the file and what is wrong with it. */
  public static final class Certificate extends AbstractFailureAnalyzer<CertificateFileException> {

    /** Created by Spring Boot from {@code META-INF/spring.factories}. */
    public Certificate() {}

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, CertificateFileException cause) {
      return new FailureAnalysis("Unusable mesh workload certificate file (mesh.tls.*): " + cause.getMessage(),
          "Fix or replace " + cause.file() + ": " + cause.problem() + ".", cause);
    }
  }
}
