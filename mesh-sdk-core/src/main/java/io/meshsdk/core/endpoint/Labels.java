package io.meshsdk.core.endpoint;

import static java.util.Objects.requireNonNull;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The labels of an {@link Endpoint}: an immutable map that refuses null keys and values (as {@link Map#copyOf}
 * does), its entries sorted by key: one entry in two fields (24 bytes, as the JDK's one-entry map), more in one
 * array (smaller than the JDK's table from two entries on). Two of them compare entry by entry without allocating:
 * discovery compares every endpoint of a service, labels included, on each update, and {@code AbstractMap.equals}
 * on the JDK's immutable maps builds an entry set, an iterator and an entry per comparison. Iterates in key order.
 */
final class Labels extends AbstractMap<String, String> {

  private static final String[] NO_STRINGS = {};
  static final Labels EMPTY = new Labels(null, null, NO_STRINGS);

  /** The one entry's key and value, or null when there are none or several. */
  private final @Nullable String key;
  private final @Nullable String value;
  /** With several entries: key 0, value 0, key 1, value 1..., keys ascending; never written after construction. */
  private final String[] kv;

  private Labels(@Nullable String key, @Nullable String value, String[] kv) {
    this.key = key;
    this.value = value;
    this.kv = kv;
  }

  /** {@code labels} as labels: {@code labels} itself when it is, else an immutable, sorted copy. */
  static Labels of(Map<String, String> labels) {
    if (labels instanceof Labels l) {
      return l;
    }
    int n = labels.size();
    if (n == 0) {
      return EMPTY;
    }
    String[] keys = new String[n];
    int i = 0;
    for (String k : labels.keySet()) {
      keys[i++] = requireNonNull(k, "labels contains a null key");
    }
    Arrays.sort(keys);
    for (int k = 1; k < n; k++) {
      if (keys[k].equals(keys[k - 1])) {
        throw new IllegalArgumentException("duplicate label key: " + keys[k]);
      }
    }
    if (n == 1) {
      return new Labels(keys[0], requireNonNull(labels.get(keys[0]), "label " + keys[0] + " has a null value"),
          NO_STRINGS);
    }
    String[] kv = new String[2 * n];
    for (int k = 0; k < n; k++) {
      kv[2 * k] = keys[k];
      kv[2 * k + 1] = requireNonNull(labels.get(keys[k]), "label " + keys[k] + " has a null value");
    }
    return new Labels(null, null, kv);
  }

  @Override
  public int size() {
    return key != null ? 1 : kv.length >> 1;
  }

  @Override
  public boolean isEmpty() {
    return key == null && kv.length == 0;
  }

  @Override
  public @Nullable String get(@Nullable Object k) {
    requireNonNull(k, "key"); // as the JDK's immutable maps
    if (key != null) {
      return key.equals(k) ? value : null;
    }
    int n = kv.length >> 1;
    if (n <= 8) {
      for (int i = 0; i < kv.length; i += 2) {
        if (kv[i].equals(k)) {
          return kv[i + 1];
        }
      }
      return null;
    }
    if (!(k instanceof String s)) {
      return null;
    }
    int lo = 0;
    int hi = n - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = kv[2 * mid].compareTo(s);
      if (c < 0) {
        lo = mid + 1;
      } else if (c > 0) {
        hi = mid - 1;
      } else {
        return kv[2 * mid + 1];
      }
    }
    return null;
  }

  @Override
  public boolean containsKey(@Nullable Object k) {
    return get(k) != null;
  }

  @Override
  public boolean containsValue(@Nullable Object v) {
    requireNonNull(v, "value");
    if (key != null) {
      return v.equals(value);
    }
    for (int i = 1; i < kv.length; i += 2) {
      if (kv[i].equals(v)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void forEach(BiConsumer<? super String, ? super String> action) {
    requireNonNull(action, "action");
    if (key != null && value != null) {
      action.accept(key, value);
    }
    for (int i = 0; i < kv.length; i += 2) {
      action.accept(kv[i], kv[i + 1]);
    }
  }

  @Override
  public Set<Map.Entry<String, String>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Map.Entry<String, String>> iterator() {
        return new Iterator<>() {
          private int i;

          @Override
          public boolean hasNext() {
            return i < size();
          }

          @Override
          public Map.Entry<String, String> next() {
            if (i >= size()) {
              throw new NoSuchElementException();
            }
            String k = key;
            String v = value;
            Map.Entry<String, String> e = k != null && v != null
                ? new AbstractMap.SimpleImmutableEntry<>(k, v)
                : new AbstractMap.SimpleImmutableEntry<>(kv[2 * i], kv[2 * i + 1]);
            i++;
            return e;
          }
        };
      }

      @Override
      public int size() {
        return Labels.this.size();
      }
    };
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (o == this) {
      return true;
    }
    if (o instanceof Labels l) { // the same entries have the same fields: both are sorted
      return java.util.Objects.equals(key, l.key) && java.util.Objects.equals(value, l.value)
          && Arrays.equals(kv, l.kv);
    }
    return super.equals(o);
  }

  @Override
  public int hashCode() {
    int h = key != null && value != null ? key.hashCode() ^ value.hashCode() : 0;
    for (int i = 0; i < kv.length; i += 2) {
      h += kv[i].hashCode() ^ kv[i + 1].hashCode();
    }
    return h;
  }

  // ---- immutable: every mutator refuses, even one that would change nothing (as the JDK's immutable maps) ----

  @Override
  public String put(String k, String v) {
    throw immutable();
  }

  @Override
  public String remove(@Nullable Object k) {
    throw immutable();
  }

  @Override
  public void putAll(Map<? extends String, ? extends String> m) {
    throw immutable();
  }

  @Override
  public void clear() {
    throw immutable();
  }

  @Override
  public void replaceAll(BiFunction<? super String, ? super String, ? extends String> function) {
    throw immutable();
  }

  @Override
  public String putIfAbsent(String k, String v) {
    throw immutable();
  }

  @Override
  public boolean remove(@Nullable Object k, @Nullable Object v) {
    throw immutable();
  }

  @Override
  public boolean replace(String k, String oldValue, String newValue) {
    throw immutable();
  }

  @Override
  public String replace(String k, String v) {
    throw immutable();
  }

  @Override
  public String computeIfAbsent(String k, Function<? super String, ? extends String> f) {
    throw immutable();
  }

  @Override
  public String computeIfPresent(String k, BiFunction<? super String, ? super String, ? extends String> f) {
    throw immutable();
  }

  @Override
  public String compute(String k, BiFunction<? super String, ? super String, ? extends String> f) {
    throw immutable();
  }

  @Override
  public String merge(String k, String v, BiFunction<? super String, ? super String, ? extends String> f) {
    throw immutable();
  }

  private static UnsupportedOperationException immutable() {
    return new UnsupportedOperationException("endpoint labels are immutable");
  }
}
