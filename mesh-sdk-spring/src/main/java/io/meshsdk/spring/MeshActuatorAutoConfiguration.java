package io.meshsdk.spring;

import io.meshsdk.core.Mesh;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Actuator support, when the application has Spring Boot Actuator: the {@code mesh} endpoint
 * ({@code /actuator/mesh} once exposed), the {@code mesh} health indicator and the {@code meshSidecar} one. Runs after
 * {@link MeshAutoConfiguration} and only when it made a {@link Mesh}.
 */
@AutoConfiguration(after = MeshAutoConfiguration.class)
@ConditionalOnBean(Mesh.class)
public class MeshActuatorAutoConfiguration {

  /** Created by Spring. */
  public MeshActuatorAutoConfiguration() {}

  /** The endpoint. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({Endpoint.class, ConditionalOnAvailableEndpoint.class})
  static class EndpointConfiguration {

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint(MeshEndpoint.class)
    MeshEndpoint meshEndpoint(Mesh mesh) {
      return new MeshEndpoint(mesh);
    }
  }

  /** The health indicator. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class})
  static class HealthConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "meshHealthIndicator")
    @ConditionalOnEnabledHealthIndicator("mesh")
    MeshHealthIndicator meshHealthIndicator(Mesh mesh) {
      return new MeshHealthIndicator(mesh);
    }

    @Bean
    @ConditionalOnMissingBean(name = "meshSidecarHealthIndicator")
    @ConditionalOnEnabledHealthIndicator("mesh-sidecar")
    MeshSidecarHealthIndicator meshSidecarHealthIndicator(Mesh mesh) {
      return new MeshSidecarHealthIndicator(mesh);
    }
  }
}
