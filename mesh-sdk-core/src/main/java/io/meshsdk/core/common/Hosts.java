package io.meshsdk.core.common;

import static java.util.Objects.requireNonNull;

import okhttp3.HttpUrl;

/**
 * Validation of endpoint and proxy hosts, exactly as OkHttp validates the host of a URL (so that a host the
 * mesh accepts is one every attempt can be sent to): a host name (IDN allowed, stored in its ASCII form) or an IP
 * literal; an IPv6 literal without brackets and without a zone id. {@code a@b}, {@code evil%host},
 * {@code fe80::1%lo} and URLs are refused.
 */
public final class Hosts {

  /** What a host may be, for error messages. */
  public static final String EXPECTED = "a host name or an IP address (IPv6 without a zone id)";

  private Hosts() {}

  /**
   * The canonical form of {@code host} (lower case, IDN in ASCII, IPv6 compressed, brackets removed).
   *
   * @param key the configuration key or field the host came from, for the error message
   * @throws ConfigException if {@code host} cannot be the host of a URL
   */
  public static String canonical(String key, String host) {
    requireNonNull(host, key);
    String h = host.startsWith("[") && host.endsWith("]") && host.length() > 2
        ? host.substring(1, host.length() - 1) : host;
    if (h.isEmpty() || h.startsWith("[")) {
      throw new ConfigException(key, host, EXPECTED);
    }
    try {
      return new HttpUrl.Builder().scheme("http").host(h).build().host();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key, host, EXPECTED);
    }
  }
}
