package io.meshsdk.core.loadbalancer;

import java.nio.charset.StandardCharsets;

/**
 * Small, allocation-free 64-bit hashing for the balancers: XXH64 (the reference algorithm by Yann Collet,
 * bit-exact) and the SplitMix64 finalizer.
 */
final class Hashing {

  private static final long P1 = 0x9E3779B185EBCA87L;
  private static final long P2 = 0xC2B2AE3D27D4EB4FL;
  private static final long P3 = 0x165667B19E3779F9L;
  private static final long P4 = 0x85EBCA77C2B2AE63L;
  private static final long P5 = 0x27D4EB2F165667C5L;

  private Hashing() {}

  /** The SplitMix64 / MurmurHash3 {@code fmix64}-style finalizer: a bijective, well-avalanching mix. */
  static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /**
   * XXH64 of the UTF-8 bytes of {@code s}. Allocation-free when {@code s} is ASCII (header values nearly always
   * are: the chars are read as the bytes); otherwise the string is encoded first.
   */
  static long xxh64(String s, long seed) {
    int len = s.length();
    for (int i = 0; i < len; i++) {
      if (s.charAt(i) >= 0x80) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return xxh64(b, b.length, seed);
      }
    }
    return xxh64((Object) s, len, seed);
  }

  /** XXH64 of {@code bytes}. */
  static long xxh64(byte[] bytes, long seed) {
    return xxh64(bytes, bytes.length, seed);
  }

  private static long xxh64(Object src, int len, long seed) {
    int p = 0;
    long h;
    if (len >= 32) {
      long v1 = seed + P1 + P2;
      long v2 = seed + P2;
      long v3 = seed;
      long v4 = seed - P1;
      int limit = len - 32;
      do {
        v1 = round(v1, u64(src, p));
        v2 = round(v2, u64(src, p + 8));
        v3 = round(v3, u64(src, p + 16));
        v4 = round(v4, u64(src, p + 24));
        p += 32;
      } while (p <= limit);
      h = Long.rotateLeft(v1, 1) + Long.rotateLeft(v2, 7) + Long.rotateLeft(v3, 12) + Long.rotateLeft(v4, 18);
      h = merge(h, v1);
      h = merge(h, v2);
      h = merge(h, v3);
      h = merge(h, v4);
    } else {
      h = seed + P5;
    }
    h += len;
    while (p + 8 <= len) {
      h ^= round(0, u64(src, p));
      h = Long.rotateLeft(h, 27) * P1 + P4;
      p += 8;
    }
    if (p + 4 <= len) {
      h ^= u32(src, p) * P1;
      h = Long.rotateLeft(h, 23) * P2 + P3;
      p += 4;
    }
    while (p < len) {
      h ^= u8(src, p) * P5;
      h = Long.rotateLeft(h, 11) * P1;
      p++;
    }
    h ^= h >>> 33;
    h *= P2;
    h ^= h >>> 29;
    h *= P3;
    h ^= h >>> 32;
    return h;
  }

  private static long round(long acc, long input) {
    acc += input * P2;
    acc = Long.rotateLeft(acc, 31);
    return acc * P1;
  }

  private static long merge(long acc, long val) {
    acc ^= round(0, val);
    return acc * P1 + P4;
  }

  /** Byte {@code i} of a {@code byte[]}, or char {@code i} of an ASCII string. */
  private static long u8(Object src, int i) {
    return src instanceof String s ? s.charAt(i) & 0xFF : ((byte[]) src)[i] & 0xFF;
  }

  private static long u32(Object src, int i) {
    return u8(src, i) | u8(src, i + 1) << 8 | u8(src, i + 2) << 16 | u8(src, i + 3) << 24;
  }

  private static long u64(Object src, int i) {
    return u32(src, i) | u32(src, i + 4) << 32;
  }
}
