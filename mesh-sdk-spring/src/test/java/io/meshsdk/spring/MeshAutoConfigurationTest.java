package io.meshsdk.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.tracing.MeshTracing;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import java.util.ArrayList;
import java.util.List;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.boot.restclient.RestTemplateCustomizer;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.ClientHttpRequestInitializer;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;

/** Every condition of the auto-configuration. */
class MeshAutoConfigurationTest {

  static final String STATIC = "mesh.discovery.uri=static:inventory=127.0.0.1:9";

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(MeshAutoConfiguration.class, MeshActuatorAutoConfiguration.class))
      .withPropertyValues(STATIC, "spring.application.name=checkout", "mesh.drain-delay=0");

  @Configuration(proxyBeanMethods = false)
  @EnableMesh
  static class App {}

  @Configuration(proxyBeanMethods = false)
  static class WithoutAnnotation {}

  @Test
  void withoutEnableMeshNothingIsCreated() {
    runner.withUserConfiguration(WithoutAnnotation.class).run(ctx -> {
      assertThat(ctx).hasNotFailed();
      assertThat(ctx).doesNotHaveBean(Mesh.class);
      assertThat(ctx).doesNotHaveBean(MeshSettings.class);
      assertThat(ctx).doesNotHaveBean(OkHttpClient.class);
    });
  }

  @Test
  void enableMeshCreatesTheMeshAndItsParts() {
    runner.withUserConfiguration(App.class).run(ctx -> {
      assertThat(ctx).hasSingleBean(Mesh.class);
      assertThat(ctx).hasSingleBean(MeshSettings.class);
      assertThat(ctx).hasSingleBean(OkHttpClient.class);
      assertThat(ctx).hasSingleBean(MeshRequestFactoryGuard.class);
      assertThat(ctx.getBean(ClientHttpRequestFactoryBuilder.class).build())
          .as("the detected factory builder, a bean so that it is wrapped")
          .isInstanceOf(MeshClientHttpRequestFactory.class);
      assertThat(ctx).hasSingleBean(MeshDrainLifecycle.class);
      assertThat(ctx).hasSingleBean(MeshConfigRefresher.class);
      assertThat(ctx).hasSingleBean(MeshRegistrar.class);
      assertThat(ctx).hasBean("meshRestClientCustomizer");
      assertThat(ctx).hasBean("meshRestTemplateCustomizer");
      assertThat(ctx).hasSingleBean(MeshTracing.class);
      assertThat(ctx).hasSingleBean(MeshHealthIndicator.class);
      Mesh mesh = ctx.getBean(Mesh.class);
      assertThat(mesh.isMeshHost("inventory")).isTrue();
      assertThat(ctx.getBean(MeshSettings.class).localService()).isEqualTo("checkout");
    });
  }

  @Test
  void meshEnabledFalseTurnsItOff() {
    runner.withUserConfiguration(App.class).withPropertyValues("mesh.enabled=false").run(ctx -> {
      assertThat(ctx).hasNotFailed();
      assertThat(ctx).doesNotHaveBean(Mesh.class);
      assertThat(ctx).doesNotHaveBean(MeshHealthIndicator.class);
    });
  }

  @Configuration(proxyBeanMethods = false)
  @EnableMesh
  static class UserBeans {
    static final OkHttpClient CLIENT = new OkHttpClient();

    @Bean(destroyMethod = "close")
    Mesh myMesh() {
      return Mesh.builder().discovery(StaticServiceDiscovery.of(Endpoint.of("pricing", "127.0.0.1", 9))).build();
    }

    @Bean
    OkHttpClient myClient() {
      return CLIENT;
    }

    @Bean
    MeshSettings mySettings() {
      return MeshSettings.of(java.util.Map.of("mesh.local-service", "mine"), null);
    }
  }

  @Test
  void theApplicationsBeansWin() {
    runner.withUserConfiguration(UserBeans.class).run(ctx -> {
      assertThat(ctx).hasSingleBean(Mesh.class);
      assertThat(ctx.getBean(Mesh.class).isMeshHost("pricing")).isTrue();
      assertThat(ctx.getBean(Mesh.class).isMeshHost("inventory")).isFalse();
      assertThat(ctx.getBean(OkHttpClient.class)).isSameAs(UserBeans.CLIENT);
      assertThat(ctx.getBean(MeshSettings.class).localService()).isEqualTo("mine");
    });
  }

  @Test
  void withoutMeshTracingOrOpenTelemetryTheMeshStillStarts() {
    runner.withUserConfiguration(App.class).withClassLoader(new FilteredClassLoader(MeshTracing.class))
        .run(ctx -> {
          assertThat(ctx).hasSingleBean(Mesh.class);
          assertThat(ctx).doesNotHaveBean("meshTracing");
        });
    runner.withUserConfiguration(App.class).withClassLoader(new FilteredClassLoader(OpenTelemetry.class))
        .run(ctx -> {
          assertThat(ctx).hasSingleBean(Mesh.class);
          assertThat(ctx).doesNotHaveBean("meshTracing");
        });
  }

  @Configuration(proxyBeanMethods = false)
  @EnableMesh
  static class WithOpenTelemetry {
    @Bean
    OpenTelemetry openTelemetry() {
      return io.opentelemetry.sdk.OpenTelemetrySdk.builder()
          .setTracerProvider(io.opentelemetry.sdk.trace.SdkTracerProvider.builder().build()).build();
    }
  }

  @Test
  void tracingUsesTheApplicationsOpenTelemetry() {
    runner.withUserConfiguration(WithOpenTelemetry.class).run(ctx -> {
      MeshTracing tracing = ctx.getBean(MeshTracing.class);
      assertThat(tracing.openTelemetry()).isSameAs(ctx.getBean(OpenTelemetry.class));
    });
    runner.withUserConfiguration(WithOpenTelemetry.class).withPropertyValues("mesh.tracing.enabled=false")
        .run(ctx -> assertThat(ctx).doesNotHaveBean(MeshTracing.class));
  }

  @Test
  void withoutRestClientNoCustomizer() {
    runner.withUserConfiguration(App.class)
        .withClassLoader(new FilteredClassLoader(RestClient.class, RestClientCustomizer.class))
        .run(ctx -> {
          assertThat(ctx).hasSingleBean(Mesh.class);
          assertThat(ctx).doesNotHaveBean("meshRestClientCustomizer");
        });
  }

  @Test
  void withoutActuatorNoEndpointNorHealth() {
    runner.withUserConfiguration(App.class)
        .withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate", "org.springframework.boot.health"))
        .run(ctx -> {
          assertThat(ctx).hasSingleBean(Mesh.class);
          assertThat(ctx).doesNotHaveBean(MeshEndpoint.class);
          assertThat(ctx).doesNotHaveBean(MeshHealthIndicator.class);
        });
  }

  @Test
  void theEndpointNeedsToBeExposed() {
    runner.withUserConfiguration(App.class).withPropertyValues("management.endpoints.web.exposure.include=mesh")
        .run(ctx -> assertThat(ctx).hasSingleBean(MeshEndpoint.class));
  }

  @Configuration(proxyBeanMethods = false)
  @EnableMesh
  static class WithRegistry {
    @Bean
    MeterRegistry registry() {
      return new SimpleMeterRegistry();
    }
  }

  @Test
  void metricsGoToTheApplicationsMeterRegistry() {
    runner.withUserConfiguration(WithRegistry.class).run(ctx -> {
      MeterRegistry registry = ctx.getBean(MeterRegistry.class);
      org.awaitility.Awaitility.await().untilAsserted(() ->
          assertThat(registry.getMeters()).anySatisfy(m -> assertThat(m.getId().getName()).startsWith("mesh.")));
    });
  }

  @Test
  void withoutAMeterRegistryTheMeshStillStarts() {
    runner.withUserConfiguration(App.class)
        .withClassLoader(new FilteredClassLoader("io.micrometer.core.instrument.simple"))
        .run(ctx -> assertThat(ctx).hasSingleBean(Mesh.class).doesNotHaveBean(MeterRegistry.class));
  }

  @Test
  void customizersAddTheGuardOnceAndWrapARestTemplatesFactoryUnderItsInterceptors() {
    runner.withUserConfiguration(App.class).run(ctx -> {
      Mesh mesh = ctx.getBean(Mesh.class);
      RestClientCustomizer customizer = ctx.getBean("meshRestClientCustomizer", RestClientCustomizer.class);
      RestClient.Builder builder = RestClient.builder();
      customizer.customize(builder);
      customizer.customize(builder);
      List<ClientHttpRequestInitializer> seen = new ArrayList<>();
      builder.requestInitializers(seen::addAll);
      assertThat(seen).hasSize(1).first().isInstanceOf(MeshRequestFactoryGuard.class);

      ClientHttpRequestInterceptor other = (request, body, execution) -> execution.execute(request, body);
      SimpleClientHttpRequestFactory own = new SimpleClientHttpRequestFactory();
      RestTemplate template = new RestTemplate(own);
      template.getInterceptors().add(other);
      RestTemplateCustomizer rt = ctx.getBean("meshRestTemplateCustomizer", RestTemplateCustomizer.class);
      rt.customize(template);
      rt.customize(template);
      assertThat(template.getInterceptors()).containsExactly(other);
      assertThat(template.getClientHttpRequestInitializers()).hasSize(1)
          .first().isInstanceOf(MeshRequestFactoryGuard.class);
      template.setInterceptors(List.of());
      assertThat(template.getRequestFactory()).isInstanceOfSatisfying(MeshClientHttpRequestFactory.class,
          f -> assertThat(f.delegate()).as("wrapped once, around the template's own factory").isSameAs(own));
      assertThat(MeshClientHttpRequestFactory.wrap(mesh, template.getRequestFactory()))
          .isSameAs(template.getRequestFactory());
    });
  }

  @Test
  void aFactoryBuilderOfTheApplicationsIsWrappedToo() {
    ClientHttpRequestFactory own = new SimpleClientHttpRequestFactory();
    runner.withUserConfiguration(App.class)
        .withBean("myFactoryBuilder", ClientHttpRequestFactoryBuilder.class, () -> settings -> own)
        .run(ctx -> {
          assertThat(ctx).hasSingleBean(ClientHttpRequestFactoryBuilder.class);
          assertThat(ctx.getBean(ClientHttpRequestFactoryBuilder.class).build())
              .isInstanceOfSatisfying(MeshClientHttpRequestFactory.class,
                  f -> assertThat(f.delegate()).isSameAs(own));
        });
  }

  @Test
  void theServletFilterOnlyInServletApplications() {
    new WebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(MeshAutoConfiguration.class))
        .withPropertyValues(STATIC, "mesh.drain-delay=0")
        .withUserConfiguration(App.class)
        .run(ctx -> {
          assertThat(ctx).hasBean("meshInboundFilter");
          Object registration = ctx.getBean("meshInboundFilter");
          assertThat(registration).isInstanceOf(FilterRegistrationBean.class);
          assertThat(((FilterRegistrationBean<?>) registration).getFilter()).isInstanceOf(MeshInboundFilter.class);
        });
    new WebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(MeshAutoConfiguration.class))
        .withPropertyValues(STATIC, "mesh.drain-delay=0", "mesh.server.enabled=false")
        .withUserConfiguration(App.class)
        .run(ctx -> assertThat(ctx).doesNotHaveBean("meshInboundFilter"));
    new WebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(MeshAutoConfiguration.class))
        .withPropertyValues(STATIC, "mesh.drain-delay=0")
        .withClassLoader(new FilteredClassLoader(FilterRegistrationBean.class))
        .withUserConfiguration(App.class)
        .run(ctx -> assertThat(ctx).hasSingleBean(Mesh.class).doesNotHaveBean("meshInboundFilter"));
    // not a web application (and so also without a servlet container)
    runner.withUserConfiguration(App.class).withClassLoader(new FilteredClassLoader("jakarta.servlet"))
        .run(ctx -> assertThat(ctx).hasSingleBean(Mesh.class).doesNotHaveBean("meshInboundFilter"));
  }

  @Test
  void drainRunsBeforeBootsGracefulShutdown() {
    assertThat(MeshDrainLifecycle.PHASE).isGreaterThan(
        org.springframework.boot.web.server.context.WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE);
  }
}
