package io.meshsdk.benchmarks.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

  @Test
  void readsObjectsArraysNumbersStringsAndLiterals() {
    Object v = Json.parse(" {\"a\": [1, -2.5e3, \"x\\\"y\\u00e9\\n\"], \"b\": {\"t\": true, \"f\": false, \"n\": null},"
        + " \"e\": {}, \"l\": []} ");
    assertThat(Json.list(Json.get(v, "a"))).containsExactly(1.0, -2500.0, "x\"yé\n");
    Object b = Json.get(v, "b");
    assertThat(Json.get(b, "t")).isEqualTo(true);
    assertThat(Json.get(b, "f")).isEqualTo(false);
    assertThat(Json.get(b, "n")).isSameAs(Json.NULL);
    assertThat(Json.get(b, "absent")).isSameAs(Json.NULL);
    assertThat((Map<?, ?>) Json.get(v, "e")).isEmpty();
    assertThat(Json.list(Json.get(v, "l"))).isEmpty();
  }

  @Test
  void keepsMemberOrder() {
    Map<?, ?> m = (Map<?, ?>) Json.parse("{\"z\": 1, \"a\": 2, \"m\": 3}");
    assertThat(List.<Object>copyOf(m.keySet())).containsExactly("z", "a", "m");
  }

  @Test
  void numbersAndStringsAsJmhWritesThem() {
    assertThat(Json.number(Json.parse("\"NaN\""))).isNaN();
    assertThat(Json.number(Json.parse("12.5"))).isEqualTo(12.5);
    assertThat(Json.number(Json.NULL)).isNaN();
    assertThat(Json.string(Json.parse("60"), "")).isEqualTo("60");
    assertThat(Json.string(Json.parse("0.5"), "")).isEqualTo("0.5");
    assertThat(Json.string(Json.NULL, "none")).isEqualTo("none");
  }

  @Test
  void rejectsMalformedText() {
    assertThatThrownBy(() -> Json.parse("{\"a\": 1")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Json.parse("[1 2]")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Json.parse("{} x")).isInstanceOf(IllegalArgumentException.class);
  }
}
