package io.meshsdk.spring;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.FileConfigSource;
import io.meshsdk.core.discovery.ServiceDiscoveries;
import io.meshsdk.core.discovery.ServiceDiscovery;
import io.meshsdk.core.inbound.InboundGuardConfig;
import io.meshsdk.core.metrics.MeshServerMetrics;
import io.meshsdk.core.registration.ServiceRegistries;
import io.meshsdk.core.registration.ServiceRegistry;
import io.meshsdk.core.security.TlsConfig;
import io.meshsdk.core.security.WorkloadCertificates;
import io.meshsdk.core.security.policy.AccessPolicy;
import io.meshsdk.core.security.policy.PolicyConfig;
import io.meshsdk.core.security.policy.PolicyException;
import io.meshsdk.core.security.policy.PolicyFile;
import io.meshsdk.core.security.policy.PolicyHolder;
import io.meshsdk.core.sidecar.SidecarConfig;
import io.meshsdk.tracing.MeshTracing;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.ssl.SslBundleRegistrar;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.boot.restclient.RestTemplateCustomizer;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ResourceLoader;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.ClientHttpRequestInitializer;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The mesh for a Spring Boot application that has {@link EnableMesh}: active only with the
 * {@link MeshMarkerConfiguration.Marker} bean and {@code mesh.enabled} not {@code false}. Every bean backs off when
 * the application defines one of the same type (or name, for the filter). See the module's README for what each
 * bean does and the properties.
 */
@AutoConfiguration(afterName = {
    "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
    "org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure.OpenTelemetryTracingAutoConfiguration",
    "org.springframework.boot.opentelemetry.autoconfigure.OpenTelemetrySdkAutoConfiguration",
    "org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration"})
@ConditionalOnBean(MeshMarkerConfiguration.Marker.class)
@ConditionalOnBooleanProperty(name = "mesh.enabled", matchIfMissing = true)
public class MeshAutoConfiguration {

  private static final Logger log = LoggerFactory.getLogger(MeshAutoConfiguration.class);

  /** Created by Spring. */
  public MeshAutoConfiguration() {}

  /** The {@code mesh.*} properties, flattened and validated by the core. */
  @Bean
  @ConditionalOnMissingBean
  public MeshSettings meshSettings(Environment environment) {
    return MeshSettings.from(environment);
  }

  /** The discovery backend {@code mesh.discovery.uri} names (closed by the mesh). */
  @Bean(destroyMethod = "")
  @ConditionalOnMissingBean
  public ServiceDiscovery meshServiceDiscovery(MeshSettings settings) {
    return ServiceDiscoveries.fromProperties(settings.coreProperties());
  }

  /** The registry {@code mesh.registry.uri} names. */
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnProperty("mesh.registry.uri")
  public ServiceRegistry meshServiceRegistry(MeshSettings settings) {
    return ServiceRegistries.fromProperties(settings.coreProperties()).orElseThrow();
  }

  /** The mesh: discovery, config, metrics into the application's {@code MeterRegistry}, customizers applied. */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public Mesh mesh(MeshSettings settings, ServiceDiscovery discovery, ObjectProvider<MeterRegistry> meterRegistry,
      ObjectProvider<MeshBuilderCustomizer> customizers, PolicyHolder policies,
      ObjectProvider<PolicyFile> policyFile, ObjectProvider<WorkloadCertificates> certificates) {
    policyFile.getIfAvailable(); // the file is read before the first request or call
    Mesh.Builder b = Mesh.builder()
        .discovery(discovery)
        .config(settings.config())
        .drainDelay(settings.drainDelay())
        .drainTimeout(settings.drainTimeout())
        .discoveryWait(settings.discoveryWait())
        .failsafeDirectory(settings.failsafeDirectory())
        .sidecar(SidecarConfig.fromProperties(settings.coreProperties()))
        .policies(policies);
    WorkloadCertificates certs = certificates.getIfAvailable();
    if (certs != null) {
      b.tls(certs);
    }
    String local = settings.localService();
    if (local != null) {
      b.localService(local);
    }
    MeterRegistry registry = meterRegistry.getIfUnique();
    if (registry != null) {
      b.meterRegistry(registry);
    }
    customizers.orderedStream().forEach(c -> c.customize(b));
    Mesh mesh = b.build();
    log.info("mesh: started (local service {}, {} declared service(s))", local, settings.config().services().size());
    return mesh;
  }

