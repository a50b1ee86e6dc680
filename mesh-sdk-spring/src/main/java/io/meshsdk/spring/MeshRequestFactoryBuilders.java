package io.meshsdk.spring;

import io.meshsdk.core.Mesh;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpClientSettings;

/**
 * Wraps every {@link ClientHttpRequestFactoryBuilder} bean (Boot's, or the application's own) so that each factory it
 * builds is a {@link MeshClientHttpRequestFactory}. Boot builds the request factory of its {@code RestClient.Builder},
 * of each {@code @ImportHttpServices} group (with that group's settings), of {@code RestClientSsl} and of
 * {@code RestTemplateBuilder} with this bean, so all of them are governed with the settings the application gave them.
 * The mesh is looked up when a factory is built, not when the builder bean is created.
 *
 * <p>A bean declared with a concrete builder type ({@code @Bean JdkClientHttpRequestFactoryBuilder ...}) is left as
 * it is, with a warning: wrapping it would change its type under whoever injects it by that type. Boot's clients
 * built with it are then not the mesh's, and {@link MeshRequestFactoryGuard} refuses their calls to mesh services.
 */
final class MeshRequestFactoryBuilders implements BeanPostProcessor, BeanFactoryAware {

  private static final Logger log = LoggerFactory.getLogger(MeshRequestFactoryBuilders.class);

  private final ObjectProvider<Mesh> mesh;
  private @Nullable ConfigurableListableBeanFactory beanFactory;

  MeshRequestFactoryBuilders(ObjectProvider<Mesh> mesh) {
    this.mesh = mesh;
  }

  @Override
  public void setBeanFactory(BeanFactory beanFactory) {
    if (beanFactory instanceof ConfigurableListableBeanFactory f) {
      this.beanFactory = f;
    }
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    if (!(bean instanceof ClientHttpRequestFactoryBuilder<?> builder) || bean instanceof Governed) {
      return bean;
    }
    Class<?> declared = declaredType(beanName);
    if (declared != null && !declared.isAssignableFrom(Governed.class)) {
      log.warn("mesh: bean '{}' is declared as {}, so the mesh cannot wrap it without changing its type: the clients"
          + " Spring Boot builds with it are not governed, and their calls to mesh services are refused. Declare the"
          + " bean as ClientHttpRequestFactoryBuilder<?> to have them governed.", beanName, declared.getName());
      return bean;
    }
    return new Governed(builder, mesh);
  }

  /** The type the bean is declared with (a {@code @Bean} method's return type), or null when it cannot be told. */
  private @Nullable Class<?> declaredType(String beanName) {
    ConfigurableListableBeanFactory f = beanFactory;
    if (f == null || !f.containsBeanDefinition(beanName)) {
      return null;
    }
    return f.getMergedBeanDefinition(beanName).getResolvableType().resolve();
  }

  /** A builder whose factories are the mesh's around the ones {@code delegate} builds. */
  record Governed(ClientHttpRequestFactoryBuilder<?> delegate, ObjectProvider<Mesh> mesh)
      implements ClientHttpRequestFactoryBuilder<MeshClientHttpRequestFactory> {

    @Override
    public MeshClientHttpRequestFactory build(@Nullable HttpClientSettings settings) {
      return MeshClientHttpRequestFactory.wrap(mesh.getObject(), delegate.build(settings));
    }
  }
}
