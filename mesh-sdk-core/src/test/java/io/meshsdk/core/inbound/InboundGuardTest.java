package io.meshsdk.core.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.resilience.Deadlines;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class InboundGuardTest {

  @Test
  void perCallerRateLimitAnswers429WithRetryAfterAndKeepsOtherCallersApart() {
    InboundGuard guard = InboundGuard.create(
        InboundGuardConfig.ofDefaults().withPerCallerRateLimit(2, Duration.ofHours(1)));
    for (int i = 0; i < 2; i++) {
      try (InboundGuard.Admission a = guard.admit(InboundRequests.from("orders", null))) {
        assertThat(a.admitted()).isTrue();
      }
    }
    try (InboundGuard.Admission a = guard.admit(InboundRequests.from("orders", null))) {
      assertThat(a.admitted()).isFalse();
      assertThat(a.status()).isEqualTo(429);
      assertThat(a.retryAfterSeconds()).isEqualTo("3600");
      assertThat(a.reason()).contains("'orders'");
    }
    try (InboundGuard.Admission a = guard.admit(InboundRequests.from("billing", null))) {
      assertThat(a.admitted()).isTrue();
    }
    try (InboundGuard.Admission a = guard.admit(InboundRequests.from(null, null))) {
      assertThat(a.admitted()).isTrue();
      assertThat(a.reason()).isEqualTo("admitted");
    }
  }

  @Test
  void perCallerConcurrencyAnswers429AndOverallOverloadAnswers503() {
    InboundGuard guard = InboundGuard.create(
        InboundGuardConfig.ofDefaults().withPerCallerMaxConcurrent(1).withMaxConcurrent(2));
    InboundGuard.Admission first = guard.admit(InboundRequests.from("orders", null));
    assertThat(first.admitted()).isTrue();
    try (InboundGuard.Admission second = guard.admit(InboundRequests.from("orders", null))) {
      assertThat(second.status()).isEqualTo(429);
      assertThat(second.retryAfterSeconds()).isEqualTo("1");
    }
    InboundGuard.Admission other = guard.admit(InboundRequests.from("billing", null));
    assertThat(other.admitted()).isTrue();
    try (InboundGuard.Admission third = guard.admit(InboundRequests.from("search", null))) {
      assertThat(third.status()).isEqualTo(503);
      assertThat(third.retryAfterSeconds()).isEqualTo("1");
    }
    first.close();
    first.close(); // idempotent: releases once
    try (InboundGuard.Admission again = guard.admit(InboundRequests.from("orders", null))) {
      assertThat(again.admitted()).isTrue();
    }
    other.close();
  }

  @Test
  void propagatedDeadlineBecomesTheThreadsDeadlineWhileServing() {
    AtomicLong now = new AtomicLong(5_000_000_000L);
    InboundGuard guard = InboundGuard.create(InboundGuardConfig.ofDefaults(), now::get);
    try (InboundGuard.Admission a = guard.admit(InboundRequests.from("orders", "150"))) {
      assertThat(a.admitted()).isTrue();
      assertThat(Deadlines.current()).isEqualTo(5_150_000_000L);
    }
    assertThat(Deadlines.current()).isEqualTo(Deadlines.NONE);
    try (InboundGuard.Admission a = guard.admit(InboundRequests.from("orders", "0"))) {
      assertThat(a.status()).isEqualTo(504);
    }
    try (InboundGuard.Admission a = guard.admit(InboundRequests.from("orders", "garbage"))) {
      assertThat(a.admitted()).isTrue();
      assertThat(Deadlines.current()).isEqualTo(Deadlines.NONE);
    }
  }
}