  /**
   * The access policies in force: allow-all until {@code mesh.policy.file} loads a policy; the decision counters
   * ({@value PolicyHolder#METRIC_DECISIONS}) go to the application's {@code MeterRegistry}.
   */
  @Bean
  @ConditionalOnMissingBean
  public PolicyHolder meshPolicies(MeshSettings settings, ObjectProvider<MeterRegistry> meterRegistry) {
    PolicyConfig config = PolicyConfig.fromProperties(settings.coreProperties());
    PolicyHolder holder = PolicyHolder.create(AccessPolicy.allowAll(), config.logInterval(),
        io.meshsdk.core.common.Ticker.SYSTEM);
    MeterRegistry registry = meterRegistry.getIfUnique();
    if (registry != null) {
      holder.bindTo(registry);
    }
    return holder;
  }

  /**
   * {@code mesh.policy.file}: read at startup (a malformed file stops the start, naming file, line and reason) and
   * re-read every {@code mesh.policy.refresh-interval}; a malformed change is logged and the policy in force kept.
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  @ConditionalOnProperty("mesh.policy.file")
  public PolicyFile meshPolicyFile(PolicyHolder policies, MeshSettings settings) throws PolicyException {
    PolicyConfig config = PolicyConfig.fromProperties(settings.coreProperties());
    Path file = java.util.Objects.requireNonNull(config.file(), "mesh.policy.file");
    PolicyFile watched = PolicyFile.watch(file, config.refreshInterval(), policies);
    log.info("mesh: access policy from {} ({} rules, checked every {} ms)", file, policies.current().ruleCount(),
        config.refreshInterval().toMillis());
    return watched;
  }

  /**
   * {@code mesh.tls.*}: this workload's certificate, key and trust bundle, kept current as the files rotate; used
   * by the mesh's mTLS calls and, as SSL bundle {@code mesh}, by the embedded server.
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  @ConditionalOnProperty("mesh.tls.certificate-chain")
  public WorkloadCertificates meshWorkloadCertificates(MeshSettings settings,
      ObjectProvider<MeterRegistry> meterRegistry) {
    TlsConfig config = TlsConfig.fromProperties(settings.coreProperties()).orElseThrow();
    WorkloadCertificates certificates = WorkloadCertificates.start(config);
    MeterRegistry registry = meterRegistry.getIfUnique();
    if (registry != null) {
      certificates.bindTo(registry);
    }
    log.info("mesh: workload certificates {}", certificates);
    return certificates;
  }

  /** Registers SSL bundle {@code mesh} (the workload certificates) for {@code server.ssl.bundle=mesh}. */
  @Bean
  @ConditionalOnProperty("mesh.tls.certificate-chain")
  @ConditionalOnMissingBean(name = "meshSslBundle")
  static SslBundleRegistrar meshSslBundle(WorkloadCertificates certificates) {
    return new MeshSslBundle(certificates);
  }

  /** Drains the mesh before the web server's graceful shutdown. */
  @Bean
  @ConditionalOnMissingBean
  public MeshDrainLifecycle meshDrainLifecycle(Mesh mesh) {
    return new MeshDrainLifecycle(mesh);
  }

  /** Re-reads {@code mesh.*} and reconfigures the mesh on demand. */
  @Bean
  @ConditionalOnMissingBean
  public MeshConfigRefresher meshConfigRefresher(Mesh mesh, Environment environment, MeshSettings settings) {
    return new MeshConfigRefresher(mesh, environment, settings.configFile() != null);
  }

