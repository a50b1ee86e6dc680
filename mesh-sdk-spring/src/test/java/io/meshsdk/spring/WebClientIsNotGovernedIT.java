package io.meshsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshsdk.core.Mesh;
import io.meshsdk.testing.LoopbackBackend;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The documented decision: the starter does not govern {@code WebClient}, and does not let it go around the mesh
 * either. Boot's {@code WebClient.Builder} gets a filter that refuses a request to a mesh service with a clear error,
 * before anything is sent; other hosts pass through.
 */
class WebClientIsNotGovernedIT {

  @Test
  void bootsWebClientRefusesAMeshHostAndPassesOtherHosts() {
    try (LoopbackBackend backend = LoopbackBackend.start("inventory")) {
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(MeshAutoConfiguration.class, WebClientAutoConfiguration.class))
          .withUserConfiguration(MeshAutoConfigurationTest.App.class)
          .withPropertyValues("mesh.drain-delay=0",
              "mesh.discovery.uri=static:inventory-svc=127.0.0.1:" + backend.port())
          .run(ctx -> {
            assertThat(ctx.getBean(Mesh.class).isMeshHost("inventory-svc")).isTrue();
            WebClient client = ctx.getBean(WebClient.Builder.class)
                .clientConnector(new JdkClientHttpConnector()).build();
            assertThatThrownBy(() -> client.get().uri("http://Inventory-Svc/items/1").retrieve()
                .bodyToMono(String.class).block(Duration.ofSeconds(10)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("WebClient is not governed by the mesh")
                .hasMessageContaining("mesh service 'Inventory-Svc'")
                .hasMessageContaining("RestClient");
            assertThat(backend.requests()).as("nothing sent").isZero();

            assertThat(client.get().uri(backend.baseUrl() + "/plain").retrieve().bodyToMono(String.class)
                .block(Duration.ofSeconds(10))).isEqualTo("inventory GET /plain\n");
          });
    }
  }

  @Test
  void withoutTheMeshWebClientIsLeftAlone() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(MeshAutoConfiguration.class, WebClientAutoConfiguration.class))
        .withUserConfiguration(MeshAutoConfigurationTest.App.class)
        .withPropertyValues("mesh.enabled=false")
        .run(ctx -> assertThat(ctx).doesNotHaveBean("meshWebClientCustomizer"));
  }
}
