package io.meshsdk.core.security.policy;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A read-only open-addressing table from strings to rule lists, looked up by a region of another string and that
 * region's {@link String#hashCode()}-style hash, so that a caller's prefixes, a request path's first segment and a
 * whole caller name are looked up without a substring.
 */
final class RegionTable {

  private final @Nullable String[] keys;
  private final int[] hashes;
  private final Rule[][][] values;
  private final int mask;

  RegionTable(Map<String, Rule[][]> entries) {
    int capacity = 2;
    while (capacity < entries.size() * 2) {
      capacity <<= 1;
    }
    this.keys = new String[capacity];
    this.hashes = new int[capacity];
    this.values = new Rule[capacity][][];
    this.mask = capacity - 1;
    for (Map.Entry<String, Rule[][]> e : entries.entrySet()) {
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
    int h = 0;
    for (int i = from; i < to; i++) {
      h = 31 * h + s.charAt(i);
    }
    return h;
  }

  private static int spread(int h) {
    return h ^ (h >>> 16);
  }

  /** The value of the key equal to {@code s[from, to)} whose hash is {@code hash}, or null. */
  Rule @Nullable [][] get(String s, int from, int to, int hash) {
    int len = to - from;
    int i = spread(hash) & mask;
    while (true) {
      String k = keys[i];
      if (k == null) {
        return null;
      }
      if (hashes[i] == hash && k.length() == len && s.regionMatches(from, k, 0, len)) {
        return values[i];
      }
      i = (i + 1) & mask;
    }
  }
}
