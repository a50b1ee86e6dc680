package io.meshsdk.spring;

import io.meshsdk.core.security.SpiffeId;
import jakarta.servlet.http.HttpServletRequest;
import java.security.cert.X509Certificate;
import org.jspecify.annotations.Nullable;

/** The identity of the client certificate the servlet container verified for a request. */
final class ClientCertificates {

  /** The servlet request attribute holding the verified client chain (Servlet specification). */
  static final String ATTRIBUTE = "jakarta.servlet.request.X509Certificate";

  private ClientCertificates() {}

  /**
   * The SPIFFE id of the verified client certificate of {@code request}, or {@code null} for a plaintext request,
   * a TLS request without a client certificate, or a certificate without exactly one SPIFFE id.
   */
  static @Nullable String identity(HttpServletRequest request) {
    if (!(request.getAttribute(ATTRIBUTE) instanceof X509Certificate[] chain) || chain.length == 0) {
      return null;
    }
    try {
      return SpiffeId.fromCertificate(chain[0]).map(SpiffeId::toString).orElse(null);
    } catch (IllegalArgumentException e) { // two URI SANs, or a malformed SPIFFE id: no identity, not a guess
      return null;
    }
  }
}
