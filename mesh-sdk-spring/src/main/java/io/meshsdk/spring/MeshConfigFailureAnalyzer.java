package io.meshsdk.spring;

import io.meshsdk.core.common.ConfigException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns an invalid {@code mesh.*} value (a {@link ConfigException} from the core or the starter) into Boot's
 * startup failure report, naming the property, the value and what is allowed.
 */
public class MeshConfigFailureAnalyzer extends AbstractFailureAnalyzer<ConfigException> {

  /** Created by Spring Boot from {@code META-INF/spring.factories}. */
  public MeshConfigFailureAnalyzer() {}

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, ConfigException cause) {
    String description = "Invalid mesh configuration: property '" + cause.key() + "' has the value '" + cause.value()
        + "', which is not allowed.";
    String action = "Change '" + cause.key() + "' to " + cause.expected() + ".";
    return new FailureAnalysis(description, action, cause);
  }
}
