package io.meshsdk.spring;

import java.net.URI;
import okhttp3.HttpUrl;
import org.jspecify.annotations.Nullable;

/**
 * The two URL conversions of the Spring transport, remembered: a request's {@link URI} parsed into the
 * {@link HttpUrl} the engine takes (about a kilobyte and a microsecond each time), and an attempt's physical
 * {@link HttpUrl} turned back into a {@link URI} for Spring's request factory. Applications call a few fixed URLs over
 * and over, and the engine hands back the same physical {@code HttpUrl} for a repeated URL (the endpoint's rewrite
 * cache), so both are looked up by their string in small direct-mapped tables: a hit costs a hash and a string compare
 * and allocates nothing; a miss converts as before and takes the slot.
 *
 * <p>Slots hold immutable pairs and are read and written without locks: a racing reader sees a whole pair or another
 * one, and checks its key. One instance per mesh request factory, shared by every thread.
 */
final class UrlCache {

  /** Slots per table (a power of two). */
  static final int SLOTS = 64;

  private record Parsed(String text, HttpUrl url) {}

  private record Formatted(HttpUrl url, URI uri) {}

  private final @Nullable Parsed[] parsed = new Parsed[SLOTS];
  private final @Nullable Formatted[] formatted = new Formatted[SLOTS];

  /** {@code HttpUrl.get(uri)}, remembered by the URI's string. */
  HttpUrl logical(URI uri) {
    String text = uri.toString();
    int slot = slot(text.hashCode());
    Parsed hit = parsed[slot];
    if (hit != null && hit.text.equals(text)) {
      return hit.url;
    }
    HttpUrl url = HttpUrl.get(uri);
    parsed[slot] = new Parsed(text, url);
    return url;
  }

  /** {@link #toUri(HttpUrl)}, remembered by the URL's string. */
  URI physical(HttpUrl url) {
    int slot = slot(url.hashCode()); // the hash of its string, which HttpUrl keeps
    Formatted hit = formatted[slot];
    if (hit != null && hit.url.equals(url)) { // its string's equals: the same string on a hit
      return hit.uri;
    }
    URI uri = toUri(url);
    formatted[slot] = new Formatted(url, uri);
    return uri;
  }

  /**
   * The attempt's URL as a {@link URI}. {@link HttpUrl#uri()} re-encodes the URL through a builder and a regular
   * expression before parsing it (about 1.7 KB and a microsecond per attempt); the URL's own string is already
   * percent-encoded and parses as it is, except for the few characters OkHttp leaves raw in a query (such as
   * {@code |} or {@code {}}), which {@code uri()} still handles.
   */
  static URI toUri(HttpUrl url) {
    try {
      return URI.create(url.toString());
    } catch (IllegalArgumentException e) {
      return url.uri();
    }
  }

  private static int slot(int hash) {
    return (hash ^ (hash >>> 16)) & (SLOTS - 1);
  }
}
