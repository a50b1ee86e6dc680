package io.meshsdk.core.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * An endpoint's labels are a map like the JDK's immutable ones (equal to any map with the same entries, null-hostile,
 * every mutator refused), with 0, 1, a few and many entries, and two endpoints whose labels came from different maps
 * with the same entries are equal, whatever the order the entries were given in.
 */
class LabelsTest {

  private static Map<String, String> entries(int n) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = n - 1; i >= 0; i--) { // given in descending order
      m.put("key-" + (char) ('a' + i % 26) + i, "value-" + i);
    }
    return m;
  }

  @Test
  void behavesAsAnImmutableMapWithTheSameEntriesAtEverySize() {
    for (int n : new int[] {0, 1, 2, 3, 8, 9, 40}) {
      Map<String, String> source = entries(n);
      Map<String, String> labels = Endpoint.of("svc", "10.0.0.1", 80).withLabels(source).labels();
      assertThat(labels).as("n=%d", n).isEqualTo(source).isEqualTo(Map.copyOf(source)).hasSize(n);
      assertThat(source).isEqualTo(labels);
      assertThat(Map.copyOf(source)).isEqualTo(labels);
      assertThat(labels.hashCode()).isEqualTo(source.hashCode());
      assertThat(labels.isEmpty()).isEqualTo(n == 0);
      for (Map.Entry<String, String> e : source.entrySet()) {
        assertThat(labels.get(e.getKey())).isEqualTo(e.getValue());
        assertThat(labels.containsKey(e.getKey())).isTrue();
        assertThat(labels.containsValue(e.getValue())).isTrue();
      }
      assertThat(labels.get("absent")).isNull();
      assertThat(labels.get("key-zz")).isNull();
      assertThat(labels.containsKey("absent")).isFalse();
      assertThat(labels.containsValue("absent")).isFalse();
      assertThat(new ArrayList<>(labels.keySet())).as("key order").isEqualTo(new ArrayList<>(new TreeMap<>(source)
          .keySet()));
      List<String> seen = new ArrayList<>();
      labels.forEach((k, v) -> seen.add(k + "=" + v));
      assertThat(seen).hasSize(n);
      assertThat(new HashMap<>(labels)).isEqualTo(source);
      assertThatThrownBy(() -> labels.get(null)).isInstanceOf(NullPointerException.class);
      assertThatThrownBy(() -> labels.put("k", "v")).isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(() -> labels.remove("absent")).isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(labels::clear).isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(() -> labels.putAll(Map.of())).isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(() -> labels.merge("k", "v", (a, b) -> a)).isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(() -> labels.entrySet().iterator().remove()).isInstanceOf(RuntimeException.class);
    }
  }

  @Test
  void endpointsWithTheSameLabelsFromDifferentMapsAreEqualAndOneDifferenceIsSeen() {
    Map<String, String> a = new HashMap<>(entries(5));
    Map<String, String> b = new TreeMap<>(entries(5));
    Endpoint x = Endpoint.builder("svc", "10.0.0.1", 80).labels(a).build();
    Endpoint y = Endpoint.builder("svc", "10.0.0.1", 80).labels(b).build();
    assertThat(x).isEqualTo(y).hasSameHashCodeAs(y);
    b.put("key-c2", "changed");
    assertThat(Endpoint.builder("svc", "10.0.0.1", 80).labels(b).build()).isNotEqualTo(x);
    assertThat(x.withLabels(Map.of("version", "v1"))).isEqualTo(y.withLabels(Map.of("version", "v1")))
        .isNotEqualTo(y.withLabels(Map.of("version", "v2"))).isNotEqualTo(y.withLabels(Map.of("release", "v1")))
        .isNotEqualTo(y.withLabels(Map.of()));
    assertThat(x.withLabels(Map.of()).labels()).isEqualTo(Map.of()).isEmpty();
  }

  @Test
  void nullKeysAndValuesAreRefused() {
    Map<String, String> nullValue = new HashMap<>();
    nullValue.put("k", null);
    assertThatThrownBy(() -> Endpoint.of("svc", "10.0.0.1", 80).withLabels(nullValue))
        .isInstanceOf(NullPointerException.class);
    Map<String, String> nullKey = new HashMap<>();
    nullKey.put(null, "v");
    nullKey.put("a", "b");
    assertThatThrownBy(() -> Endpoint.of("svc", "10.0.0.1", 80).withLabels(nullKey))
        .isInstanceOf(NullPointerException.class);
  }
}
