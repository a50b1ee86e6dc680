package io.meshsdk.core.security;

import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Authenticates a peer's certificate chain against a certificate set's trust bundle: validity (with dates), PKIX
 * path to a CA of the bundle (no revocation), exactly one SPIFFE id. Every failure is a {@link CertificateException}
 * whose message says what was wrong, for the failed call's or the refused handshake's message chain.
 */
final class PeerVerifier {

  private PeerVerifier() {}

  /**
   * The SPIFFE id of the authenticated peer.
   *
   * @param who "client certificate" or "server certificate of host:port", for messages
   */
  static SpiffeId verify(X509Certificate[] chain, CertificateSet set, TlsConfig config, String who)
      throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new CertificateException("no " + who + " was presented");
    }
    X509Certificate leaf = chain[0];
    Instant now = Instant.now();
    for (int i = 0; i < chain.length; i++) {
      X509Certificate c = chain[i];
      String which = i == 0 ? who : who + " chain's certificate " + (i + 1);
      Instant from = c.getNotBefore().toInstant();
      Instant until = c.getNotAfter().toInstant();
      if (now.isAfter(until)) {
        throw new CertificateException(which + " has expired: valid until " + until + ", now " + now + " ("
            + CertificateSet.subject(c) + describeId(c) + ")");
      }
      if (now.isBefore(from)) {
        throw new CertificateException(which + " is not yet valid: valid from " + from + ", now " + now + " ("
            + CertificateSet.subject(c) + describeId(c) + ")");
      }
    }
    List<X509Certificate> path = new ArrayList<>(Arrays.asList(chain));
    while (path.size() > 1 && set.bundle.contains(path.get(path.size() - 1))) {
      path.remove(path.size() - 1); // a presented root that the bundle holds is the anchor, not part of the path
    }
    try {
      CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
      PKIXParameters params = new PKIXParameters(set.anchors);
      params.setRevocationEnabled(false);
      params.setDate(Date.from(now));
      CertPathValidator.getInstance("PKIX").validate(certPath, params);
    } catch (CertPathValidatorException e) {
      X509Certificate top = path.get(path.size() - 1);
      if (e.getReason() == PKIXReason.NO_TRUST_ANCHOR) {
        throw new CertificateException(who + " (" + CertificateSet.subject(leaf) + describeId(leaf)
            + ") is not issued by a CA in the trust bundle " + config.trustBundle() + ": its chain ends at issuer "
            + top.getIssuerX500Principal().getName() + "; the bundle holds " + bundleNames(set), e);
      }
      throw new CertificateException(who + " (" + CertificateSet.subject(leaf) + describeId(leaf)
          + ") fails validation against the trust bundle " + config.trustBundle() + ": " + e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new CertificateException(who + " cannot be validated: " + e.getMessage(), e);
    }
    Optional<SpiffeId> id;
    try {
      id = SpiffeId.fromCertificate(leaf);
    } catch (IllegalArgumentException e) {
      throw new CertificateException(who + ": " + e.getMessage(), e);
    }
    if (id.isEmpty()) {
      throw new CertificateException(who + " (" + CertificateSet.subject(leaf)
          + ") has no SPIFFE id (no spiffe:// URI subject alternative name)");
    }
    return id.get();
  }

  private static String describeId(X509Certificate c) {
    try {
      return SpiffeId.fromCertificate(c).map(id -> ", SPIFFE id " + id).orElse("");
    } catch (IllegalArgumentException e) {
      return "";
    }
  }

  private static String bundleNames(CertificateSet set) {
    return set.bundle.stream().map(c -> c.getSubjectX500Principal().getName())
        .collect(Collectors.joining("; ", "[", "]"));
  }
}
