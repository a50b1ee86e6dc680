package io.meshsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshsdk.core.Mesh;
import io.meshsdk.testing.LoopbackBackend;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The documented decision: the starter does not govern {@code WebClient}. It contributes nothing to a
 * {@code WebClient.Builder}, so a call to a mesh service name is not routed by the mesh: it fails resolving the name
 * (here) instead of reaching an endpoint, while a RestClient call to the same name works.
 */
class WebClientIsNotGovernedIT {

  @Test
  void aWebClientCallToAMeshHostIsNotRouted() {
    try (LoopbackBackend backend = LoopbackBackend.start("inventory")) {
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(MeshAutoConfiguration.class))
          .withUserConfiguration(MeshAutoConfigurationTest.App.class)
          .withPropertyValues("mesh.drain-delay=0",
              "mesh.discovery.uri=static:inventory-svc=127.0.0.1:" + backend.port())
          .run(ctx -> {
            assertThat(ctx.getBean(Mesh.class).isMeshHost("inventory-svc")).isTrue();
            assertThat(ctx.getBeanNamesForType(
                org.springframework.web.reactive.function.client.ExchangeFilterFunction.class)).isEmpty();
            WebClient client = WebClient.builder().clientConnector(new JdkClientHttpConnector()).build();
            assertThatThrownBy(() -> client.get().uri("http://inventory-svc/items/1").retrieve()
                .bodyToMono(String.class).block(Duration.ofSeconds(10)))
                .isInstanceOf(Exception.class);
            assertThat(backend.requests()).isZero();
          });
    }
  }
}
