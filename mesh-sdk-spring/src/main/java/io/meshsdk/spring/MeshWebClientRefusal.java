package io.meshsdk.spring;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.common.ServiceNames;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;
import reactor.core.publisher.Mono;

/**
 * Refuses, without touching the network, a {@code WebClient} request to a mesh service: the mesh does not govern
 * {@code WebClient} (its engine runs attempts on the calling thread, which would block an event loop), and a call
 * that silently bypassed it (and, where the name resolves in DNS, seemed to work) would be worse than a clear error.
 * The starter adds it to every {@code WebClient.Builder} Boot builds ({@code WebClientCustomizer}, which Boot also
 * applies to {@code @ImportHttpServices} groups on {@code WebClient}). Other hosts pass through untouched.
 */
final class MeshWebClientRefusal implements ExchangeFilterFunction {

  private final Mesh mesh;

  MeshWebClientRefusal(Mesh mesh) {
    this.mesh = mesh;
  }

  @Override
  public Mono<ClientResponse> filter(ClientRequest request, ExchangeFunction next) {
    String host = ServiceNames.hostOf(request.url());
    if (host == null || !mesh.isMeshHost(host)) {
      return next.exchange(request);
    }
    return Mono.error(new IllegalStateException("mesh: WebClient is not governed by the mesh, so the "
        + request.method() + " request to mesh service '" + host + "' is refused rather than sent around it (no"
        + " balancing, breaker, retries or deadline). Call mesh services with RestClient, an HTTP interface client on"
        + " RestClient, or the mesh's OkHttpClient bean."));
  }

  @Override
  public String toString() {
    return "MeshWebClientRefusal";
  }
}
