package io.meshsdk.core.internal.okhttp;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.internal.engine.MeshEngine;
import io.meshsdk.core.security.ExpectedServerIdentity;
import io.meshsdk.core.security.SpiffeId;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Verifies the certificate of a mesh endpoint against its service's identity: the mesh connects to an endpoint's
 * address (often an IP), but the certificate must name the service the application called ({@code inventory}, or
 * {@code inventory<mesh domain>}). An endpoint of a {@code tls.mode=mtls} service must present the SPIFFE id its
 * service expects (checked again here for every connection, resumed sessions included; the handshake checked the
 * chain against the trust bundle); its name or IP is not checked. Hosts that are no secure mesh endpoint are
 * verified as {@code delegate} (the application's verifier) verifies them.
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
    ExpectedServerIdentity expected = engine.workloadCertificates() == null ? null
        : engine.identities().mtlsExpectation(host, session.getPeerPort());
    if (expected != null) {
      return presents(session, expected);
    }
    String domain = engine.config().meshDomain();
    for (String service : engine.identities().namesFor(host)) {
      if (delegate.verify(service, session) || (!domain.isEmpty() && delegate.verify(service + domain, session))) {
        return true;
      }
    }
    return delegate.verify(host, session);
  }

  private static boolean presents(SSLSession session, ExpectedServerIdentity expected) {
    try {
      Certificate[] peer = session.getPeerCertificates();
      if (peer.length == 0 || !(peer[0] instanceof X509Certificate leaf)) {
        return false;
      }
      Optional<SpiffeId> id = SpiffeId.fromCertificate(leaf);
      return id.isPresent() && expected.accepts(id.get());
    } catch (SSLPeerUnverifiedException | IllegalArgumentException e) {
      return false;
    }
  }
}
