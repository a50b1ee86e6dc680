package io.meshsdk.spring;

import io.meshsdk.core.transport.AttemptRequest;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.util.MultiValueMap;

/**
 * The headers of one attempt as a view: the application's request headers with the attempt's few headers set over
 * them and the mesh-owned ones it removes hidden, without copying the application's (a copy into a new
 * {@link HttpHeaders} costs about a kilobyte per attempt). Names compare case-insensitively, as in
 * {@code HttpHeaders}. Everything a request factory reads (names, values, size) is answered from the view; any write,
 * and the rarely used whole-map operations ({@code entrySet}, {@code equals}, ...), first turn it into that copy
 * (the application's headers, then the removals, then the attempt's headers, as before) and work on the copy. The
 * application's headers are never written.
 *
 * <p>Used by one thread at a time (the attempt's), like the {@code HttpHeaders} it stands for.
 */
final class AttemptHeaders extends AbstractMap<String, List<String>> implements MultiValueMap<String, String> {

  private final HttpHeaders base;
  private final String[] names;
  private final List<String>[] values;
  private final int count;
  private final String[] removed;
  private final int removedCount;
  private @Nullable HttpHeaders copy;

  @SuppressWarnings({"unchecked", "rawtypes"}) // a generic array of lists
  private AttemptHeaders(HttpHeaders base, AttemptRequest attempt, @Nullable String host) {
    this.base = base;
    int n = attempt.headerCount() + (host == null ? 0 : 1);
    this.names = new String[n];
    this.values = new List[n];
    for (int i = 0; i < attempt.headerCount(); i++) {
      names[i] = attempt.headerName(i);
      values[i] = List.of(attempt.headerValue(i));
    }
    if (host != null) {
      names[n - 1] = HttpHeaders.HOST;
      values[n - 1] = List.of(host);
    }
    this.count = n;
    this.removedCount = attempt.removedCount();
    this.removed = new String[removedCount];
    for (int i = 0; i < removedCount; i++) {
      removed[i] = attempt.removedName(i);
    }
  }

  /**
   * The headers of {@code attempt} over {@code base}: {@code base} itself when the attempt changes nothing, else a
   * view (see the class).
   */
  static HttpHeaders of(HttpHeaders base, AttemptRequest attempt, @Nullable String host) {
    if (attempt.headerCount() == 0 && attempt.removedCount() == 0 && host == null) {
      return base;
    }
    return new HttpHeaders(new AttemptHeaders(base, attempt, host));
  }

  /** The index of the attempt's header {@code name} (the last one set wins), or -1. */
  private int setIndex(String name) {
    for (int i = count - 1; i >= 0; i--) {
      if (names[i].equalsIgnoreCase(name)) {
        return i;
      }
    }
    return -1;
  }

