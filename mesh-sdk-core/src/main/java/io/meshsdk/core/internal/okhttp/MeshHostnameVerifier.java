package io.meshsdk.core.internal.okhttp;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.internal.engine.MeshEngine;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.SSLSession;

/**
 * Verifies the certificate of a mesh endpoint against its service's identity: the mesh connects to an endpoint's
 * address (often an IP), but the certificate must name the service the application called ({@code inventory}, or
 * {@code inventory<mesh domain>}). Hosts that are no secure mesh endpoint are verified as {@code delegate} (the
 * application's verifier) verifies them.
 */
public final class MeshHostnameVerifier implements HostnameVerifier {

  private final HostnameVerifier delegate;
  private final MeshEngine engine;

  /** A verifier over {@code delegate} for {@code engine}'s endpoints. */
  public MeshHostnameVerifier(HostnameVerifier delegate, MeshEngine engine) {
    this.delegate = requireNonNull(delegate, "delegate");
    this.engine = requireNonNull(engine, "engine");
  }

  @Override
  public boolean verify(String host, SSLSession session) {
    String domain = engine.config().meshDomain();
    for (String service : engine.identities().namesFor(host)) {
      if (delegate.verify(service, session) || (!domain.isEmpty() && delegate.verify(service + domain, session))) {
        return true;
      }
    }
    return delegate.verify(host, session);
  }
}
