package io.meshsdk.core.sidecar;

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
    if (keyValue != null && !keyValue.isEmpty()) {
      return bucketOf(hash(keyValue));
    }
    if (traceparent != null) {
      long h = traceIdHash(traceparent);
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
    long hi = 0;
    long lo = 0;
    for (int i = 3; i < 35; i++) {
      int d = Character.digit(traceparent.charAt(i), 16);
      if (d < 0) {
        return 0;
      }
      if (i < 19) {
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
