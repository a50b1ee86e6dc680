package io.meshsdk.core.internal.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshsdk.core.config.ServiceConfig;
import io.meshsdk.core.observe.Outcome;
import io.meshsdk.core.resilience.BreakerState;
import io.meshsdk.core.resilience.CircuitOpenException;
import io.meshsdk.core.resilience.DeadlineExceededException;
import io.meshsdk.core.resilience.Deadlines;
import io.meshsdk.core.resilience.ResilienceConfig;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** Retry decisions and admission of the compiled policies, on a frozen ticker; no network. */
class ServicePoliciesTest {

  private static final long MS = 1_000_000L;
  private final AtomicLong now = new AtomicLong(1_000_000 * MS);

  private ServicePolicies policies(String... keyValues) {
    ServiceConfig.Builder b = ServiceConfig.builder();
    for (int i = 0; i < keyValues.length; i += 2) {
      b.set(keyValues[i], keyValues[i + 1]);
    }
    ResilienceConfig r = b.build().resilience();
    ServicePolicies p = new ServicePolicies("svc", r, now::get, breakerStates::add);
    p.budget().recordRequest(now.get());
    return p;
  }

  private final List<BreakerState> breakerStates = new CopyOnWriteArrayList<>();

  private long delay(ServicePolicies p, Outcome o, String method, int attempt, long deadline,
      @Nullable String retryAfter) {
    long d = p.retryDelay(o, method, attempt, now.get(), deadline, retryAfter);
    return d < 0 ? -1 : d;
  }

  @Test
  void connectFailuresAreRetriedForEveryMethodOthersOnlyForIdempotentOnes() {
    ServicePolicies p = policies("retry.backoff", "10ms", "retry.jitter", "0");
    assertThat(delay(p, Outcome.CONNECT_ERROR, "POST", 0, Deadlines.NONE, null)).isEqualTo(10 * MS);
    assertThat(delay(p, Outcome.SERVER_ERROR, "POST", 0, Deadlines.NONE, null)).isEqualTo(-1);
    assertThat(delay(p, Outcome.TIMEOUT, "PATCH", 0, Deadlines.NONE, null)).isEqualTo(-1);
    assertThat(delay(p, Outcome.IO_ERROR, "PUT", 0, Deadlines.NONE, null)).isEqualTo(10 * MS);
    assertThat(delay(p, Outcome.SERVER_ERROR, "GET", 1, Deadlines.NONE, null)).isEqualTo(20 * MS);
    assertThat(delay(p, Outcome.SERVER_ERROR, "GET", 2, Deadlines.NONE, null)).isEqualTo(-1);
    ServicePolicies optIn = policies("retry.non-idempotent", "true");
    assertThat(delay(optIn, Outcome.SERVER_ERROR, "POST", 0, Deadlines.NONE, null)).isPositive();
    assertThat(p.isRetryableStatus(503)).isTrue();
    assertThat(p.isRetryableStatus(500)).isFalse();
  }

  @Test
  void retryAfterIsHonouredUpToTheMaxBackoff() {
    ServicePolicies p = policies("retry.backoff", "10ms", "retry.jitter", "0", "retry.max-backoff", "2s");
    assertThat(delay(p, Outcome.SERVER_ERROR, "GET", 0, Deadlines.NONE, "1")).isEqualTo(1_000 * MS);
    assertThat(delay(p, Outcome.SERVER_ERROR, "GET", 0, Deadlines.NONE, "5")).isEqualTo(-1);
    assertThat(delay(p, Outcome.SERVER_ERROR, "GET", 0, Deadlines.NONE, "soon")).isEqualTo(10 * MS);
  }

