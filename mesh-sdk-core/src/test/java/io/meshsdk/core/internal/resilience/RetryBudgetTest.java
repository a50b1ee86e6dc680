package io.meshsdk.core.internal.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RetryBudgetTest {

  private static final long SECOND = 1_000_000_000L;

  private static int retriesAllowed(RetryBudget b, long now, int max) {
    int n = 0;
    while (n < max && b.tryAcquireRetry(now)) {
      n++;
    }
    return n;
  }

  @Test
  void allowsTheShareOfRequestsPlusTheFloor() {
    RetryBudget b = new RetryBudget(20, 10 * SECOND, 1); // floor: 1/s × 10 s = 10
    long now = 100 * SECOND;
    for (int i = 0; i < 100; i++) {
      b.recordRequest(now);
    }
    assertThat(retriesAllowed(b, now, 1000)).isEqualTo(20 + 10);
  }

  @Test
  void withoutFloorAndTrafficNothingIsAllowed() {
    RetryBudget b = new RetryBudget(20, 10 * SECOND, 0);
    assertThat(b.tryAcquireRetry(5 * SECOND)).isFalse();
    for (int i = 0; i < 10; i++) {
      b.recordRequest(5 * SECOND);
    }
    assertThat(retriesAllowed(b, 5 * SECOND, 100)).isEqualTo(2);
  }

  @Test
  void oldRequestsAndRetriesLeaveTheWindow() {
    RetryBudget b = new RetryBudget(50, 10 * SECOND, 0);
    long t = 1_000 * SECOND;
    for (int i = 0; i < 10; i++) {
      b.recordRequest(t);
    }
    assertThat(retriesAllowed(b, t, 100)).isEqualTo(5);
    assertThat(b.tryAcquireRetry(t + 5 * SECOND)).isFalse(); // still inside the window: spent
    long later = t + 11 * SECOND; // the first bucket has left the window
    assertThat(b.tryAcquireRetry(later)).isFalse(); // no requests left in the window
    for (int i = 0; i < 4; i++) {
      b.recordRequest(later);
    }
    assertThat(retriesAllowed(b, later, 100)).isEqualTo(2);
  }

  @Test
  void worksWithNegativeTickerValues() {
    RetryBudget b = new RetryBudget(100, 10 * SECOND, 0);
    long t = -123 * SECOND;
    b.recordRequest(t);
    b.recordRequest(t);
    assertThat(retriesAllowed(b, t, 10)).isEqualTo(2);
  }
}
