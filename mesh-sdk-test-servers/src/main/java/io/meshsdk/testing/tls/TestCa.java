package io.meshsdk.testing.tls;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority for tests: a root ({@link #root}) or an intermediate ({@link #intermediate}) that issues
 * leaf certificates ({@link #leaf()}) with SPIFFE ids, DNS names or IP addresses as subject alternative names.
 *
 * <pre>{@code
 * TestCa ca = TestCa.root("prod.example root");
 * TestCa.Issued web = ca.leaf().uri("spiffe://prod.example/ns/web/sa/frontend").issue();
 * web.writeFiles(dir.resolve("cert.pem"), dir.resolve("key.pem"), TestCa.KeyFormat.PKCS8);
 * Files.writeString(dir.resolve("bundle.pem"), ca.certificatePem());
 * }</pre>
 */
public final class TestCa {

  /** The key algorithm of a generated key. */
  public enum KeyType {
    /** ECDSA on P-256 (what SPIRE and Istio issue by default). */
    EC_P256,
    /** RSA 2048 (cert-manager's default). */
    RSA_2048
  }

  /** How a private key is written. */
  public enum KeyFormat {
    /** {@code BEGIN PRIVATE KEY} (PKCS#8): SPIRE, Istio, cert-manager with {@code encoding: PKCS8}. */
    PKCS8,
    /** {@code BEGIN RSA PRIVATE KEY} (PKCS#1) or {@code BEGIN EC PRIVATE KEY} (SEC1): cert-manager's default. */
    TRADITIONAL
  }

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());

  private final KeyPair keys;
  private final X509Certificate certificate;
  /** The CA's chain up to, but excluding, the root (empty for a root). */
  private final List<X509Certificate> chainAboveRoot;

  private TestCa(KeyPair keys, X509Certificate certificate, List<X509Certificate> chainAboveRoot) {
    this.keys = keys;
    this.certificate = certificate;
    this.chainAboveRoot = List.copyOf(chainAboveRoot);
  }

  /** A self-signed root CA with an EC P-256 key, valid from a day ago for ten years. */
  public static TestCa root(String commonName) {
    return root(commonName, KeyType.EC_P256);
  }

  /** A self-signed root CA with a {@code type} key, valid from a day ago for ten years. */
  public static TestCa root(String commonName, KeyType type) {
    requireNonNull(commonName, "commonName");
    KeyPair kp = generate(requireNonNull(type, "type"));
    X500Name name = new X500Name("CN=" + commonName);
    Instant now = Instant.now();
    X509Certificate cert = sign(name, kp, name, kp.getPublic(), now.minus(Duration.ofDays(1)),
        now.plus(Duration.ofDays(3650)), true, List.of(), kp.getPublic());
    return new TestCa(kp, cert, List.of());
  }

  /** An intermediate CA issued by this one. */
  public TestCa intermediate(String commonName) {
    requireNonNull(commonName, "commonName");
    KeyPair kp = generate(KeyType.EC_P256);
    Instant now = Instant.now();
    X509Certificate cert = sign(subject(), keys, new X500Name("CN=" + commonName), kp.getPublic(),
        now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(3650)), true, List.of(), keys.getPublic());
    List<X509Certificate> chain = new ArrayList<>();
    chain.add(cert);
    chain.addAll(chainAboveRoot);
    return new TestCa(kp, cert, chain);
  }

  /** This CA's certificate. */
  public X509Certificate certificate() {
    return certificate;
  }

  /** This CA's certificate as PEM (a trust bundle of one CA). */
  public String certificatePem() {
    return pem(List.of(certificate));
  }

  /** A builder of a leaf certificate issued by this CA. */
  public LeafBuilder leaf() {
    return new LeafBuilder();
  }

  private X500Name subject() {
    return X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
  }

  /** Builds a leaf certificate: client and server use, valid from a minute ago for a day unless told. */
  public final class LeafBuilder {
    private final List<GeneralName> sans = new ArrayList<>();
    private String commonName = "workload";
    private Instant notBefore = Instant.now().minus(Duration.ofMinutes(1));
    private Instant notAfter = Instant.now().plus(Duration.ofDays(1));
    private KeyType keyType = KeyType.EC_P256;

    private LeafBuilder() {}

    /** Adds a URI SAN, such as a SPIFFE id {@code spiffe://prod.example/ns/web/sa/frontend}. */
    public LeafBuilder uri(String uri) {
      sans.add(new GeneralName(GeneralName.uniformResourceIdentifier, requireNonNull(uri, "uri")));
      return this;
    }

    /** Adds a DNS SAN. */
    public LeafBuilder dns(String name) {
      sans.add(new GeneralName(GeneralName.dNSName, requireNonNull(name, "name")));
      return this;
    }

    /** Adds an IP address SAN. */
    public LeafBuilder ip(String address) {
      sans.add(new GeneralName(GeneralName.iPAddress, requireNonNull(address, "address")));
      return this;
    }

    /** The subject's common name (default {@code workload}). */
    public LeafBuilder commonName(String name) {
      this.commonName = requireNonNull(name, "name");
      return this;
    }

    /** The validity period (an expired or not-yet-valid certificate for negative tests). */
    public LeafBuilder validity(Instant from, Instant until) {
      this.notBefore = requireNonNull(from, "from");
      this.notAfter = requireNonNull(until, "until");
      return this;
    }

    /** The key algorithm (default EC P-256). */
    public LeafBuilder keyType(KeyType type) {
      this.keyType = requireNonNull(type, "type");
      return this;
    }

    /** Issues the certificate. */
    public Issued issue() {
      KeyPair kp = generate(keyType);
      X509Certificate leaf = sign(subject(), keys, new X500Name("CN=" + commonName), kp.getPublic(), notBefore,
          notAfter, false, sans, keys.getPublic());
      List<X509Certificate> chain = new ArrayList<>();
      chain.add(leaf);
      chain.addAll(chainAboveRoot);
      return new Issued(kp.getPrivate(), chain);
    }
  }

  /**
   * An issued leaf: its private key and its chain, leaf first, then the intermediates (never the root).
   *
   * @param privateKey the leaf's private key
   * @param chain the leaf, then its issuing intermediates
   */
  public record Issued(PrivateKey privateKey, List<X509Certificate> chain) {

    /** Copies the chain. */
    public Issued {
      requireNonNull(privateKey, "privateKey");
      chain = List.copyOf(chain);
    }

    /** The leaf certificate. */
    public X509Certificate certificate() {
      return chain.get(0);
    }

    /** The chain as PEM, leaf first. */
    public String chainPem() {
      return pem(chain);
    }

    /** The private key as PEM in {@code format}. */
    public String privateKeyPem(KeyFormat format) {
      if (format == KeyFormat.PKCS8) {
        return block("PRIVATE KEY", privateKey.getEncoded());
      }
      StringWriter out = new StringWriter();
      try (JcaPEMWriter w = new JcaPEMWriter(out)) {
        w.writeObject(privateKey); // PKCS#1 for RSA, SEC1 for EC
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return out.toString();
    }

    /**
     * Writes the chain and the key, each file replaced atomically (written aside, then moved over), as a kubelet
     * or SPIRE helper replaces them.
     */
    public void writeFiles(Path chainFile, Path keyFile, KeyFormat format) {
      writeAtomically(keyFile, privateKeyPem(format));
      writeAtomically(chainFile, chainPem());
    }
  }

  /** Writes {@code text} to {@code file} atomically: to a sibling first, then moved over it. */
  public static void writeAtomically(Path file, String text) {
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, ".tmp-", ".pem");
      Files.writeString(tmp, text, StandardCharsets.US_ASCII);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Certificates as concatenated PEM blocks (a chain or a trust bundle). */
  public static String pem(List<X509Certificate> certificates) {
    StringBuilder sb = new StringBuilder();
    for (X509Certificate c : certificates) {
      try {
        sb.append(block("CERTIFICATE", c.getEncoded()));
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
    return sb.toString();
  }

  private static String block(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  private static KeyPair generate(KeyType type) {
    try {
      if (type == KeyType.RSA_2048) {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048, RANDOM);
        return g.generateKeyPair();
      }
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static X509Certificate sign(X500Name issuer, KeyPair issuerKeys, X500Name subject,
      java.security.PublicKey subjectKey, Instant notBefore, Instant notAfter, boolean ca, List<GeneralName> sans,
      java.security.PublicKey authorityKey) {
    try {
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer,
          BigInteger.valueOf(SERIALS.incrementAndGet()), Date.from(notBefore), Date.from(notAfter), subject,
          subjectKey);
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
      b.addExtension(Extension.keyUsage, true, ca
          ? new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)
          : new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment | KeyUsage.keyAgreement));
      b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(subjectKey));
      b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(authorityKey));
      if (!ca) {
        b.addExtension(Extension.extendedKeyUsage, false,
            new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
      }
      if (!sans.isEmpty()) {
        b.addExtension(Extension.subjectAlternativeName, ca, new GeneralNames(sans.toArray(new GeneralName[0])));
      }
      String alg = issuerKeys.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
      ContentSigner signer = new JcaContentSignerBuilder(alg).build(issuerKeys.getPrivate());
      return new JcaX509CertificateConverter().getCertificate(b.build(signer));
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot sign a test certificate", e);
    }
  }
}
