package io.meshsdk.core.internal.directory;

import io.meshsdk.core.endpoint.EndpointSet;
import org.jspecify.annotations.Nullable;

/**
 * The records of one snapshot by endpoint id, for one directory update: an open-addressing table of the records
 * themselves (linear probing, Fibonacci hashing of the id's cached {@link String#hashCode}), so building it over
 * 10,000 endpoints is one array of 16,384 references and no node per entry, unlike a {@code HashMap}. Built only
 * when an endpoint of the update is not at its previous position; never kept after the update.
 */
final class RecordIndex {

  private final @Nullable TrackedEndpoint[] table;
  private final int shift;

  /** An index over the records of {@code set} (at most one per id; the first wins should a snapshot repeat one). */
  RecordIndex(EndpointSet set) {
    int bits = tableBits(set.size());
    this.table = new TrackedEndpoint[1 << bits];
    this.shift = 32 - bits;
    int mask = table.length - 1;
    for (int k = 0; k < set.size(); k++) {
      TrackedEndpoint t = (TrackedEndpoint) set.get(k);
      String id = t.endpoint().id();
      int i = slot(id.hashCode(), shift);
      while (true) {
        @Nullable TrackedEndpoint there = table[i];
        if (there == null) {
          table[i] = t;
          break;
        }
        if (there.endpoint().id().equals(id)) {
          break;
        }
        i = (i + 1) & mask;
      }
    }
  }

  /** The record of endpoint {@code id}, or {@code null}. */
  @Nullable TrackedEndpoint get(String id) {
    int mask = table.length - 1;
    for (int i = slot(id.hashCode(), shift); ; i = (i + 1) & mask) {
      @Nullable TrackedEndpoint there = table[i];
      if (there == null || there.endpoint().id().equals(id)) {
        return there;
      }
    }
  }

  /** Bits of a table for {@code n} entries, filled to at most 2/3 (and at least 16 slots). */
  static int tableBits(int n) {
    int bits = 4;
    while ((1L << bits) * 2 < 3L * n) {
      bits++;
    }
    return bits;
  }

  /** The home slot of a hash in a table of {@code 32 - shift} bits. */
  static int slot(int hash, int shift) {
    return (hash * 0x9E3779B9) >>> shift;
  }
}