  @Test
  void retryAfterAsAnHttpDateIsHonouredToo() {
    ServicePolicies p = policies("retry.backoff", "10ms", "retry.jitter", "0", "retry.max-backoff", "2s");
    DateTimeFormatter http = DateTimeFormatter.RFC_1123_DATE_TIME;
    String inAnHour = http.format(ZonedDateTime.now(ZoneOffset.UTC).plusHours(1));
    assertThat(delay(p, Outcome.SERVER_ERROR, "GET", 0, Deadlines.NONE, inAnHour)).isEqualTo(-1);
    String past = http.format(ZonedDateTime.now(ZoneOffset.UTC).minusHours(1));
    assertThat(delay(p, Outcome.SERVER_ERROR, "GET", 0, Deadlines.NONE, past)).isEqualTo(10 * MS);
    String inOneSecond = http.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(2));
    assertThat(delay(p, Outcome.SERVER_ERROR, "GET", 0, Deadlines.NONE, inOneSecond))
        .isBetween(10 * MS, 2_000 * MS);
  }

  @Test
  void noRetryWhenTheRemainingDeadlineCannotFitAnotherAttempt() {
    ServicePolicies p = policies("retry.backoff", "10ms", "retry.jitter", "0", "timeout.per-attempt", "200ms");
    assertThat(delay(p, Outcome.SERVER_ERROR, "GET", 0, now.get() + 209 * MS, null)).isEqualTo(-1);
    assertThat(delay(p, Outcome.SERVER_ERROR, "GET", 0, now.get() + 210 * MS, null))
        .isEqualTo(10 * MS);
    assertThat(p.deadlineExceeded.sum()).isEqualTo(1);
  }

  @Test
  void deadlineIsTheEarliestOfThreadHeaderAndCallTimeout() {
    ServicePolicies p = policies("timeout.call", "300ms");
    assertThat(p.deadline(now.get(), Deadlines.NONE, null)).isEqualTo(now.get() + 300 * MS);
    assertThat(p.deadline(now.get(), Deadlines.NONE, "120")).isEqualTo(now.get() + 120 * MS);
    assertThat(p.deadline(now.get(), now.get() + 50 * MS, "120")).isEqualTo(now.get() + 50 * MS);
    assertThat(policies().deadline(now.get(), Deadlines.NONE, null)).isEqualTo(Deadlines.NONE);
  }

  @Test
  void hugeDeadlineAndRetryAfterHeadersDoNotOverflowIntoRejections() {
    ServicePolicies p = policies();
    assertThat(p.deadline(now.get(), Deadlines.NONE, "999999999999999999")).isEqualTo(Deadlines.NONE); // 18 digits
    assertThat(p.deadline(now.get(), Deadlines.NONE, "99999999999999")).isEqualTo(Deadlines.NONE); // 14 digits
    ServicePolicies r = policies("retry.backoff", "10ms", "retry.jitter", "0", "retry.max-backoff", "2s");
    // a Retry-After beyond the max backoff means "not worth waiting": no retry, never "retry now"
    assertThat(delay(r, Outcome.SERVER_ERROR, "GET", 0, Deadlines.NONE, "999999999999999999"))
        .isEqualTo(-1);
  }

  @Test
  void admissionRefusesAnExpiredDeadlineAndAnOpenBreakerWithoutHoldingAnything() throws Exception {
    ServicePolicies p = policies("breaker.window-size", "2", "breaker.minimum-calls", "2",
        "bulkhead.max-concurrent-calls", "1");
    assertThatThrownBy(() -> p.admit(now.get(), now.get()))
        .isInstanceOf(DeadlineExceededException.class);
    for (int i = 0; i < 2; i++) {
      int held = p.admit(now.get(), Deadlines.NONE);
      assertThat(held).isEqualTo(ServicePolicies.HELD_BULKHEAD | ServicePolicies.HELD_BREAKER);
      p.release(held, MS, Outcome.SERVER_ERROR, 1);
    }
    assertThat(p.breakerState()).isEqualTo(BreakerState.OPEN);
    assertThat(breakerStates).containsExactly(BreakerState.OPEN);
    assertThatThrownBy(() -> p.admit(now.get(), Deadlines.NONE))
        .isInstanceOf(CircuitOpenException.class)
        .hasMessage("circuit breaker of service 'svc' is OPEN and does not permit further calls");
    // the refused call gave its bulkhead slot back: with max 1, this would otherwise be BulkheadFullException
    assertThatThrownBy(() -> p.admit(now.get(), Deadlines.NONE))
        .isInstanceOf(CircuitOpenException.class);
    assertThat(p.breakerRejections.sum()).isEqualTo(2);
    assertThat(p.bulkheadRejections.sum()).isZero();
  }
}
