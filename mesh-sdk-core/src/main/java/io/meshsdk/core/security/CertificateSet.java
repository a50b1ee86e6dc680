package io.meshsdk.core.security;

import java.math.BigInteger;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** One consistent, validated set of key, chain and trust bundle, as read from the three files. Immutable. */
final class CertificateSet {

  final long version;
  final PrivateKey key;
  final X509Certificate[] chain;
  final List<X509Certificate> bundle;
  final Set<TrustAnchor> anchors;
  final SpiffeId identity;
  final Instant notAfter;
  final String alias;
  final byte[] chainBytes;
  final byte[] keyBytes;
  final byte[] bundleBytes;

  private CertificateSet(long version, PrivateKey key, List<X509Certificate> chain, List<X509Certificate> bundle,
      SpiffeId identity, byte[] chainBytes, byte[] keyBytes, byte[] bundleBytes) {
    this.version = version;
    this.key = key;
    this.chain = chain.toArray(new X509Certificate[0]);
    this.bundle = List.copyOf(bundle);
    Set<TrustAnchor> a = new LinkedHashSet<>();
    bundle.forEach(c -> a.add(new TrustAnchor(c, null)));
    this.anchors = Set.copyOf(a);
    this.identity = identity;
    this.notAfter = chain.get(0).getNotAfter().toInstant();
    this.alias = "mesh-workload-" + version;
    this.chainBytes = chainBytes;
    this.keyBytes = keyBytes;
    this.bundleBytes = bundleBytes;
  }

  X509Certificate leaf() {
    return chain[0];
  }

  boolean sameBytes(byte[] chainRead, byte[] keyRead, byte[] bundleRead) {
    return Arrays.equals(chainBytes, chainRead) && Arrays.equals(keyBytes, keyRead)
        && Arrays.equals(bundleBytes, bundleRead);
  }

  /**
   * Parses and cross-checks the three files' bytes.
   *
   * @throws CertificateFileException naming the file and what is wrong
   */
  static CertificateSet parse(TlsConfig config, long version, byte[] chainBytes, byte[] keyBytes,
      byte[] bundleBytes) {
    Path chainFile = config.certificateChain();
    Path keyFile = config.privateKey();
    Path bundleFile = config.trustBundle();
    List<X509Certificate> chain;
    try {
      chain = Pem.certificates(Pem.text(chainBytes));
    } catch (IllegalArgumentException e) {
      throw new CertificateFileException(chainFile, "certificate chain: " + e.getMessage(), e);
    }
    List<X509Certificate> bundleRead;
    try {
      bundleRead = Pem.certificates(Pem.text(bundleBytes));
    } catch (IllegalArgumentException e) {
      throw new CertificateFileException(bundleFile, "trust bundle: " + e.getMessage(), e);
    }
    X509Certificate leaf = chain.get(0);
    PrivateKey key;
    try {
      key = Pem.privateKey(Pem.text(keyBytes), Pem.curveOf(leaf.getPublicKey()));
    } catch (IllegalArgumentException e) {
      throw new CertificateFileException(keyFile, "private key: " + e.getMessage(), e);
    }
    for (int i = 0; i + 1 < chain.size(); i++) {
      X509Certificate child = chain.get(i);
      X509Certificate parent = chain.get(i + 1);
      if (!child.getIssuerX500Principal().equals(parent.getSubjectX500Principal()) || !signedBy(child, parent)) {
        throw new CertificateFileException(chainFile, "certificate chain is not in order (leaf first, then each"
            + " issuer): certificate " + (i + 2) + " (" + subject(parent) + ") did not issue certificate " + (i + 1)
            + " (" + subject(child) + ", issuer " + child.getIssuerX500Principal().getName() + ")", null);
      }
    }
    if (!matches(key, leaf.getPublicKey())) {
      throw new CertificateFileException(keyFile, "the private key does not match the certificate in " + chainFile
          + " (" + subject(leaf) + ", serial " + serial(leaf.getSerialNumber()) + ")", null);
    }
    Optional<SpiffeId> id;
    try {
      id = SpiffeId.fromCertificate(leaf);
    } catch (IllegalArgumentException e) {
      throw new CertificateFileException(chainFile, String.valueOf(e.getMessage()), e);
    }
    if (id.isEmpty()) {
      throw new CertificateFileException(chainFile, "the certificate (" + subject(leaf)
          + ") has no SPIFFE id (no spiffe:// URI subject alternative name)", null);
    }
    String td = config.trustDomain();
    if (td != null && !id.get().isIn(td)) {
      throw new CertificateFileException(chainFile, "the certificate's SPIFFE id " + id.get()
          + " is not in trust domain " + td + " (mesh.tls.trust-domain)", null);
    }
    List<X509Certificate> bundle = new ArrayList<>();
    for (X509Certificate c : bundleRead) {
      if (c.getBasicConstraints() >= 0) {
        bundle.add(c);
      }
    }
    if (bundle.isEmpty()) {
      throw new CertificateFileException(bundleFile, "trust bundle has no CA certificate (" + bundleRead.size()
          + " certificate(s), none with basic constraints CA:true)", null);
    }
    return new CertificateSet(version, key, chain, bundle, id.get(), chainBytes.clone(), keyBytes.clone(),
        bundleBytes.clone());
  }

  private static boolean signedBy(X509Certificate child, X509Certificate parent) {
    try {
      child.verify(parent.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** Whether {@code key} is the private half of {@code pub}: a signature made with it verifies. */
  static boolean matches(PrivateKey key, PublicKey pub) {
    String alg = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "RSASSA-PSS" -> "RSASSA-PSS";
      default -> key.getAlgorithm(); // EdDSA, Ed25519, Ed448
    };
    if (!key.getAlgorithm().equals(pub.getAlgorithm())) {
      return false;
    }
    try {
      byte[] challenge = new byte[32];
      new SecureRandom().nextBytes(challenge);
      Signature s = Signature.getInstance(alg);
      if (alg.equals("RSASSA-PSS")) {
        s.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
            java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
      }
      s.initSign(key);
      s.update(challenge);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance(alg);
      if (alg.equals("RSASSA-PSS")) {
        v.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
            java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
      }
      v.initVerify(pub);
      v.update(challenge);
      return v.verify(sig);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  static String subject(X509Certificate c) {
    return "subject " + c.getSubjectX500Principal().getName();
  }

  static String serial(@Nullable BigInteger serial) {
    return serial == null ? "?" : serial.toString(16);
  }
}
