package io.meshsdk.spring;

import io.meshsdk.core.Mesh;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.AbstractClientHttpRequest;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.ClientHttpResponse;

/**
 * A request to a mesh service, created by {@link MeshClientHttpRequestFactory}: the application writes its headers and
 * body here, and {@link #execute()} hands the call to the mesh's engine ({@link SpringHttpCall}). The body is kept in
 * memory so that every attempt can send it whole; a request without a body allocates no buffer.
 */
final class MeshClientHttpRequest extends AbstractClientHttpRequest {

  private static final byte[] NO_BODY = new byte[0];

  private final Mesh mesh;
  private final ClientHttpRequestFactory delegate;
  private final UrlCache urls;
  private final URI uri;
  private final HttpMethod method;
  private @Nullable ByteArrayOutputStream body;

  MeshClientHttpRequest(Mesh mesh, ClientHttpRequestFactory delegate, UrlCache urls, URI uri, HttpMethod method) {
    this.mesh = mesh;
    this.delegate = delegate;
    this.urls = urls;
    this.uri = uri;
    this.method = method;
  }

  @Override
  public HttpMethod getMethod() {
    return method;
  }

  @Override
  public URI getURI() {
    return uri;
  }

  @Override
  protected OutputStream getBodyInternal(HttpHeaders headers) {
    ByteArrayOutputStream b = body;
    if (b == null) {
      b = new ByteArrayOutputStream(256);
      body = b;
    }
    return b;
  }

  @Override
  protected ClientHttpResponse executeInternal(HttpHeaders headers) throws IOException {
    ByteArrayOutputStream b = body;
    byte[] bytes = b == null || b.size() == 0 ? NO_BODY : b.toByteArray();
    return mesh.execute(new SpringHttpCall(this, headers, bytes, delegate, urls));
  }
}
