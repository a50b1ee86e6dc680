package io.meshsdk.spring;

import io.meshsdk.core.Mesh;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpClientSettings;

/**
 * Wraps every {@link ClientHttpRequestFactoryBuilder} bean (Boot's, or the application's own) so that each factory it
 * builds is a {@link MeshClientHttpRequestFactory}. Boot builds the request factory of its {@code RestClient.Builder},
 * of each {@code @ImportHttpServices} group (with that group's settings), of {@code RestClientSsl} and of
 * {@code RestTemplateBuilder} with this bean, so all of them are governed with the settings the application gave them.
 * The mesh is looked up when a factory is built, not when the builder bean is created.
 */
final class MeshRequestFactoryBuilders implements BeanPostProcessor {

  private final ObjectProvider<Mesh> mesh;

  MeshRequestFactoryBuilders(ObjectProvider<Mesh> mesh) {
    this.mesh = mesh;
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    if (bean instanceof ClientHttpRequestFactoryBuilder<?> builder && !(bean instanceof Governed)) {
      return new Governed(builder, mesh);
    }
    return bean;
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
