package io.meshsdk.core.security;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * PEM parsing with the JDK only: certificates, and private keys in PKCS#8, PKCS#1 ({@code RSA PRIVATE KEY}) and
 * SEC1 ({@code EC PRIVATE KEY}, P-256 or P-384), the two legacy forms wrapped into PKCS#8 (RFC 5208) here. Text
 * outside PEM blocks is ignored; CRLF line endings are fine. Every failure is an {@link IllegalArgumentException}
 * whose message says what is wrong (the caller adds the file).
 */
final class Pem {

  private static final String BEGIN = "-----BEGIN ";
  private static final String END = "-----END ";
  private static final String DASHES = "-----";

  static final String OID_RSA = "1.2.840.113549.1.1.1";
  static final String OID_EC = "1.2.840.10045.2.1";
  static final String OID_P256 = "1.2.840.10045.3.1.7";
  static final String OID_P384 = "1.3.132.0.34";

  private Pem() {}

  /** One PEM block: its label ({@code CERTIFICATE}), headers (RFC 1421, rare) and DER bytes. */
  static final class Block {
    final String label;
    final boolean encrypted;
    final byte[] der;
    final int index;

    Block(String label, boolean encrypted, byte[] der, int index) {
      this.label = label;
      this.encrypted = encrypted;
      this.der = der;
      this.index = index;
    }
  }

  /** Every PEM block of {@code text}, in order. */
  static List<Block> blocks(String text) {
    List<Block> out = new ArrayList<>();
    int at = 0;
    while (true) {
      int begin = text.indexOf(BEGIN, at);
      if (begin < 0) {
        return out;
      }
      int labelEnd = text.indexOf(DASHES, begin + BEGIN.length());
      int eol = lineEnd(text, begin);
      if (labelEnd < 0 || labelEnd > eol) {
        throw new IllegalArgumentException("PEM block " + (out.size() + 1) + ": malformed BEGIN line");
      }
      String label = text.substring(begin + BEGIN.length(), labelEnd);
      String endLine = END + label + DASHES;
      int end = text.indexOf(endLine, labelEnd);
      int nextBegin = text.indexOf(BEGIN, labelEnd);
      if (end < 0 || (nextBegin >= 0 && nextBegin < end)) {
        throw new IllegalArgumentException("PEM block " + (out.size() + 1) + " (" + label + ") is truncated: no \""
            + endLine + "\" line");
      }
      String body = text.substring(labelEnd + DASHES.length(), end);
      boolean encrypted = false;
      StringBuilder b64 = new StringBuilder(body.length());
      for (String line : body.split("\r?\n|\r")) {
        String l = line.strip();
        if (l.contains(":")) { // RFC 1421 header, such as Proc-Type: 4,ENCRYPTED
          encrypted |= l.toUpperCase(Locale.ROOT).contains("ENCRYPTED");
          continue;
        }
        b64.append(l);
      }
      byte[] der;
      try {
        der = Base64.getDecoder().decode(b64.toString());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("PEM block " + (out.size() + 1) + " (" + label + ") is not valid base64 ("
            + e.getMessage() + ")", e);
      }
      if (der.length == 0) {
        throw new IllegalArgumentException("PEM block " + (out.size() + 1) + " (" + label + ") is empty");
      }
      out.add(new Block(label, encrypted || label.contains("ENCRYPTED"), der, out.size() + 1));
      at = end + endLine.length();
    }
  }

  private static int lineEnd(String text, int from) {
    int n = text.indexOf('\n', from);
    return n < 0 ? text.length() : n;
  }

