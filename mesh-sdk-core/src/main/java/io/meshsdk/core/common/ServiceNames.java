package io.meshsdk.core.common;

import static java.util.Objects.requireNonNull;

import java.net.URI;

/**
 * The one rule for service names, used wherever a name enters the mesh (config keys, {@code localService},
 * endpoints, discovery files, registrations).
 *
 * <p>A service name is the host of its mesh URLs ({@code http://inventory/items}), and HTTP clients lower-case
 * and IDN-encode hosts before the mesh sees them. So a name is accepted only in the form a client can produce:
 * ASCII letters, digits, {@code -}, {@code _} and {@code .}, starting and ending with a letter or digit, no empty
 * label, at most {@value #MAX_LENGTH} characters. Upper-case ASCII is folded to lower case ({@code Inventory} is
 * {@code inventory}, as it is in a URL); anything else (non-ASCII such as {@code inventário}, white space or
 * control characters, a BOM) is refused with a {@link ConfigException} naming the key, the value and this rule,
 * because no URL could ever reach it.
 */
public final class ServiceNames {

  /** Longest service name: a DNS name's limit. */
  public static final int MAX_LENGTH = 253;

  /** What a service name may be, for error messages. */
  public static final String EXPECTED = "a service name of ASCII letters, digits, '-', '_' and '.', starting and"
      + " ending with a letter or digit (it is the host of the service's mesh URLs)";

  private ServiceNames() {}

  /**
   * The canonical (lower-case) form of {@code name}.
   *
   * @param key the configuration key or field the name came from, for the error message
   * @throws ConfigException if the name can never be the host of a mesh URL
   */
  public static String canonical(String key, String name) {
    requireNonNull(name, key);
    String canonical = canonicalOrNull(name);
    if (canonical == null) {
      throw new ConfigException(key, name, EXPECTED);
    }
    return canonical;
  }

  /** The canonical form of {@code name}, or {@code null} when it is not a valid service name. */
  public static @org.jspecify.annotations.Nullable String canonicalOrNull(String name) {
    int n = name.length();
    if (n == 0 || n > MAX_LENGTH) {
      return null;
    }
    char[] out = null;
    char previous = '.';
    for (int i = 0; i < n; i++) {
      char c = name.charAt(i);
      char lower = c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
      boolean alnum = (lower >= 'a' && lower <= 'z') || (lower >= '0' && lower <= '9');
      if (!alnum && lower != '-' && lower != '_' && lower != '.') {
        return null;
      }
      if ((i == 0 || i == n - 1) && !alnum) {
        return null;
      }
      if (lower == '.' && previous == '.') {
        return null;
      }
      if (lower != c) {
        if (out == null) {
          out = name.toCharArray();
        }
        out[i] = lower;
      }
      previous = lower;
    }
    return out == null ? name : new String(out);
  }

  /**
   * The host of {@code uri} as a mesh URL names its service: the URI's own host or, for a name {@link URI} does not
   * take as a host (one with '_', which service names may have), the host part of its authority; {@code null} when it
   * has none. As written, not lower-cased: the mesh matches hosts in any case.
   */
  public static @org.jspecify.annotations.Nullable String hostOf(URI uri) {
    String host = uri.getHost();
    if (host != null) {
      return host;
    }
    String authority = uri.getRawAuthority();
    if (authority == null) {
      return null;
    }
    authority = authority.substring(authority.lastIndexOf('@') + 1);
    int colon = authority.indexOf(':');
    return colon >= 0 ? authority.substring(0, colon) : authority;
  }
}
