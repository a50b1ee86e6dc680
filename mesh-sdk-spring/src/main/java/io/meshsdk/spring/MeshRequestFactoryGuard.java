package io.meshsdk.spring;

import io.meshsdk.core.Mesh;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.http.client.ClientHttpRequestInitializer;

/**
 * Refuses a request to a mesh service that the mesh's request factory did not create: the client's factory was
 * replaced after the starter configured it (a {@code requestFactory(...)} call on Boot's {@code RestClient.Builder},
 * a {@code setRequestFactory} on a {@code RestTemplate}), so the call would reach the service's name directly, with
 * no balancing, breaker, retries or deadline. Failing it with what to do is better than a call that is silently not
 * governed (and that, where the name resolves in DNS, would even seem to work).
 *
 * <p>When the client also has interceptors (or buffers content), Spring wraps the factory and the request seen here is
 * Spring's wrapper, which does not tell which factory is underneath: such a request passes unchecked.
 */
final class MeshRequestFactoryGuard implements ClientHttpRequestInitializer {

  /** Spring's wrappers around the client's factory (package-private classes, so named). */
  private static final String INTERCEPTING = "org.springframework.http.client.InterceptingClientHttpRequest";
  private static final String BUFFERING = "org.springframework.http.client.BufferingClientHttpRequestWrapper";

  private final Mesh mesh;

  MeshRequestFactoryGuard(Mesh mesh) {
    this.mesh = mesh;
  }

  @Override
  public void initialize(ClientHttpRequest request) {
    if (request instanceof MeshClientHttpRequest) {
      return;
    }
    String host = request.getURI().getHost();
    if (host == null || !mesh.isMeshHost(host)) {
      return;
    }
    String type = request.getClass().getName();
    if (type.equals(INTERCEPTING) || type.equals(BUFFERING)) {
      return;
    }
    throw new IllegalStateException("mesh: the " + request.getMethod() + " request to mesh service '" + host
        + "' was created by " + type + ", not by the mesh's request factory, so it would bypass the mesh (no"
        + " balancing, breaker, retries or deadline). The client's request factory was replaced after Spring Boot"
        + " configured it. Wrap your factory: requestFactory(MeshClientHttpRequestFactory.wrap(mesh, yourFactory)),"
        + " or configure it the Boot way (spring.http.clients.* properties, or a ClientHttpRequestFactoryBuilder"
        + " bean), which the mesh wraps.");
  }

  @Override
  public String toString() {
    return "MeshRequestFactoryGuard";
  }
}
