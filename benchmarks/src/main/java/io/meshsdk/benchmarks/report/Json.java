package io.meshsdk.benchmarks.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the suite's result files (JMH's JSON and {@code loopback.json}) with Jackson into plain values: objects
 * become {@link LinkedHashMap}s (key order kept), arrays {@link ArrayList}s, numbers {@link Double}s, {@code null} the
 * {@link #NULL} marker; and the few accessors the report needs to walk them without casts.
 */
final class Json {

  /** What a JSON {@code null} reads as (maps and lists hold no Java nulls). */
  static final Object NULL = new Object() {
    @Override
    public String toString() {
      return "null";
    }
  };

  private static final JsonMapper MAPPER = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private Json() {}

  /**
   * Parses one JSON value (the whole text, surrounding whitespace allowed).
   *
   * @throws IllegalArgumentException if the text is not one well-formed JSON value
   */
  static Object parse(String text) {
    try {
      return normalize(MAPPER.readValue(text, Object.class));
    } catch (JacksonException e) {
      throw new IllegalArgumentException("malformed JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** The object's member {@code key} if {@code o} is an object that has it, else {@link #NULL}. */
  static Object get(Object o, String key) {
    if (o instanceof Map<?, ?> m) {
      Object v = m.get(key);
      return v == null ? NULL : v;
    }
    return NULL;
  }

  /** A number, or a string JMH writes for non-finite values ({@code "NaN"}, {@code "Infinity"}), as a double; NaN otherwise. */
  static double number(Object o) {
    if (o instanceof Number n) {
      return n.doubleValue();
    }
    if (o instanceof String s) {
      try {
        return Double.parseDouble(s.trim());
      } catch (NumberFormatException e) {
        return Double.NaN;
      }
    }
    return Double.NaN;
  }

  /** The value as a string (numbers without a trailing {@code .0} when whole), or {@code otherwise} for null/absent. */
  static String string(Object o, String otherwise) {
    if (o == NULL) {
      return otherwise;
    }
    if (o instanceof Double d && d == Math.rint(d) && !d.isInfinite() && Math.abs(d) < 1e15) {
      return Long.toString(d.longValue());
    }
    return o.toString();
  }

  /** The array's elements, or an empty list if {@code o} is not an array. */
  static List<Object> list(Object o) {
    if (o instanceof List<?> l) {
      return List.copyOf(l);
    }
    return List.of();
  }

  /** Jackson's tree as the suite reads it: every number a {@link Double}, JSON {@code null} as {@link #NULL}. */
  private static Object normalize(@Nullable Object o) {
    if (o == null) {
      return NULL;
    }
    if (o instanceof Number n) {
      return n.doubleValue();
    }
    if (o instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put(String.valueOf(k), normalize(v)));
      return out;
    }
    if (o instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      l.forEach(v -> out.add(normalize(v)));
      return out;
    }
    return o;
  }
}