  /** {@code mesh.config.file}: the core's watched file, applied to the mesh on every valid change. */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  @ConditionalOnProperty("mesh.config.file")
  public FileConfigSource meshConfigFile(Mesh mesh, MeshSettings settings) {
    Path file = settings.configFile();
    FileConfigSource source = FileConfigSource.watch(java.util.Objects.requireNonNull(file, "file"),
        settings.configPollInterval());
    mesh.reconfigure(source.current());
    source.subscribe(mesh::reconfigure);
    log.info("mesh: config from {} (checked every {} ms)", file, settings.configPollInterval().toMillis());
    return source;
  }

  /** Registers this instance when the application is ready (when a registry is configured). */
  @Bean
  @ConditionalOnMissingBean
  public MeshRegistrar meshRegistrar(Mesh mesh, ObjectProvider<ServiceRegistry> registry, MeshSettings settings,
      Environment environment) {
    return new MeshRegistrar(mesh, registry.getIfUnique(), settings, environment.getProperty("server.address"));
  }

  /** Calls {@link MeshRegistrar#register()} on this context's {@link ApplicationReadyEvent}. */
  @Bean
  public static ApplicationListener<ApplicationReadyEvent> meshRegisterOnReady(ObjectProvider<MeshRegistrar> registrar) {
    return new ReadyListener(registrar);
  }

  /** {@code OkHttpClient} calls governed by the mesh ({@code mesh.newOkHttpClient()}). */
  @Bean(destroyMethod = "")
  @ConditionalOnMissingBean
  public OkHttpClient meshOkHttpClient(Mesh mesh) {
    return mesh.newOkHttpClient();
  }

  /**
   * The Spring transport of the mesh: every {@code ClientHttpRequestFactoryBuilder} bean builds
   * {@link MeshClientHttpRequestFactory} factories, so every client Boot builds is governed. Static: a post-processor
   * is created before the other beans, and looks the mesh up only when a factory is built.
   */
  @Bean
  @ConditionalOnClass(name = "org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder")
  static BeanPostProcessor meshRequestFactoryBuilders(ObjectProvider<Mesh> mesh) {
    return new MeshRequestFactoryBuilders(mesh);
  }

  /** Registers on ready. */
  private static final class ReadyListener implements ApplicationListener<ApplicationReadyEvent> {
    private final ObjectProvider<MeshRegistrar> registrar;

    ReadyListener(ObjectProvider<MeshRegistrar> registrar) {
      this.registrar = registrar;
    }

    @Override
    public void onApplicationEvent(ApplicationReadyEvent event) {
      MeshRegistrar r = registrar.getIfAvailable();
      if (r != null) {
        r.register();
      }
    }
  }

  /** Records the web server's port for the registration. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(WebServerInitializedEvent.class)
  static class WebServerPortConfiguration {

    @Bean
    static ApplicationListener<WebServerInitializedEvent> meshWebServerPort(ObjectProvider<MeshRegistrar> registrar) {
      return new PortListener(registrar);
    }
  }

  /** Records the port of the application's own server (not the management server's). */
  private static final class PortListener implements ApplicationListener<WebServerInitializedEvent> {
    private final ObjectProvider<MeshRegistrar> registrar;

