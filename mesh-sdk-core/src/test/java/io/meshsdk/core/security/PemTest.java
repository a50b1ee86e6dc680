package io.meshsdk.core.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshsdk.testing.tls.TestCa;
import io.meshsdk.testing.tls.TestCa.KeyFormat;
import io.meshsdk.testing.tls.TestCa.KeyType;
import java.io.StringWriter;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PemTest {

  private static final TestCa CA = TestCa.root("pem root");

  @ParameterizedTest
  @EnumSource(KeyType.class)
  void keysInEveryFormatParseToTheSameKey(KeyType type) {
    TestCa.Issued leaf = CA.leaf().uri("spiffe://td/w").keyType(type).issue();
    for (KeyFormat format : KeyFormat.values()) {
      PrivateKey k = Pem.privateKey(leaf.privateKeyPem(format), Pem.curveOf(leaf.certificate().getPublicKey()));
      assertThat(k.getAlgorithm()).isEqualTo(leaf.privateKey().getAlgorithm());
      assertThat(CertificateSet.matches(k, leaf.certificate().getPublicKey())).as(format.toString()).isTrue();
      if (k instanceof RSAPrivateCrtKey rsa) {
        assertThat(rsa.getPrivateExponent()).isEqualTo(((RSAPrivateCrtKey) leaf.privateKey()).getPrivateExponent());
      } else {
        assertThat(((ECPrivateKey) k).getS()).isEqualTo(((ECPrivateKey) leaf.privateKey()).getS());
      }
    }
  }

  /** The JDK's own encoding of an EC key: PKCS#8 around a SEC1 key that does not name its curve. */
  private static byte[] innerSec1(PrivateKey k) {
    byte[] p8 = k.getEncoded();
    Pem.Der outer = Pem.Der.read(p8, 0, p8.length, 0x30);
    Pem.Der version = Pem.Der.read(p8, outer.contentStart, outer.end, 0x02);
    Pem.Der alg = Pem.Der.read(p8, version.end, outer.end, 0x30);
    Pem.Der octets = Pem.Der.read(p8, alg.end, outer.end, 0x04);
    return java.util.Arrays.copyOfRange(p8, octets.contentStart, octets.end);
  }

  /** SEC1 with [0] parameters naming {@code curveOid}, as openssl and Go's x509 write it. */
  private static String sec1WithCurve(PrivateKey k, String curveOid) {
    byte[] inner = innerSec1(k);
    Pem.Der seq = Pem.Der.read(inner, 0, inner.length, 0x30);
    byte[] content = java.util.Arrays.copyOfRange(inner, seq.contentStart, seq.end);
    byte[] der = Pem.Der.tlv(0x30, Pem.Der.concat(content, Pem.Der.tlv(0xA0, Pem.Der.oidTlv(curveOid))));
    return "-----BEGIN EC PRIVATE KEY-----\n" + java.util.Base64.getMimeEncoder().encodeToString(der)
        + "\n-----END EC PRIVATE KEY-----\n";
  }

  private static KeyPair ec(String curve) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec(curve));
    return g.generateKeyPair();
  }

  @Test
  void sec1WithItsCurveOnP256AndP384() throws Exception {
    for (String[] c : new String[][] {{"secp256r1", Pem.OID_P256, "256"}, {"secp384r1", Pem.OID_P384, "384"}}) {
      KeyPair kp = ec(c[0]);
      PrivateKey k = Pem.privateKey(sec1WithCurve(kp.getPrivate(), c[1]));
      assertThat(((ECPrivateKey) k).getS()).isEqualTo(((ECPrivateKey) kp.getPrivate()).getS());
      assertThat(((ECPrivateKey) k).getParams().getCurve().getField().getFieldSize()).hasToString(c[2]);
      assertThat(Pem.curveOf(kp.getPublic())).isEqualTo(c[1]);
    }
    // DER helpers: round trips and long lengths
    assertThat(Pem.Der.read(Pem.Der.oidTlv(Pem.OID_P384), 0, 7, 0x06).oid(Pem.Der.oidTlv(Pem.OID_P384)))
        .isEqualTo(Pem.OID_P384);
    byte[] big = Pem.Der.tlv(0x04, new byte[300]);
    assertThat(big).startsWith(0x04, 0x82, 0x01, 0x2C);
    assertThat(Pem.Der.read(big, 0, big.length, 0x04).end).isEqualTo(big.length);
  }

  @Test
  void sec1WithoutItsCurveTakesTheCertificatesCurve() throws Exception {
    KeyPair kp = ec("secp384r1");
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(kp.getPrivate()); // no [0] parameters
    }
    assertThat(out.toString()).contains("BEGIN EC PRIVATE KEY");
    assertThatThrownBy(() -> Pem.privateKey(out.toString())).hasMessageContaining("does not name its curve")
        .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
    PrivateKey k = Pem.privateKey(out.toString(), Pem.curveOf(kp.getPublic()));
    assertThat(CertificateSet.matches(k, kp.getPublic())).isTrue();
    assertThat(CertificateSet.matches(k, ec("secp384r1").getPublic())).isFalse();
  }

  @Test
  void sec1OnAnUnsupportedCurveNamesTheOpensslCommand() throws Exception {
    String p521 = sec1WithCurve(ec("secp521r1").getPrivate(), "1.3.132.0.35");
    assertThatThrownBy(() -> Pem.privateKey(p521)).hasMessageContaining("curve 1.3.132.0.35")
        .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
  }

  @Test
  void encryptedKeysAreRefused() {
    assertThatThrownBy(() -> Pem.privateKey("""
        -----BEGIN ENCRYPTED PRIVATE KEY-----
        MIIB
        -----END ENCRYPTED PRIVATE KEY-----
        """)).hasMessageContaining("encrypted");
    assertThatThrownBy(() -> Pem.privateKey("""
        -----BEGIN RSA PRIVATE KEY-----
        Proc-Type: 4,ENCRYPTED
        DEK-Info: AES-128-CBC,0011

        MIIB
        -----END RSA PRIVATE KEY-----
        """)).hasMessageContaining("encrypted");
  }

  @Test
  void chainsBundlesCrlfAndTextBetweenBlocks() {
    TestCa inter = CA.intermediate("inter");
    TestCa.Issued leaf = inter.leaf().uri("spiffe://td/w").issue();
    assertThat(Pem.certificates(leaf.chainPem())).hasSize(2);
    String other = TestCa.root("other").certificatePem();
    String bundle = "# bundle of two\nsubject=CN=pem root\n" + CA.certificatePem() + "\nsome text\n" + other;
    assertThat(Pem.certificates(bundle)).hasSize(2);
    assertThat(Pem.certificates(bundle.replace("\n", "\r\n"))).hasSize(2);
    assertThat(Pem.privateKey(leaf.privateKeyPem(KeyFormat.PKCS8).replace("\n", "\r\n"))).isNotNull();
  }

  @Test
  void brokenInputsNameTheProblem() {
    String pem = CA.certificatePem();
    assertThatThrownBy(() -> Pem.certificates("")).hasMessageContaining("empty");
    assertThatThrownBy(() -> Pem.certificates("  \n")).hasMessageContaining("empty");
    assertThatThrownBy(() -> Pem.certificates("garbage, no pem here")).hasMessageContaining("no PEM block");
    assertThatThrownBy(() -> Pem.certificates(pem.substring(0, pem.length() / 2)))
        .hasMessageContaining("truncated");
    String cut = pem.substring(0, pem.indexOf("-----END")) + pem.substring(pem.indexOf("-----END")).replace(
        "-----END CERTIFICATE-----", "");
    assertThatThrownBy(() -> Pem.certificates(cut + pem)).hasMessageContaining("truncated");
    String lines = pem.substring(0, pem.indexOf('\n', pem.length() / 2) + 1) + "-----END CERTIFICATE-----\n";
    assertThatThrownBy(() -> Pem.certificates(lines)).hasMessageContaining("not a valid X.509 certificate");
    assertThatThrownBy(() -> Pem.certificates("-----BEGIN CERTIFICATE-----\n@@@@\n-----END CERTIFICATE-----\n"))
        .hasMessageContaining("not valid base64");
    assertThatThrownBy(() -> Pem.certificates("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"))
        .hasMessageContaining("empty");
    TestCa.Issued leaf = CA.leaf().uri("spiffe://td/w").issue();
    assertThatThrownBy(() -> Pem.certificates(leaf.privateKeyPem(KeyFormat.PKCS8)))
        .hasMessageContaining("is a PRIVATE KEY (expected CERTIFICATE)");
    assertThatThrownBy(() -> Pem.privateKey(pem)).hasMessageContaining("is a CERTIFICATE (expected PRIVATE KEY");
    assertThatThrownBy(() -> Pem.privateKey(leaf.privateKeyPem(KeyFormat.PKCS8) + leaf.privateKeyPem(
        KeyFormat.PKCS8))).hasMessageContaining("2 PEM blocks");
    assertThatThrownBy(() -> Pem.privateKey("-----BEGIN PRIVATE KEY-----\nMAMCAQA=\n-----END PRIVATE KEY-----\n"))
        .hasMessageContaining("not valid DER");
    assertThatThrownBy(() -> Pem.privateKey("-----BEGIN RSA PRIVATE KEY-----\nMAMCAQA=\n-----END RSA PRIVATE KEY"
        + "-----\n")).hasMessageContaining("cannot be read");
  }

  @Test
  void derReaderRefusesOverrunsAndNonMinimalLengths() {
    assertThatThrownBy(() -> Pem.Der.read(new byte[] {0x30, 0x05, 0x00}, 0, 3, 0x30))
        .hasMessageContaining("runs past the end");
    assertThatThrownBy(() -> Pem.Der.read(new byte[] {0x30, (byte) 0x81, 0x05, 0, 0, 0, 0, 0}, 0, 8, 0x30))
        .hasMessageContaining("non-minimal");
    assertThatThrownBy(() -> Pem.Der.read(new byte[] {0x30, (byte) 0x80}, 0, 2, 0x30))
        .hasMessageContaining("unsupported length");
    assertThatThrownBy(() -> Pem.Der.read(new byte[] {0x31, 0x00}, 0, 2, 0x30)).hasMessageContaining("tag 0x31");
    assertThat(List.of(Pem.Der.read(new byte[] {0x30, 0x00}, 0, 2, 0x30).end)).containsExactly(2);
  }
}
