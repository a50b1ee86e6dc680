package io.meshsdk.core.security.policy;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A read-only open-addressing table from strings to rule bitsets (bit {@code k}: rule {@code k} of the section), looked up by a region of another string and that
 * region's {@link String#hashCode()}-style hash, so that a caller's prefixes, a request path's first segment and a
 * whole caller name are looked up without a substring.
 */
final class RegionTable {

  private final @Nullable String[] keys;
  private final int[] hashes;
  private final long[][] values;
  private final int mask;

  RegionTable(Map<String, long[]> entries) {
    int capacity = 2;
    while (capacity < entries.size() * 2) {
      capacity <<= 1;
    }
    this.keys = new String[capacity];
    this.hashes = new int[capacity];
    this.values = new long[capacity][];
    this.mask = capacity - 1;
    for (Map.Entry<String, long[]> e : entries.entrySet()) {
      String k = e.getKey();
      int h = k.hashCode();
      int i = spread(h) & mask;
      while (keys[i] != null) {
        i = (i + 1) & mask;
      }
      keys[i] = k;
      hashes[i] = h;
      values[i] = e.getValue();
    }
  }

  /** The String hash of {@code s[from, to)}: equal to {@code s.substring(from, to).hashCode()}. */
  static int hash(String s, int from, int to) {
    return hash(0, s, from, to);
  }

  /**
   * The String hash of {@code s[0, to)} from {@code h}, the hash of {@code s[0, from)}: only the characters from
   * {@code from} on are read.
   */
  static int hash(int h, String s, int from, int to) {
    int i = from;
    // four characters per step, the same value as one at a time (31^4 h + 31^3 a + 31^2 b + 31 c + d), with a
    // quarter of the multiply-add chain
    for (; i + 3 < to; i += 4) {
      h = 923_521 * h + 29_791 * s.charAt(i) + 961 * s.charAt(i + 1) + 31 * s.charAt(i + 2) + s.charAt(i + 3);
    }
    for (; i < to; i++) {
      h = 31 * h + s.charAt(i);
    }
    return h;
  }

  private static int spread(int h) {
    return h ^ (h >>> 16);
  }

  /** The value of the key equal to {@code s}, whose {@link String#hashCode()} is {@code hash}, or null. */
  long @Nullable [] get(String s, int hash) {
    int i = spread(hash) & mask;
    while (true) {
      String k = keys[i];
      if (k == null) {
        return null;
      }
      if (hashes[i] == hash && k.equals(s)) {
        return values[i];
      }
      i = (i + 1) & mask;
    }
  }

  /** The value of the key equal to {@code s[from, to)} whose hash is {@code hash}, or null. */
  long @Nullable [] get(String s, int from, int to, int hash) {
    int len = to - from;
    int i = spread(hash) & mask;
    while (true) {
      String k = keys[i];
      if (k == null) {
        return null;
      }
      if (hashes[i] == hash && k.length() == len && regionEquals(s, from, k, len)) {
        return values[i];
      }
      i = (i + 1) & mask;
    }
  }

  /** {@code s.regionMatches(from, k, 0, len)} for a region known to lie in {@code s}, char by char. */
  private static boolean regionEquals(String s, int from, String k, int len) {
    for (int i = 0; i < len; i++) {
      if (s.charAt(from + i) != k.charAt(i)) {
        return false;
      }
    }
    return true;
  }
}
