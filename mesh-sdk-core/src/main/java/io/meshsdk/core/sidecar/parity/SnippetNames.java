package io.meshsdk.core.sidecar.parity;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;

/**
 * Safe identifiers and value formats for the snippets. A service name is ASCII letters, digits, {@code -},
 * {@code _} and {@code .}, up to 253 characters ({@code ServiceNames}); HAProxy backends, nginx upstreams and
 * zones get {@code [a-z0-9_]} and Kubernetes names a DNS-1123 label ({@code [a-z0-9-]}, at most 63). When the
 * mapping loses information (a {@code .} or a {@code -} becomes {@code _}, a name is cut) a short hash of the
 * whole name is appended, so that {@code orders.v2} and {@code orders_v2} never share an identifier.
 */
final class SnippetNames {

  /** Longest HAProxy/nginx identifier we emit. */
  static final int MAX_PROXY_NAME = 64;
  /** A DNS-1123 label's limit. */
  static final int MAX_KUBERNETES_NAME = 63;

  private SnippetNames() {}

  /** {@code mesh_<name>} with {@code [a-z0-9_]} only. */
  static String proxyName(String service) {
    String base = "mesh_" + service;
    StringBuilder sb = new StringBuilder(base.length());
    boolean lossy = false;
    for (int i = 0; i < base.length(); i++) {
      char c = Character.toLowerCase(base.charAt(i));
      boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
      sb.append(ok ? c : '_');
      lossy |= !ok || c != base.charAt(i);
    }
    return shorten(sb.toString(), lossy, MAX_PROXY_NAME, '_', service);
  }

  /** A DNS-1123 label for the service. */
  static String kubernetesName(String service) {
    StringBuilder sb = new StringBuilder(service.length());
    boolean lossy = false;
    for (int i = 0; i < service.length(); i++) {
      char c = Character.toLowerCase(service.charAt(i));
      boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
      sb.append(ok ? c : '-');
      lossy |= !ok || c != service.charAt(i);
    }
    String s = shorten(sb.toString(), lossy, MAX_KUBERNETES_NAME, '-', service);
    int start = 0;
    while (start < s.length() - 1 && s.charAt(start) == '-') {
      start++;
    }
    return s.substring(start);
  }

  private static String shorten(String s, boolean lossy, int max, char sep, String original) {
    if (!lossy && s.length() <= max) {
      return s;
    }
    String hash = hash(original);
    int keep = Math.min(s.length(), max - hash.length() - 1);
    String head = s.substring(0, keep);
    while (!head.isEmpty() && head.charAt(head.length() - 1) == sep) {
      head = head.substring(0, head.length() - 1);
    }
    return head + sep + hash;
  }

  /** The first 8 hex digits of the SHA-256 of {@code s}. */
  static String hash(String s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      StringBuilder sb = new StringBuilder(8);
      for (int i = 0; i < 4; i++) {
        sb.append(Character.forDigit((d[i] >> 4) & 0xf, 16)).append(Character.forDigit(d[i] & 0xf, 16));
      }
      return sb.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }

  /**
   * A duration as HAProxy, nginx and Istio all read it: whole seconds as {@code 5s}, else milliseconds
   * ({@code 250ms}); a sub-millisecond remainder rounds up (never 0 for a positive duration).
   */
  static String duration(Duration d) {
    long ms = d.toMillis();
    if (d.compareTo(Duration.ofMillis(ms)) > 0) {
      ms++;
    }
    return ms % 1000 == 0 && ms > 0 ? ms / 1000 + "s" : ms + "ms";
  }

  /** Statuses ascending, comma-separated. */
  static String statuses(Set<Integer> statuses) {
    StringBuilder sb = new StringBuilder();
    for (int s : new TreeSet<>(statuses)) {
      sb.append(sb.length() == 0 ? "" : ",").append(s);
    }
    return sb.toString();
  }
}
