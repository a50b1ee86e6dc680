package io.meshsdk.core.security;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * A SPIFFE id, {@code spiffe://<trust domain><path>}, as the SPIFFE specification defines it: the identity of a
 * workload, carried as the single URI subject alternative name of its X.509 certificate (an X.509-SVID). Istio names
 * a workload {@code spiffe://<trust domain>/ns/<namespace>/sa/<service account>} ({@link #istio}).
 *
 * @param trustDomain the trust domain: lower case letters, digits, {@code .}, {@code -} and {@code _}
 * @param path the path, "" or {@code /segment[/segment...]}; segments of letters, digits, {@code .}, {@code -} and
 *     {@code _}, never empty, {@code .} or {@code ..}
 */
public record SpiffeId(String trustDomain, String path) {

  /** The scheme prefix of every SPIFFE id. */
  public static final String PREFIX = "spiffe://";
  /** The longest SPIFFE id the specification allows, in bytes. */
  public static final int MAX_BYTES = 2048;
  private static final int MAX_TRUST_DOMAIN = 255;
  private static final int URI_SAN = 6;

  /**
   * Validates both parts.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public SpiffeId {
    requireNonNull(trustDomain, "trustDomain");
    requireNonNull(path, "path");
    checkTrustDomain(trustDomain, PREFIX + trustDomain + path);
    checkPath(path, PREFIX + trustDomain + path);
    int bytes = (PREFIX + trustDomain + path).getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_BYTES) {
      throw new IllegalArgumentException("SPIFFE id is " + bytes + " bytes long (at most " + MAX_BYTES + ")");
    }
  }

  /**
   * Parses {@code spiffe://<trust domain><path>}.
   *
   * @throws IllegalArgumentException naming what is wrong (scheme, trust domain, port, user info, query, fragment,
   *     a path segment, a character, the length)
   */
  public static SpiffeId parse(String id) {
    requireNonNull(id, "id");
    if (id.isEmpty()) {
      throw new IllegalArgumentException("SPIFFE id is empty (expected spiffe://<trust domain>/<path>)");
    }
    int bytes = id.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_BYTES) {
      throw new IllegalArgumentException("SPIFFE id is " + bytes + " bytes long (at most " + MAX_BYTES + ")");
    }
    if (!id.startsWith(PREFIX)) {
      int colon = id.indexOf("://");
      if (colon > 0 && id.substring(0, colon).equalsIgnoreCase("spiffe")) {
        throw new IllegalArgumentException("\"" + id + "\": the scheme must be \"spiffe\" in lower case");
      }
      throw new IllegalArgumentException("\"" + id + "\" is not a SPIFFE id (expected spiffe://<trust domain>/<path>)");
    }
    String rest = id.substring(PREFIX.length());
    int slash = rest.indexOf('/');
    String trustDomain = slash < 0 ? rest : rest.substring(0, slash);
    String path = slash < 0 ? "" : rest.substring(slash);
    checkTrustDomain(trustDomain, id);
    checkPath(path, id);
    return new SpiffeId(trustDomain, path);
  }

  /**
   * A SPIFFE id in Istio's form, {@code spiffe://<trustDomain>/ns/<namespace>/sa/<serviceAccount>}.
   *
   * @throws IllegalArgumentException when a part is not valid in a SPIFFE id
   */
  public static SpiffeId istio(String trustDomain, String namespace, String serviceAccount) {
    return new SpiffeId(trustDomain, "/ns/" + namespace + "/sa/" + serviceAccount);
  }

  /**
   * The SPIFFE id of {@code certificate}: its URI subject alternative name when it is a {@code spiffe://} URI, empty
   * when the certificate has no URI SAN or one that is not a SPIFFE id.
   *
   * @throws IllegalArgumentException when the certificate has more than one URI SAN (an X.509-SVID has exactly
   *     one), when its {@code spiffe://} URI is not a valid SPIFFE id, or when its SAN extension cannot be read; the
   *     message names the certificate's subject and what is wrong
   */
  public static Optional<SpiffeId> fromCertificate(X509Certificate certificate) {
    requireNonNull(certificate, "certificate");
    List<String> uris = uriSans(certificate);
    if (uris.isEmpty()) {
      return Optional.empty();
    }
    if (uris.size() > 1) {
      throw new IllegalArgumentException("certificate " + certificate.getSubjectX500Principal().getName()
          + " has " + uris.size() + " URI SANs " + uris + "; a SPIFFE certificate has exactly one");
    }
    String uri = uris.get(0);
    if (!uri.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
      return Optional.empty();
    }
    try {
      return Optional.of(parse(uri));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("certificate " + certificate.getSubjectX500Principal().getName()
          + ": URI SAN " + e.getMessage(), e);
    }
  }

  private static List<String> uriSans(X509Certificate certificate) {
    Collection<List<?>> sans;
    try {
      sans = certificate.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      throw new IllegalArgumentException("certificate " + certificate.getSubjectX500Principal().getName()
          + ": its subject alternative names cannot be read (" + e.getMessage() + ")", e);
    }
    List<String> uris = new ArrayList<>(1);
    if (sans != null) {
      for (List<?> san : sans) {
        if (san.size() >= 2 && san.get(0) instanceof Integer type && type == URI_SAN
            && san.get(1) instanceof String uri) {
          uris.add(uri);
        }
      }
    }
    return uris;
  }

  /** Whether this id belongs to {@code domain}. */
  public boolean isIn(String domain) {
    return trustDomain.equals(domain);
  }

  /**
   * Checks a trust domain name as a SPIFFE id's authority.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static String checkTrustDomain(String trustDomain) {
    checkTrustDomain(requireNonNull(trustDomain, "trustDomain"), trustDomain);
    return trustDomain;
  }

  private static void checkTrustDomain(String td, String id) {
    if (td.isEmpty()) {
      throw new IllegalArgumentException("\"" + id + "\": the trust domain is empty");
    }
    if (td.length() > MAX_TRUST_DOMAIN) {
      throw new IllegalArgumentException("\"" + id + "\": the trust domain is longer than " + MAX_TRUST_DOMAIN);
    }
    for (int i = 0; i < td.length(); i++) {
      char c = td.charAt(i);
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_') {
        continue;
      }
      String what = switch (c) {
        case ':' -> "a port is not allowed";
        case '@' -> "user info is not allowed";
        case '?' -> "a query is not allowed";
        case '#' -> "a fragment is not allowed";
        case '%' -> "percent-encoding is not allowed";
        default -> c >= 'A' && c <= 'Z' ? "upper case is not allowed"
            : "allowed: a-z, 0-9, '.', '-', '_'";
      };
      throw new IllegalArgumentException("\"" + id + "\": the trust domain \"" + td + "\" has character '" + c
          + "' (" + what + ")");
    }
  }

  private static void checkPath(String path, String id) {
    if (path.isEmpty()) {
      return;
    }
    if (path.charAt(0) != '/') {
      throw new IllegalArgumentException("\"" + id + "\": the path must start with '/'");
    }
    int start = 1;
    while (true) {
      int end = path.indexOf('/', start);
      String segment = end < 0 ? path.substring(start) : path.substring(start, end);
      if (segment.isEmpty()) {
        throw new IllegalArgumentException("\"" + id + "\": the path has an empty segment"
            + (end < 0 ? " (a trailing '/')" : " ('//')"));
      }
      if (segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException("\"" + id + "\": the path has a '" + segment + "' segment");
      }
      for (int i = 0; i < segment.length(); i++) {
        char c = segment.charAt(i);
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
            || c == '.' || c == '-' || c == '_') {
          continue;
        }
        String what = switch (c) {
          case '?' -> "a query is not allowed";
          case '#' -> "a fragment is not allowed";
          case '%' -> "percent-encoding is not allowed";
          default -> "allowed: A-Z, a-z, 0-9, '.', '-', '_'";
        };
        throw new IllegalArgumentException("\"" + id + "\": path segment \"" + segment + "\" has character '" + c
            + "' (" + what + ")");
      }
      if (end < 0) {
        return;
      }
      start = end + 1;
    }
  }

  /** The id as a URI, {@code spiffe://<trust domain><path>}. */
  @Override
  public String toString() {
    return PREFIX + trustDomain + path;
  }
}
