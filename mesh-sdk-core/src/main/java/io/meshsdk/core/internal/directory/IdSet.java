package io.meshsdk.core.internal.directory;

import org.jspecify.annotations.Nullable;

/**
 * A set of endpoint ids for one directory update (the ids that arrive, to catch one listed twice): open addressing
 * over an array of the strings themselves, grown as it fills, so it costs one array and no node per id.
 */
final class IdSet {

  private @Nullable String[] table = new String[16];
  private int shift = 28;
  private int size;

  /** Adds {@code id}; false when it was in the set already. */
  boolean add(String id) {
    if (size * 3 >= table.length * 2) {
      grow();
    }
    int mask = table.length - 1;
    for (int i = RecordIndex.slot(id.hashCode(), shift); ; i = (i + 1) & mask) {
      @Nullable String there = table[i];
      if (there == null) {
        table[i] = id;
        size++;
        return true;
      }
      if (there.equals(id)) {
        return false;
      }
    }
  }

  private void grow() {
    @Nullable String[] old = table;
    table = new String[old.length * 2];
    shift--;
    int mask = table.length - 1;
    for (@Nullable String id : old) {
      if (id != null) {
        int i = RecordIndex.slot(id.hashCode(), shift);
        while (table[i] != null) {
          i = (i + 1) & mask;
        }
        table[i] = id;
      }
    }
  }
}
