package io.meshsdk.spring;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.common.ServiceNames;
import java.io.IOException;
import java.net.URI;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.http.client.ClientHttpRequestFactory;

/**
 * Governs {@code RestClient}, {@code RestTemplate} and HTTP interface client calls to mesh services, as the request
 * factory they send through: for a mesh host ({@code http://inventory/...}) the request it creates buffers its body
 * and, when executed, lets the mesh's engine run the call (route, admission, endpoint, retries, deadline); each
 * attempt is one request of the wrapped factory, to the chosen endpoint, with the application's headers and the
 * mesh's. Any other host gets the wrapped factory's request, untouched.
 *
 * <p>The starter wraps the request factory of every client Spring Boot builds: it wraps Boot's
 * {@code ClientHttpRequestFactoryBuilder} bean, which builds the factory of Boot's {@code RestClient.Builder}, of
 * every {@code @ImportHttpServices} group (with the group's own settings), of {@code RestClientSsl} and of
 * {@code RestTemplateBuilder}. Client interceptors wrap the factory, so they run once per logical call and only this
 * factory's attempts run per attempt; nothing else retries underneath. A factory of your own, set with
 * {@code RestClient.Builder.requestFactory(...)} after Boot configured the builder, replaces the mesh's: wrap it with
 * {@link #wrap(Mesh, ClientHttpRequestFactory)}.
 *
 * <p>Thread-safe, like the factories it wraps.
 */
public final class MeshClientHttpRequestFactory implements ClientHttpRequestFactory {

  private final Mesh mesh;
  private final ClientHttpRequestFactory delegate;
  private final UrlCache urls = new UrlCache();

  private MeshClientHttpRequestFactory(Mesh mesh, ClientHttpRequestFactory delegate) {
    this.mesh = mesh;
    this.delegate = delegate;
  }

  /**
   * {@code factory} governed by {@code mesh}: calls to mesh hosts go through the mesh, each attempt through
   * {@code factory}; other hosts go to {@code factory} directly. A factory that is already the mesh's for
   * {@code mesh} is returned as it is, so wrapping twice does not govern twice.
   *
   * @param mesh the mesh that runs calls to its services
   * @param factory the factory each attempt (and every call to another host) is sent through
   * @return the governed factory
   */
  public static MeshClientHttpRequestFactory wrap(Mesh mesh, ClientHttpRequestFactory factory) {
    requireNonNull(mesh, "mesh");
    requireNonNull(factory, "factory");
    if (factory instanceof MeshClientHttpRequestFactory m) {
      if (m.mesh == mesh) {
        return m;
      }
      return new MeshClientHttpRequestFactory(mesh, m.delegate);
    }
    return new MeshClientHttpRequestFactory(mesh, factory);
  }

  /** The factory each attempt is sent through. */
  public ClientHttpRequestFactory delegate() {
    return delegate;
  }

  @Override
  public ClientHttpRequest createRequest(URI uri, HttpMethod httpMethod) throws IOException {
    String host = ServiceNames.hostOf(uri);
    if (host == null || !mesh.isMeshHost(host)) {
      return delegate.createRequest(uri, httpMethod);
    }
    return new MeshClientHttpRequest(mesh, delegate, urls, uri, httpMethod);
  }

  @Override
  public String toString() {
    return "MeshClientHttpRequestFactory[" + delegate + "]";
  }
}
