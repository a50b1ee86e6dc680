package io.meshsdk.tracing;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** mesh-tracing attaches through the observer SPI, and only a few classes touch the optional SDK. */
class TracingArchitectureTest {

  private static final JavaClasses TRACING = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.meshsdk.tracing");

  @Test
  void tracingSeesNoEngineInternals() {
    noClasses().should().dependOnClassesThat().resideInAPackage("io.meshsdk.core.internal..").check(TRACING);
  }

  @Test
  void onlyTheSdkSetupTouchesTheOptionalSdkAndExporter() {
    noClasses().that().haveNameNotMatching("io\\.meshsdk\\.tracing\\.(OwnedSdk|MeshSampler|SpanTrees)(\\$.*)?")
        .and().doNotHaveFullyQualifiedName(MeshTracing.Builder.class.getName())
        .should().dependOnClassesThat().resideInAnyPackage("io.opentelemetry.sdk..", "io.opentelemetry.exporter..")
        .because("opentelemetry-sdk and opentelemetry-exporter-otlp are optional dependencies of mesh-tracing")
        .check(TRACING);
  }
}
