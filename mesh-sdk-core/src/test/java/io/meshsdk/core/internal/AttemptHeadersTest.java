package io.meshsdk.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import okhttp3.Request;
import org.junit.jupiter.api.Test;

class AttemptHeadersTest {

  private final Request original = new Request.Builder().url("http://inventory/x")
      .header("traceparent", "00-original-01")
      .header("x-user", "u1")
      .build();

  @Test
  void readsTheOriginalRequestUntilSomethingIsSet() {
    Request.Builder builder = original.newBuilder();
    AttemptHeaders h = new AttemptHeaders(builder, original);
    assertThat(h.get("traceparent")).isEqualTo("00-original-01");
    assertThat(h.get("X-User")).isEqualTo("u1");
    assertThat(h.get("absent")).isNull();
  }

  @Test
  void aSetValueIsReadBackAndSentAndOthersStillComeFromTheOriginal() {
    Request.Builder builder = original.newBuilder();
    AttemptHeaders h = new AttemptHeaders(builder, original);
    h.set("traceparent", "00-child-01");
    h.set("tracestate", "a=1");
    h.set("baggage", "k=v");
    h.set("x-extra", "1");
    h.set("Traceparent", "00-child-02"); // replaces, case-insensitively
    assertThat(h.get("TRACEPARENT")).isEqualTo("00-child-02");
    assertThat(h.get("tracestate")).isEqualTo("a=1");
    assertThat(h.get("baggage")).isEqualTo("k=v");
    assertThat(h.get("x-extra")).isEqualTo("1");
    assertThat(h.get("x-user")).isEqualTo("u1");
    Request sent = builder.build();
    assertThat(sent.headers("traceparent")).containsExactly("00-child-02");
    assertThat(sent.header("baggage")).isEqualTo("k=v");
  }

  @Test
  void headersTheEngineSetAreReadBackWithoutTouchingTheBuilderAgain() {
    Request.Builder builder = original.newBuilder().header("x-mesh-deadline-ms", "250");
    AttemptHeaders h = new AttemptHeaders(builder, original).record("x-mesh-deadline-ms", "250");
    assertThat(h.get("x-mesh-deadline-ms")).isEqualTo("250");
    assertThat(h.get("traceparent")).isEqualTo("00-original-01");
  }

  @Test
  void readingAllocatesNothing() {
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    AttemptHeaders h = new AttemptHeaders(original.newBuilder(), original);
    h.record("x-mesh-caller", "checkout");
    long id = Thread.currentThread().getId();
    int reads = 100_000;
    long hits = 0;
    for (int round = 0; round < 3; round++) { // warm-up rounds, then the measured one
      long before = mx.getThreadAllocatedBytes(id);
      for (int i = 0; i < reads; i++) {
        hits += h.get("traceparent") == null ? 0 : 1;
        hits += h.get("absent") == null ? 0 : 1;
        hits += h.get("x-mesh-caller") == null ? 0 : 1;
      }
      long allocated = mx.getThreadAllocatedBytes(id) - before;
      if (round == 2) {
        // building a Request per read (the old way) allocates well over 100 bytes each: 30+ MB here
        assertThat(allocated).as("bytes allocated by %s reads", 3 * reads).isLessThan(64 * 1024);
      }
    }
    assertThat(hits).isEqualTo(3L * 2 * reads);
  }
}
