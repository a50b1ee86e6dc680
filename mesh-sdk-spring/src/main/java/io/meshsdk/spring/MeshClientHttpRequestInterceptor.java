package io.meshsdk.spring;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.Mesh;
import java.io.IOException;
import org.springframework.http.HttpRequest;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;

/**
 * Governs {@code RestClient}, {@code RestTemplate} and HTTP interface client calls to mesh services: for a mesh host
 * ({@code http://inventory/...}) the mesh's engine runs the call (route, admission, endpoint, retries, deadline) and
 * each attempt is one {@code execution.execute(...)} of the request rewritten to the chosen endpoint; the request body
 * is a byte array, so every attempt can send it. Any other host passes through untouched.
 *
 * <p>The starter adds one instance last in the interceptor list of every {@code RestClient.Builder} and
 * {@code RestTemplate} it customizes, so the interceptors before it run once per logical call and only the request
 * factory runs per attempt. Nothing else retries underneath (no Spring Retry, no Spring Cloud LoadBalancer).
 */
public final class MeshClientHttpRequestInterceptor implements ClientHttpRequestInterceptor {

  private final Mesh mesh;
  private final UrlCache urls = new UrlCache();

  /** An interceptor that sends mesh calls through {@code mesh}. */
  public MeshClientHttpRequestInterceptor(Mesh mesh) {
    this.mesh = requireNonNull(mesh, "mesh");
  }

  @Override
  public ClientHttpResponse intercept(HttpRequest request, byte[] body, ClientHttpRequestExecution execution)
      throws IOException {
    String host = request.getURI().getHost();
    if (host == null || !mesh.isMeshHost(host)) {
      return execution.execute(request, body);
    }
    return mesh.execute(new SpringHttpCall(request, body, execution, urls));
  }

  @Override
  public String toString() {
    return "MeshClientHttpRequestInterceptor";
  }
}
