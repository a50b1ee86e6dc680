package io.meshsdk.core;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.codeUnits;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The layering of {@code mesh-sdk-core}, enforced (docs/adr/0007). Public packages hold what users configure,
 * implement (SPIs) and observe; {@code internal..} holds the engine. The composition root {@link Mesh} is the
 * only public class that reaches into the engine.
 *
 * <pre>
 *   io.meshsdk.core (Mesh) ──────────────► internal.engine ──► internal.{directory, resilience, okhttp, jdk, concurrent}
 *          │                                     │
 *          ▼                                     ▼
 *   config, sidecar, resilience, loadbalancer, discovery, registration, observe, metrics, inbound, snapshot,
 *   transport, client, endpoint, security, security.policy, migration ──► common (leaf)
 * </pre>
 *
 * <p>{@code migration} (plan definitions and what the mesh reports about plans) uses {@code common} only, so that
 * {@code config} (plans are config) and {@code sidecar} (the report and the audit trail carry plan figures) can
 * depend on it; the plan state machine is {@code internal.migration}, driven by the engine.
 *
 * <p>{@code sidecar.parity} (policy parity and its snippets) is part of the {@code sidecar} slice: it reads the parts
 * of a service's config and the sidecar's config, never {@code config} itself nor the engine.
 *
 * <p>{@code security} (identities, certificates) and {@code security.policy} (access policies) use {@code common}
 * only, so that config, the engine, the inbound guard, the egress path and the Spring filter can all depend on them.
 */
class ArchitectureTest {

  private static final String INTERNAL = "io.meshsdk.core.internal..";

  private static final JavaClasses CORE = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.meshsdk.core");

  @Test
  void publicPackagesHaveNoCycles() {
    slices().matching("io.meshsdk.core.(*)..").should().beFreeOfCycles().check(CORE);
  }

  @Test
  void internalPackagesHaveNoCycles() {
    slices().matching("io.meshsdk.core.internal.(*)..").should().beFreeOfCycles().check(CORE);
  }

  @Test
  void onlyTheCompositionRootReachesIntoTheEngine() {
    noClasses().that().resideOutsideOfPackages("io.meshsdk.core", INTERNAL)
        .should().dependOnClassesThat().resideInAPackage(INTERNAL)
        .because("feature packages and SPIs must not call back into the engine or see its mutable state")
        .check(CORE);
  }

  @Test
  void commonIsALeaf() {
    noClasses().that().resideInAPackage("io.meshsdk.core.common..")
        .should().dependOnClassesThat(resideInAPackage("io.meshsdk..")
            .and(not(resideInAPackage("io.meshsdk.core.common.."))))
        .because("every package may use config values, names and headers; they use nothing of ours")
        .check(CORE);
  }

  @Test
  void accessPoliciesUseOnlyCommon() {
    noClasses().that().resideInAPackage("io.meshsdk.core.security.policy..")
        .should().dependOnClassesThat(resideInAPackage("io.meshsdk..")
            .and(not(resideInAPackage("io.meshsdk.core.common..")))
            .and(not(resideInAPackage("io.meshsdk.core.security.policy.."))))
        .because("the inbound guard, the egress path and the Spring filter depend on the policy engine")
        .check(CORE);
  }

  @Test
  void securityUsesNoOtherFeaturePackage() {
    noClasses().that().resideInAPackage("io.meshsdk.core.security")
        .should().dependOnClassesThat(resideInAPackage("io.meshsdk..")
            .and(not(resideInAPackage("io.meshsdk.core.security..")))
            .and(not(resideInAPackage("io.meshsdk.core.common.."))))
        .because("identities and certificates are read by config (per-service TLS), the engine and the server side;"
            + " they depend on nothing of the mesh but common")
        .check(CORE);
  }

  @Test
  void migrationPlansUseOnlyCommon() {
    noClasses().that().resideInAPackage("io.meshsdk.core.migration..")
        .should().dependOnClassesThat(resideInAPackage("io.meshsdk..")
            .and(not(resideInAPackage("io.meshsdk.core.common..")))
            .and(not(resideInAPackage("io.meshsdk.core.migration.."))))
        .because("config (plans are config) and sidecar (the report and the audit trail carry plan figures) depend"
            + " on the plan types; the state machine that runs them is internal")
        .check(CORE);
  }

  @Test
  void thePlanStateMachineDoesNotReachIntoTheEngine() {
    noClasses().that().resideInAPackage("io.meshsdk.core.internal.migration..")
        .should().dependOnClassesThat().resideInAPackage("io.meshsdk.core.internal.engine..")
        .because("the engine drives plans with figures it reads; plans never see the engine's mutable state")
        .check(CORE);
  }

  @Test
  void policyParityUsesNoServiceConfigNorTheEngine() {
    noClasses().that().resideInAPackage("io.meshsdk.core.sidecar.parity..")
        .should().dependOnClassesThat(resideInAPackage("io.meshsdk.core.config..")
            .or(resideInAPackage(INTERNAL)))
        .because("config depends on sidecar, and the migration report (sidecar) carries the parity: it is built"
            + " from the parts of a service's config (resilience, lb, tls, route) and the sidecar's config")
        .check(CORE);
  }

  @Test
  void thePublicApiExposesNoInternalType() {
    codeUnits().that().arePublic()
        .and().areDeclaredInClassesThat().arePublic()
        .and().areDeclaredInClassesThat().resideOutsideOfPackage(INTERNAL)
        .should(exposeNoInternalType())
        .check(CORE);
  }

  private static ArchCondition<JavaCodeUnit> exposeNoInternalType() {
    return new ArchCondition<>("expose no type of " + INTERNAL) {
      @Override
      public void check(JavaCodeUnit unit, ConditionEvents events) {
        List<JavaType> exposed = new ArrayList<>();
        exposed.add(unit.getReturnType());
        exposed.addAll(unit.getParameterTypes());
        exposed.addAll(unit.getExceptionTypes());
        for (JavaType type : exposed) {
          for (JavaClass raw : type.getAllInvolvedRawTypes()) {
            if (raw.getPackageName().startsWith("io.meshsdk.core.internal")) {
              events.add(SimpleConditionEvent.violated(unit,
                  unit.getFullName() + " exposes " + raw.getName()));
            }
          }
        }
      }
    };
  }
}
