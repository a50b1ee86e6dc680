package io.meshsdk.spring;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.security.WorkloadCertificates;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.ssl.SslBundleRegistrar;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundleKey;
import org.springframework.boot.ssl.SslBundleRegistry;
import org.springframework.boot.ssl.SslStoreBundle;

/**
 * Registers the workload's certificates ({@code mesh.tls.*}) as Spring Boot SSL bundle {@value #NAME}, so that the
 * embedded server serves mutual TLS with the same files the mesh's calls use: {@code server.ssl.bundle=mesh} and
 * {@code server.ssl.client-auth=need}. When the files rotate, the bundle is updated and the server takes the new
 * certificate and trust bundle for new connections, without a restart.
 */
final class MeshSslBundle implements SslBundleRegistrar {

  /** The bundle's name. */
  static final String NAME = "mesh";

  private static final Logger log = LoggerFactory.getLogger(MeshSslBundle.class);
  private static final String ALIAS = "mesh-workload";
  private static final char[] NO_PASSWORD = new char[0];

  private final WorkloadCertificates certificates;

  MeshSslBundle(WorkloadCertificates certificates) {
    this.certificates = requireNonNull(certificates, "certificates");
  }

  @Override
  public void registerBundles(SslBundleRegistry registry) {
    registry.registerBundle(NAME, bundle(certificates));
    certificates.addListener(() -> {
      try {
        registry.updateBundle(NAME, bundle(certificates));
        log.info("mesh: SSL bundle '{}' updated to {}", NAME, certificates.identity());
      } catch (RuntimeException e) { // the server keeps the previous certificate; the next rotation tries again
        log.error("mesh: cannot update SSL bundle '{}': {}", NAME, e.toString());
      }
    });
  }

  /** The current certificate, key and trust bundle as in-memory key and trust stores. */
  static SslBundle bundle(WorkloadCertificates certificates) {
    List<X509Certificate> chain = certificates.certificateChain();
    String keyType = chain.get(0).getPublicKey().getAlgorithm();
    String alias = certificates.keyManager().chooseServerAlias(keyType, null, null);
    PrivateKey key = alias == null ? null : certificates.keyManager().getPrivateKey(alias);
    if (key == null) {
      throw new IllegalStateException("the workload key manager has no " + keyType + " key");
    }
    try {
      KeyStore keyStore = KeyStore.getInstance("PKCS12");
      keyStore.load(null, null);
      keyStore.setKeyEntry(ALIAS, key, NO_PASSWORD, chain.toArray(new X509Certificate[0]));
      KeyStore trustStore = KeyStore.getInstance("PKCS12");
      trustStore.load(null, null);
      int i = 0;
      for (X509Certificate ca : certificates.trustBundle()) {
        trustStore.setCertificateEntry("mesh-ca-" + i++, ca);
      }
      return SslBundle.of(SslStoreBundle.of(keyStore, "", trustStore), SslBundleKey.of("", ALIAS));
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build SSL bundle '" + NAME + "' from " + certificates, e);
    }
  }
}
