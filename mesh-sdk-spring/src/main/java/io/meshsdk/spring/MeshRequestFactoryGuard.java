package io.meshsdk.spring;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.common.ServiceNames;
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
 * Spring's wrapper, which does not tell which factory is underneath: such a request passes unchecked. So do
 * {@code MockRestServiceServer}'s requests: a test's mock answers them, and nothing reaches the network.
 */
final class MeshRequestFactoryGuard implements ClientHttpRequestInitializer {

  /** Spring's wrappers around the client's factory (package-private classes, so named). */
  private static final String INTERCEPTING = "org.springframework.http.client.InterceptingClientHttpRequest";
  private static final String BUFFERING = "org.springframework.http.client.BufferingClientHttpRequestWrapper";
  /** {@code MockRestServiceServer}'s requests: a test's, answered without the network. */
  static final String MOCK_SERVER = "org.springframework.test.web.client.MockRestServiceServer$";

  private final Mesh mesh;

  MeshRequestFactoryGuard(Mesh mesh) {
    this.mesh = mesh;
  }

  @Override
  public void initialize(ClientHttpRequest request) {
    if (request instanceof MeshClientHttpRequest) {
      return;
    }
    String host = ServiceNames.hostOf(request.getURI());
    if (host == null || !mesh.isMeshHost(host)) {
      return;
    }
    String type = request.getClass().getName();
    if (type.equals(INTERCEPTING) || type.equals(BUFFERING) || type.startsWith(MOCK_SERVER)) {
      return;
    }
    throw new IllegalStateException("mesh: the " + request.getMethod() + " request to mesh service '" + host
        + "' is a " + type + ", not a request of the mesh's request factory, so it would bypass the mesh (no"
        + " balancing, breaker, retries or deadline). The client's request factory was replaced after Spring Boot"
        + " configured it (RestClient.Builder.requestFactory, RestTemplate.setRequestFactory), or Boot built it with"
        + " a ClientHttpRequestFactoryBuilder bean declared with a concrete type, which the mesh cannot wrap. Wrap"
        + " your factory: MeshClientHttpRequestFactory.wrap(mesh, yourFactory); or configure it the Boot way"
        + " (spring.http.clients.* properties, or a bean declared as ClientHttpRequestFactoryBuilder<?>), which the"
        + " mesh wraps.");
  }

  @Override
  public String toString() {
    return "MeshRequestFactoryGuard";
  }
}
