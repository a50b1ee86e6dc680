package io.meshsdk.core.internal.engine;

import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * The stable split of calls between paths: a request key hashed with a well-mixed 64-bit function into a
 * bucket 0-99; a call goes via the sidecar when its bucket is below the mode's percent. No allocation.
 */
final class RouteKey {

  private RouteKey() {}

  /**
   * The bucket of a call: from {@code keyValue} (a configured header's value) when present, else from the
   * trace id of {@code traceparent} when it is a W3C traceparent, else random.
   */
  static int bucket(@Nullable String keyValue, @Nullable String traceparent) {
    return bucket(keyValue, traceparent, null);
  }

  /**
   * As {@link #bucket(String, String)}, then from {@code ambientTraceId} (the 32-hex-digit trace id of the
   * caller's current trace, from {@link io.meshsdk.core.observe.MeshObserver#currentTraceId()}) when the
   * request carries neither: hashed like a traceparent's trace id, so a trace takes one path whether or not
   * its header is already on the request.
   */
  static int bucket(@Nullable String keyValue, @Nullable String traceparent, @Nullable String ambientTraceId) {
    if (keyValue != null && !keyValue.isEmpty()) {
      return bucketOf(hash(keyValue));
    }
    if (traceparent != null) {
      long h = traceIdHash(traceparent);
      if (h != 0) {
        return bucketOf(h);
      }
    }
    if (ambientTraceId != null) {
      long h = traceIdHexHash(ambientTraceId, 0);
      if (h != 0) {
        return bucketOf(h);
      }
    }
    return ThreadLocalRandom.current().nextInt(100);
  }

  static int bucketOf(long hash) {
    return (int) Long.remainderUnsigned(hash, 100);
  }

  /** FNV-1a over the chars, then a SplitMix64 finalizer. */
  static long hash(String s) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < s.length(); i++) {
      h = (h ^ s.charAt(i)) * 0x100000001b3L;
    }
    return mix64(h);
  }

  /**
   * The hash of the 32-hex-digit trace id in {@code 00-<trace-id>-<span-id>-<flags>}, or 0 when the value is
   * not of that form. The trace id is read as two longs, so the hash ignores letter case and the span id.
   */
  static long traceIdHash(String traceparent) {
    if (traceparent.length() < 55 || traceparent.charAt(2) != '-' || traceparent.charAt(35) != '-') {
      return 0;
    }
    return traceIdHexHash(traceparent, 3);
  }

  /** The hash of the 32 hex digits of a trace id starting at {@code from}; 0 when they are not hex. */
  static long traceIdHexHash(String s, int from) {
    if (s.length() < from + 32) {
      return 0;
    }
    long hi = 0;
    long lo = 0;
    for (int i = from; i < from + 32; i++) {
      int d = Character.digit(s.charAt(i), 16);
      if (d < 0) {
        return 0;
      }
      if (i < from + 16) {
        hi = (hi << 4) | d;
      } else {
        lo = (lo << 4) | d;
      }
    }
    long h = mix64(mix64(hi) ^ lo);
    return h == 0 ? 1 : h;
  }

  /** SplitMix64's finalizer (Stafford's variant 13): every input bit affects every output bit. */
  static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
