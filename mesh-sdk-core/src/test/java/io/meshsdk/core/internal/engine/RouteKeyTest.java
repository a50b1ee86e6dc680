package io.meshsdk.core.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RouteKeyTest {

  private static String traceparent(long hi, long lo, long span) {
    return String.format(Locale.ROOT, "00-%016x%016x-%016x-01", hi, lo, span);
  }

  @Test
  void anAmbientTraceIdTakesTheSameBucketAsItsTraceparentSoATraceKeepsOnePath() {
    for (long i = 1; i <= 200; i++) {
      long hi = 0x0af7651916cd43ddL * i;
      long lo = 0x8448eb211c80319cL ^ i;
      String traceId = String.format(Locale.ROOT, "%016x%016x", hi, lo);
      assertThat(RouteKey.bucket(null, null, traceId)).isEqualTo(RouteKey.bucket(null, traceparent(hi, lo, i)));
    }
    assertThat(RouteKey.bucket("user-7", null, "0af7651916cd43dd8448eb211c80319c"))
        .isEqualTo(RouteKey.bucket("user-7", null)); // a configured key still wins
  }

  @Test
  void theTraceIdDecidesTheBucketWhateverTheSpanIdOrCase() {
    String a = traceparent(0x0af7651916cd43ddL, 0x8448eb211c80319cL, 0xb7ad6b7169203331L);
    String sameTraceOtherSpan = traceparent(0x0af7651916cd43ddL, 0x8448eb211c80319cL, 42);
    assertThat(RouteKey.bucket(null, a)).isEqualTo(RouteKey.bucket(null, sameTraceOtherSpan));
    assertThat(RouteKey.bucket(null, a.toUpperCase(Locale.ROOT).replace("X", "x")))
        .isEqualTo(RouteKey.bucket(null, a));
    assertThat(RouteKey.traceIdHash("not a traceparent")).isZero();
    assertThat(RouteKey.traceIdHash("00-zzf7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")).isZero();
  }

  @Test
  void aConfiguredKeyHeaderWinsOverTheTraceId() {
    SplittableRandom r = new SplittableRandom(1);
    int userBucket = RouteKey.bucket("user-17", null);
    for (int i = 0; i < 50; i++) {
      assertThat(RouteKey.bucket("user-17", traceparent(r.nextLong(), r.nextLong(), r.nextLong())))
          .isEqualTo(userBucket);
    }
  }

  @Test
  void bucketsAreUniformForSequentialAndRandomKeys() {
    int[] seq = new int[100];
    int[] rnd = new int[100];
    SplittableRandom r = new SplittableRandom(3);
    int n = 100_000;
    for (int i = 0; i < n; i++) {
      seq[RouteKey.bucket("session-" + i, null)]++;
      rnd[RouteKey.bucket(null, traceparent(0, i, 1))]++; // trace ids differing only in the low bits
      r.nextLong();
    }
    for (int b = 0; b < 100; b++) {
      assertThat(seq[b]).as("bucket %d of sequential keys", b).isBetween(850, 1150);
      assertThat(rnd[b]).as("bucket %d of sequential trace ids", b).isBetween(850, 1150);
    }
  }

  @Test
  void withoutAKeyEveryBucketIsInRange() {
    for (int i = 0; i < 1000; i++) {
      assertThat(RouteKey.bucket(null, null)).isBetween(0, 99);
    }
  }
}
