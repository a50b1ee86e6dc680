package io.meshsdk.core.common;

/**
 * A bitset stored from its first to its last non-zero word: element 0 is the index of the first non-zero word,
 * then the words from it to the last non-zero one ({@code {0}} when empty). A set of a few neighbouring members
 * takes a word or two however large the universe (the access-policy and address-range indexes keep one per key).
 * Bit {@code i} of the dense form is bit {@code i % 64} of word {@code i / 64}.
 */
public final class CompactBitset {

  private CompactBitset() {}

  /** {@code dense} in the compact form (a new array; {@code dense} is not kept). */
  public static long[] compact(long[] dense) {
    int first = 0;
    while (first < dense.length && dense[first] == 0) {
      first++;
    }
    if (first == dense.length) {
      return new long[] {0};
    }
    int last = dense.length - 1;
    while (dense[last] == 0) {
      last--;
    }
    long[] out = new long[last - first + 2];
    out[0] = first;
    System.arraycopy(dense, first, out, 1, out.length - 1);
    return out;
  }

  /** Word {@code w} of the dense form of {@code compact}: 0 outside its stored words. */
  public static long word(long[] compact, int w) {
    int i = w - (int) compact[0] + 1;
    return i > 0 && i < compact.length ? compact[i] : 0;
  }

  /** The first word of {@code compact} that may be non-zero; {@code Integer.MAX_VALUE} when it is empty. */
  public static int from(long[] compact) {
    return compact.length > 1 ? (int) compact[0] : Integer.MAX_VALUE;
  }

  /** The word after the last non-zero one of {@code compact}; 0 when it is empty. */
  public static int to(long[] compact) {
    return compact.length > 1 ? (int) compact[0] + compact.length - 1 : 0;
  }
}
