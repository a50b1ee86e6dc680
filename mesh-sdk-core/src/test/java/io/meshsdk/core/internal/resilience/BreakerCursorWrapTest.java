package io.meshsdk.core.internal.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.resilience.BreakerConfig;
import io.meshsdk.core.resilience.BreakerState;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The window holds the last window-size calls also past 2^31 records (hours at 100k calls/s). */
class BreakerCursorWrapTest {

  @Test
  void theWindowStillHoldsTheLastCallsPastTwoToTheThirtyOneRecords() {
    AtomicLong now = new AtomicLong(1_000_000_000_000L);
    ServiceBreaker b = new ServiceBreaker("svc", BreakerConfig.builder().windowSize(3).minimumCalls(3)
        .failureRateThreshold(66).slowCallDuration(Duration.ofSeconds(10)).openWait(Duration.ofSeconds(10))
        .halfOpenCalls(1).build(), now::get, s -> { });
    ServiceBreaker.Window w = b.window();
    assertThat(w).isNotNull();
    w.cursor = Integer.MAX_VALUE - 2; // stands for 2^31 - 2 earlier records
    record(b, now.get(), true);
    record(b, now.get(), false);
    record(b, now.get(), false); // F S S: 33 %, closed
    assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
    record(b, now.get(), true); // the 2^31st record and after: must take the oldest slot, not the one before it
    assertThat(b.failureRate()).as("failure rate of the last 3 calls (S, S, F)").isEqualTo(100f / 3);
    assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
  }

  private static void record(ServiceBreaker b, long now, boolean failed) {
    int permit = b.tryAcquire(now);
    assertThat(permit).isNotEqualTo(ServiceBreaker.REFUSED);
    b.onResult(permit, 1_000_000L, failed);
  }
}