  private boolean isRemoved(String name) {
    for (int i = 0; i < removedCount; i++) {
      if (removed[i].equalsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }

  /** Whether the application's header {@code name} is replaced or removed by the attempt. */
  private boolean hidden(String name) {
    return setIndex(name) >= 0 || isRemoved(name);
  }

  /** Whether {@code names[i]} is the last of the attempt's headers by that name (an earlier duplicate is not shown). */
  private boolean shown(int i) {
    return setIndex(names[i]) == i;
  }

  /** The copy all writes go to, made on first need. */
  private HttpHeaders copy() {
    HttpHeaders c = copy;
    if (c == null) {
      HttpHeaders h = new HttpHeaders();
      base.forEach(h::addAll); // lists of its own: a write must not reach the application's
      for (int i = 0; i < removedCount; i++) {
        h.remove(removed[i]);
      }
      for (int i = 0; i < count; i++) {
        h.set(names[i], values[i].get(0)); // a list of its own: the view's are immutable
      }
      c = h;
      copy = c;
    }
    return c;
  }

  @Override
  public @Nullable List<String> get(@Nullable Object key) {
    if (!(key instanceof String name)) {
      return null;
    }
    HttpHeaders c = copy;
    if (c != null) {
      return c.get(name);
    }
    int i = setIndex(name);
    if (i >= 0) {
      return values[i];
    }
    return isRemoved(name) ? null : base.get(name);
  }

  @Override
  public @Nullable String getFirst(String key) {
    HttpHeaders c = copy;
    if (c != null) {
      return c.getFirst(key);
    }
    int i = setIndex(key);
    if (i >= 0) {
      return values[i].get(0);
    }
    return isRemoved(key) ? null : base.getFirst(key);
  }

  @Override
  public boolean containsKey(@Nullable Object key) {
    if (!(key instanceof String name)) {
      return false;
    }
    HttpHeaders c = copy;
    if (c != null) {
      return c.containsHeader(name);
    }
    if (setIndex(name) >= 0) {
      return true;
    }
    return !isRemoved(name) && base.containsHeader(name);
  }

  @Override
  public int size() {
    HttpHeaders c = copy;
    if (c != null) {
      return c.size();
    }
    int n = base.size();
    for (int i = 0; i < count; i++) {
      if (shown(i) && !base.containsHeader(names[i])) {
        n++;
      }
    }
    for (int i = 0; i < removedCount; i++) {
      if (setIndex(removed[i]) < 0 && base.containsHeader(removed[i]) && firstRemoval(i)) {
        n--;
      }
    }
    return n;
  }

  /** Whether {@code removed[i]} is the first removal of that name (a duplicate removal counts once). */
  private boolean firstRemoval(int i) {
    for (int j = 0; j < i; j++) {
      if (removed[j].equalsIgnoreCase(removed[i])) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean isEmpty() {
    return size() == 0;
  }

  @Override
  public Set<String> keySet() {
    HttpHeaders c = copy;
    if (c != null) {
      return c.headerNames();
    }
    return new Names();
  }

  @Override
  public void forEach(BiConsumer<? super String, ? super List<String>> action) {
    HttpHeaders c = copy;
    if (c != null) {
      c.forEach(action);
      return;
    }
    for (String name : this.keySet()) {
      List<String> v = get(name);
      if (v != null) {
        action.accept(name, v);
      }
    }
  }

  @Override
  public Set<Map.Entry<String, List<String>>> entrySet() {
    return copy().headerSet();
  }

  @Override
  public @Nullable List<String> put(String key, List<String> value) {
    return copy().put(key, value);
  }

  @Override
  public @Nullable List<String> remove(@Nullable Object key) {
    return key instanceof String name ? copy().remove(name) : null;
  }

  @Override
  public void putAll(Map<? extends String, ? extends List<String>> m) {
    copy().putAll(m);
  }

  @Override
  public void clear() {
    copy().clear();
  }

  @Override
  public void add(String key, @Nullable String value) {
    copy().add(key, value);
  }

  @Override
  public void addAll(String key, List<? extends String> values) {
    copy().addAll(key, values);
  }

  @Override
  public void addAll(MultiValueMap<String, String> values) {
    HttpHeaders c = copy();
    values.forEach(c::addAll);
  }

  @Override
  public void set(String key, @Nullable String value) {
    copy().set(key, value);
  }

  @Override
  public void setAll(Map<String, String> values) {
    copy().setAll(values);
  }

  @Override
  public Map<String, String> toSingleValueMap() {
    return copy().toSingleValueMap();
  }

  /**
   * The application's header names, without the case-insensitive copy of them that {@link HttpHeaders#headerNames()}
   * builds on every call (a few hundred bytes per attempt). {@code asMultiValueMap()} is deprecated for removal in
   * Spring Framework 7: when it goes, {@code headerNames()} is the replacement.
   */
  @SuppressWarnings("removal")
  private static Iterator<String> namesOf(HttpHeaders headers) {
    return headers.asMultiValueMap().keySet().iterator();
  }

  /**
   * The names, in order: the application's that the attempt neither replaces nor removes, then the attempt's. Removing
   * through the set (or its iterator) turns the view into its copy first.
   */
  private final class Names extends AbstractSet<String> {

    @Override
    public Iterator<String> iterator() {
      return new Iterator<>() {
        private final Iterator<String> own = namesOf(base);
        private int added;
        private @Nullable String next = advance();
        private @Nullable String last;

        private @Nullable String advance() {
          while (own.hasNext()) {
            String name = own.next();
            if (!hidden(name)) {
              return name;
            }
          }
          while (added < count) {
            int i = added++;
            if (shown(i)) {
              return names[i];
            }
          }
          return null;
        }

        @Override
        public boolean hasNext() {
          return next != null;
        }

        @Override
        public String next() {
          String n = next;
          if (n == null) {
            throw new NoSuchElementException();
          }
          last = n;
          next = advance();
          return n;
        }

        @Override
        public void remove() {
          String l = last;
          if (l == null) {
            throw new IllegalStateException();
          }
          last = null;
          AttemptHeaders.this.remove(l);
        }
      };
    }

    @Override
    public int size() {
      return AttemptHeaders.this.size();
    }

    @Override
    public boolean contains(@Nullable Object o) {
      return containsKey(o);
    }

    @Override
    public boolean remove(@Nullable Object o) {
      return AttemptHeaders.this.remove(o) != null;
    }
  }
}