  /** The certificates of {@code text}, in order; other blocks are an error. */
  static List<X509Certificate> certificates(String text) {
    requireText(text);
    List<Block> blocks = blocks(text);
    if (blocks.isEmpty()) {
      throw new IllegalArgumentException("no PEM block (expected \"-----BEGIN CERTIFICATE-----\")");
    }
    CertificateFactory cf;
    try {
      cf = CertificateFactory.getInstance("X.509");
    } catch (CertificateException e) {
      throw new IllegalStateException("the JDK has no X.509 certificate factory", e);
    }
    List<X509Certificate> certs = new ArrayList<>(blocks.size());
    for (Block b : blocks) {
      if (!b.label.equals("CERTIFICATE")) {
        throw new IllegalArgumentException("PEM block " + b.index + " is a " + b.label + " (expected CERTIFICATE)");
      }
      try {
        certs.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(b.der)));
      } catch (CertificateException | ClassCastException e) {
        throw new IllegalArgumentException("PEM block " + b.index + " is not a valid X.509 certificate ("
            + e.getMessage() + ")", e);
      }
    }
    return certs;
  }

  /** The one private key of {@code text} ({@code EC PARAMETERS} blocks are skipped). */
  static PrivateKey privateKey(String text) {
    return privateKey(text, null);
  }

  /**
   * The one private key of {@code text}; {@code curveHint} is the curve OID of the certificate the key belongs to,
   * used for a SEC1 key that does not name its curve (the match with the certificate is checked afterwards).
   */
  static PrivateKey privateKey(String text, @Nullable String curveHint) {
    requireText(text);
    List<Block> keys = new ArrayList<>(1);
    for (Block b : blocks(text)) {
      if (!b.label.equals("EC PARAMETERS")) {
        keys.add(b);
      }
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("no PEM block (expected \"-----BEGIN PRIVATE KEY-----\")");
    }
    if (keys.size() > 1) {
      throw new IllegalArgumentException(keys.size() + " PEM blocks (expected exactly one private key)");
    }
    Block b = keys.get(0);
    if (b.encrypted) {
      throw new IllegalArgumentException("the private key is encrypted (" + b.label + "); the mesh reads"
          + " unencrypted keys only, protected by file permissions (as cert-manager, SPIRE and Istio write them)");
    }
    return switch (b.label) {
      case "PRIVATE KEY" -> pkcs8(b.der, "PKCS#8");
      case "RSA PRIVATE KEY" -> pkcs8(wrapPkcs1(b.der), "PKCS#1 RSA");
      case "EC PRIVATE KEY" -> pkcs8(wrapSec1(b.der, curveHint), "SEC1 EC");
      default -> throw new IllegalArgumentException("PEM block " + b.index + " is a " + b.label
          + " (expected PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
    };
  }

  private static void requireText(String text) {
    if (text.isBlank()) {
      throw new IllegalArgumentException("the file is empty");
    }
  }

  private static PrivateKey pkcs8(byte[] der, String form) {
    String oid;
    try {
      Der outer = Der.read(der, 0, der.length, 0x30);
      Der version = Der.read(der, outer.contentStart, outer.end, 0x02);
      Der algorithm = Der.read(der, version.end, outer.end, 0x30);
      oid = Der.read(der, algorithm.contentStart, algorithm.end, 0x06).oid(der);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the " + form + " private key is not valid DER (" + e.getMessage() + ")",
          e);
    }
    String algorithm = switch (oid) {
      case OID_RSA -> "RSA";
      case OID_EC -> "EC";
      case "1.2.840.113549.1.1.10" -> "RSASSA-PSS";
      case "1.3.101.112" -> "Ed25519";
      case "1.3.101.113" -> "Ed448";
      default -> throw new IllegalArgumentException("the " + form + " private key has algorithm " + oid
          + " (expected RSA, EC, RSASSA-PSS, Ed25519 or Ed448)");
    };
    try {
      return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("the " + form + " private key (" + algorithm + ") cannot be read ("
          + e.getMessage() + ")", e);
    }
  }

  /** PKCS#1 RSAPrivateKey wrapped as PKCS#8: {@code SEQ { 0, SEQ { rsaEncryption, NULL }, OCTET STRING pkcs1 }}. */
  static byte[] wrapPkcs1(byte[] pkcs1) {
    try {
      Der seq = Der.read(pkcs1, 0, pkcs1.length, 0x30);
      if (seq.end != pkcs1.length) {
        throw new IllegalArgumentException("trailing bytes after the key");
      }
      Der.read(pkcs1, seq.contentStart, seq.end, 0x02); // version
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the PKCS#1 RSA private key is not valid DER (" + e.getMessage() + ")", e);
    }
    byte[] algorithm = Der.tlv(0x30, Der.concat(Der.oidTlv(OID_RSA), new byte[] {0x05, 0x00}));
    return Der.tlv(0x30, Der.concat(new byte[] {0x02, 0x01, 0x00}, algorithm, Der.tlv(0x04, pkcs1)));
  }

  /**
   * SEC1 ECPrivateKey ({@code SEQ { 1, OCTET STRING d, [0] curve OID, [1] public key }}) wrapped as PKCS#8 with
   * the curve from its [0] parameters (else {@code curveHint}, the certificate's curve): {@code SEQ { 0, SEQ { ecPublicKey, curve }, OCTET STRING sec1 }}.
   */
  static byte[] wrapSec1(byte[] sec1, @Nullable String curveHint) {
    String curve = null;
    try {
      Der seq = Der.read(sec1, 0, sec1.length, 0x30);
      if (seq.end != sec1.length) {
        throw new IllegalArgumentException("trailing bytes after the key");
      }
      Der version = Der.read(sec1, seq.contentStart, seq.end, 0x02);
      if (version.end - version.contentStart != 1 || sec1[version.contentStart] != 1) {
        throw new IllegalArgumentException("version is not 1");
      }
      Der d = Der.read(sec1, version.end, seq.end, 0x04);
      int at = d.end;
      while (at < seq.end) {
        Der field = Der.read(sec1, at, seq.end, -1);
        if (field.tag == 0xA0) {
          curve = Der.read(sec1, field.contentStart, field.end, 0x06).oid(sec1);
        }
        at = field.end;
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the SEC1 EC private key is not valid DER (" + e.getMessage() + ")", e);
    }
    if (curve == null) {
      curve = curveHint;
    }
    if (curve == null) {
      throw new IllegalArgumentException("the SEC1 EC private key does not name its curve (no [0] parameters);"
          + " convert it: openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem");
    }
    if (!curve.equals(OID_P256) && !curve.equals(OID_P384)) {
      throw new IllegalArgumentException("the SEC1 EC private key is on curve " + curve + " (expected P-256 "
          + OID_P256 + " or P-384 " + OID_P384 + "); convert it: openssl pkcs8 -topk8 -nocrypt -in key.pem"
          + " -out key-pkcs8.pem");
    }
    byte[] algorithm = Der.tlv(0x30, Der.concat(Der.oidTlv(OID_EC), Der.oidTlv(curve)));
    return Der.tlv(0x30, Der.concat(new byte[] {0x02, 0x01, 0x00}, algorithm, Der.tlv(0x04, sec1)));
  }

  /** A DER TLV in a buffer: tag, where its content starts, where it ends. Definite lengths only (DER). */
  static final class Der {
    final int tag;
    final int contentStart;
    final int end;

    private Der(int tag, int contentStart, int end) {
      this.tag = tag;
      this.contentStart = contentStart;
      this.end = end;
    }

    /** Reads the TLV at {@code at} (before {@code limit}); {@code expectedTag} -1 accepts any tag. */
    static Der read(byte[] b, int at, int limit, int expectedTag) {
      if (at + 2 > limit) {
        throw new IllegalArgumentException("truncated at byte " + at);
      }
      int tag = b[at] & 0xFF;
      if (expectedTag >= 0 && tag != expectedTag) {
        throw new IllegalArgumentException(String.format(Locale.ROOT, "tag 0x%02x at byte %d (expected 0x%02x)",
            tag, at, expectedTag));
      }
      if ((tag & 0x1F) == 0x1F) {
        throw new IllegalArgumentException("multi-byte tag at byte " + at);
      }
      int first = b[at + 1] & 0xFF;
      int pos = at + 2;
      long length;
      if (first < 0x80) {
        length = first;
      } else {
        int n = first & 0x7F;
        if (n == 0 || n > 4) {
          throw new IllegalArgumentException("unsupported length encoding at byte " + (at + 1));
        }
        if (pos + n > limit) {
          throw new IllegalArgumentException("truncated length at byte " + (at + 1));
        }
        length = 0;
        for (int i = 0; i < n; i++) {
          length = (length << 8) | (b[pos + i] & 0xFF);
        }
        pos += n;
        if (length < 0x80 || (n > 1 && length < (1L << (8 * (n - 1))))) {
          throw new IllegalArgumentException("non-minimal length at byte " + (at + 1));
        }
      }
      if (pos + length > limit) {
        throw new IllegalArgumentException("length " + length + " at byte " + at + " runs past the end");
      }
      return new Der(tag, pos, (int) (pos + length));
    }

    /** This TLV's content as an OBJECT IDENTIFIER in dotted form. */
    String oid(byte[] b) {
      if (end == contentStart) {
        throw new IllegalArgumentException("empty OBJECT IDENTIFIER");
      }
      StringBuilder sb = new StringBuilder();
      long value = 0;
      boolean first = true;
      for (int i = contentStart; i < end; i++) {
        value = (value << 7) | (b[i] & 0x7F);
        if (value > (1L << 56)) {
          throw new IllegalArgumentException("OBJECT IDENTIFIER arc too large");
        }
        if ((b[i] & 0x80) == 0) {
          if (first) {
            long top = Math.min(value / 40, 2);
            sb.append(top).append('.').append(value - top * 40);
            first = false;
          } else {
            sb.append('.').append(value);
          }
          value = 0;
        } else if (i == end - 1) {
          throw new IllegalArgumentException("truncated OBJECT IDENTIFIER");
        }
      }
      return sb.toString();
    }

    /** A TLV of {@code tag} around {@code content}. */
    static byte[] tlv(int tag, byte[] content) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
      out.write(tag);
      int n = content.length;
      if (n < 0x80) {
        out.write(n);
      } else {
        int bytes = n <= 0xFF ? 1 : n <= 0xFFFF ? 2 : n <= 0xFFFFFF ? 3 : 4;
        out.write(0x80 | bytes);
        for (int i = bytes - 1; i >= 0; i--) {
          out.write((n >>> (8 * i)) & 0xFF);
        }
      }
      out.writeBytes(content);
      return out.toByteArray();
    }

    /** An OBJECT IDENTIFIER TLV for a dotted {@code oid}. */
    static byte[] oidTlv(String oid) {
      String[] arcs = oid.split("\\.");
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      writeArc(out, Long.parseLong(arcs[0]) * 40 + Long.parseLong(arcs[1]));
      for (int i = 2; i < arcs.length; i++) {
        writeArc(out, Long.parseLong(arcs[i]));
      }
      return tlv(0x06, out.toByteArray());
    }

    private static void writeArc(ByteArrayOutputStream out, long v) {
      int groups = 1;
      while ((v >>> (7 * groups)) != 0) {
        groups++;
      }
      for (int g = groups - 1; g >= 0; g--) {
        int bits = (int) ((v >>> (7 * g)) & 0x7F);
        out.write(g == 0 ? bits : bits | 0x80);
      }
    }

    static byte[] concat(byte[]... parts) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (byte[] p : parts) {
        out.writeBytes(p);
      }
      return out.toByteArray();
    }
  }

  /** The named curve OID of an EC public key ({@code SEQ { SEQ { ecPublicKey, curve }, BIT STRING }}), or null. */
  static @Nullable String curveOf(java.security.PublicKey key) {
    if (!key.getAlgorithm().equals("EC")) {
      return null;
    }
    byte[] spki = key.getEncoded();
    try {
      Der seq = Der.read(spki, 0, spki.length, 0x30);
      Der alg = Der.read(spki, seq.contentStart, seq.end, 0x30);
      Der oid = Der.read(spki, alg.contentStart, alg.end, 0x06);
      if (!oid.oid(spki).equals(OID_EC) || oid.end >= alg.end) {
        return null;
      }
      Der curve = Der.read(spki, oid.end, alg.end, -1);
      return curve.tag == 0x06 ? curve.oid(spki) : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** {@code bytes} as UTF-8 text (PEM is ASCII). */
  static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