    PortListener(ObjectProvider<MeshRegistrar> registrar) {
      this.registrar = registrar;
    }

    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
      if ("management".equals(event.getApplicationContext().getServerNamespace())) {
        return;
      }
      MeshRegistrar r = registrar.getIfAvailable();
      if (r != null) {
        r.webServerStarted(event.getWebServer().getPort());
      }
    }
  }

  /**
   * {@code RestClient.Builder} (and through Boot's {@code RestClientCustomizerHttpServiceGroupConfigurer}, every
   * {@code @ImportHttpServices} group) and {@code RestTemplate}: their request factory comes from the (wrapped)
   * {@code ClientHttpRequestFactoryBuilder} bean; the customizers add {@link MeshRequestFactoryGuard}, once, which
   * refuses a mesh call whose factory was replaced afterwards. A {@code RestTemplate} is customized last, once its
   * factory is final, so its factory is wrapped there too.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({RestClient.class, RestClientCustomizer.class, ClientHttpRequestFactoryBuilder.class})
  static class RestClientConfiguration {

    /**
     * Where Boot defines no {@code ClientHttpRequestFactoryBuilder} (a reactive web application still gets a
     * {@code RestClient.Builder}, built with the detected factory), the same detected builder as a bean, so that it is
     * wrapped too.
     */
    @Bean
    @ConditionalOnMissingBean(ClientHttpRequestFactoryBuilder.class)
    ClientHttpRequestFactoryBuilder<?> meshClientHttpRequestFactoryBuilder(ResourceLoader resourceLoader) {
      return ClientHttpRequestFactoryBuilder.detect(resourceLoader.getClassLoader());
    }

    @Bean
    @ConditionalOnMissingBean
    MeshRequestFactoryGuard meshRequestFactoryGuard(Mesh mesh) {
      return new MeshRequestFactoryGuard(mesh);
    }

    @Bean
    @ConditionalOnMissingBean(name = "meshRestClientCustomizer")
    RestClientCustomizer meshRestClientCustomizer(MeshRequestFactoryGuard guard) {
      return builder -> builder.requestInitializers(list -> addOnce(list, guard));
    }

    @Bean
    @ConditionalOnMissingBean(name = "meshRestTemplateCustomizer")
    @ConditionalOnClass(RestTemplate.class)
    RestTemplateCustomizer meshRestTemplateCustomizer(Mesh mesh, MeshRequestFactoryGuard guard) {
      return restTemplate -> {
        // the factory under the interceptors: RestTemplate hands out an intercepting wrapper while it has any
        List<ClientHttpRequestInterceptor> live = restTemplate.getInterceptors(); // live list: no re-sorting
        List<ClientHttpRequestInterceptor> interceptors = new ArrayList<>(live);
        live.clear();
        ClientHttpRequestFactory factory = restTemplate.getRequestFactory();
        if (!factory.getClass().getName().startsWith(MeshRequestFactoryGuard.MOCK_SERVER)) {
          // a MockRestServiceServer's factory (@RestClientTest) answers the logical URL: not wrapped
          restTemplate.setRequestFactory(MeshClientHttpRequestFactory.wrap(mesh, factory));
        }
        live.addAll(interceptors);
        addOnce(restTemplate.getClientHttpRequestInitializers(), guard);
      };
    }

    private static void addOnce(List<ClientHttpRequestInitializer> list, MeshRequestFactoryGuard mine) {
      list.removeIf(i -> i instanceof MeshRequestFactoryGuard);
      list.add(mine);
    }
  }

  /**
   * {@code WebClient} is not governed: Boot's {@code WebClient.Builder} (and {@code @ImportHttpServices} groups on
   * WebClient) get {@link MeshWebClientRefusal}, which fails a request to a mesh service with a clear error instead of
   * letting it go around the mesh.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {"org.springframework.web.reactive.function.client.WebClient",
      "org.springframework.boot.webclient.WebClientCustomizer"})
  static class WebClientConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "meshWebClientCustomizer")
    org.springframework.boot.webclient.WebClientCustomizer meshWebClientCustomizer(Mesh mesh) {
      MeshWebClientRefusal refusal = new MeshWebClientRefusal(mesh);
      return builder -> builder.filters(list -> {
        list.removeIf(f -> f instanceof MeshWebClientRefusal);
        list.add(refusal);
      });
    }
  }

  /** The inbound filter for servlet applications. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnClass({OncePerRequestFilter.class, FilterRegistrationBean.class})
  @ConditionalOnBooleanProperty(name = "mesh.server.enabled", matchIfMissing = true)
  static class ServletConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "meshInboundFilter")
    FilterRegistrationBean<MeshInboundFilter> meshInboundFilter(Mesh mesh, MeshSettings settings,
        ObjectProvider<MeterRegistry> meterRegistry, ObjectProvider<ServerTracer> tracer) {
      MeterRegistry registry = meterRegistry.getIfUnique();
      MeshServerMetrics metrics = registry == null ? null : MeshServerMetrics.create(registry);
      MeshInboundFilter filter = new MeshInboundFilter(
          mesh.inboundGuard(InboundGuardConfig.fromProperties(settings.coreProperties())), metrics,
          tracer.getIfUnique(() -> ServerTracer.NOOP));
      FilterRegistrationBean<MeshInboundFilter> registration = new FilterRegistrationBean<>(filter);
      registration.setName("meshInboundFilter");
      // after Boot's ServerHttpObservationFilter (HIGHEST_PRECEDENCE + 1): its observation sees our refusals
      registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 2);
      return registration;
    }
  }

  /**
   * Tracing with mesh-tracing, on the application's {@code OpenTelemetry} bean when there is one: CLIENT spans per
   * call and attempt, {@code traceparent} on every mesh call, and SERVER spans in the inbound filter unless
   * Micrometer Tracing already makes them ({@code mesh.tracing.server-spans}).
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({MeshTracing.class, OpenTelemetry.class})
  @ConditionalOnBooleanProperty(name = "mesh.tracing.enabled", matchIfMissing = true)
  static class TracingConfiguration {

    private static final String MICROMETER_TRACER = "io.micrometer.tracing.Tracer";

    @Bean
    @ConditionalOnMissingBean
    MeshTracing meshTracing(ObjectProvider<OpenTelemetry> openTelemetry, MeshSettings settings) {
      OpenTelemetry otel = openTelemetry.getIfUnique();
      if (otel != null) {
        return MeshTracing.builder().openTelemetry(otel).build();
      }
      if (!present("io.opentelemetry.sdk.OpenTelemetrySdk")) {
        log.info("mesh: no OpenTelemetry bean and no OpenTelemetry SDK; mesh tracing is off");
        return MeshTracing.disabled();
      }
      MeshTracing.Builder b = MeshTracing.builder();
      String local = settings.localService();
      if (local != null) {
        b.serviceName(local);
      }
      return b.build();
    }

    @Bean
    MeshBuilderCustomizer meshTracingCustomizer(MeshTracing tracing) {
      return builder -> builder.observer(tracing.observer());
    }

    @Bean
    @ConditionalOnMissingBean
    ServerTracer meshServerTracer(MeshTracing tracing, MeshSettings settings, ListableBeanFactory beans) {
      String mode = settings.serverSpans();
      boolean micrometerTracing = hasMicrometerTracer(beans);
      if (!tracing.isEnabled() || mode.equals("never") || (mode.equals("auto") && micrometerTracing)) {
        if (micrometerTracing) {
          log.info("mesh: SERVER spans left to Micrometer Tracing's server observation");
        }
        return ServerTracer.NOOP;
      }
      return new MeshTracingServerTracer(tracing.server());
    }

    private static boolean hasMicrometerTracer(ListableBeanFactory beans) {
      try {
        Class<?> type = Class.forName(MICROMETER_TRACER, false, TracingConfiguration.class.getClassLoader());
        return beans.getBeanNamesForType(type, false, false).length > 0;
      } catch (ClassNotFoundException | LinkageError e) {
        return false;
      }
    }

    private static boolean present(String className) {
      try {
        Class.forName(className, false, TracingConfiguration.class.getClassLoader());
        return true;
      } catch (ClassNotFoundException | LinkageError e) {
        return false;
      }
    }
  }

}
