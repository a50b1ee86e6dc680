package io.meshsdk.core.internal.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshsdk.core.common.MeshRejectedException;
import io.meshsdk.core.config.ServiceConfig;
import io.meshsdk.core.observe.Outcome;
import io.meshsdk.core.resilience.BreakerState;
import io.meshsdk.core.resilience.CircuitOpenException;
import io.meshsdk.core.resilience.DeadlineExceededException;
import io.meshsdk.core.resilience.Deadlines;
import io.meshsdk.core.resilience.RateLimitedException;
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

  @Test
  void theRateLimiterGrantsItsPermitsPerPeriodAndRefusesTheRestWithTheSameMessage() throws Exception {
    ServicePolicies p = policies("rate-limit.permits", "2", "rate-limit.period", "1s");
    assertThat(p.admit(now.get(), Deadlines.NONE)).isEqualTo(ServicePolicies.HELD_BREAKER);
    assertThat(p.admit(now.get() + 500 * MS, Deadlines.NONE)).isEqualTo(ServicePolicies.HELD_BREAKER);
    assertThatThrownBy(() -> p.admit(now.get() + 999 * MS, Deadlines.NONE))
        .isInstanceOf(RateLimitedException.class)
        .hasMessage("outbound rate limit of service 'svc' reached (2 per 1000 ms)");
    assertThat(p.rateLimitRejections.sum()).isEqualTo(1);
    now.addAndGet(1_000 * MS); // the next period, counted from when the policies were built
    assertThat(p.admit(now.get(), Deadlines.NONE)).isEqualTo(ServicePolicies.HELD_BREAKER);
  }

  @Test
  void aRefusedRateLimitGivesTheBulkheadSlotBack() throws Exception {
    ServicePolicies p = policies("rate-limit.permits", "1", "rate-limit.period", "1h",
        "bulkhead.max-concurrent-calls", "1");
    int held = p.admit(now.get(), Deadlines.NONE);
    assertThat(held).isEqualTo(ServicePolicies.HELD_BULKHEAD | ServicePolicies.HELD_BREAKER);
    p.release(held, MS, Outcome.SUCCESS, 1);
    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> p.admit(now.get(), Deadlines.NONE)).isInstanceOf(RateLimitedException.class);
    }
    assertThat(p.bulkheadRejections.sum()).as("never full: each refusal released its slot").isZero();
    assertThat(p.rateLimitRejections.sum()).isEqualTo(3);
  }

  @Test
  void aCallWaitsForAReservedPermitWithinMaxWait() throws Exception {
    // 1 permit per 2 ms, up to 10 ms of wait; the ticker is frozen, so each call reserves the next cycle's permit
    ServicePolicies p = policies("rate-limit.permits", "1", "rate-limit.period", "2ms", "rate-limit.max-wait",
        "10ms");
    for (int i = 0; i < 6; i++) { // waits 0, 2, 4, 6, 8 and 10 ms of real time
      assertThat(p.admit(now.get(), Deadlines.NONE)).as("call %d", i).isEqualTo(ServicePolicies.HELD_BREAKER);
    }
    assertThatThrownBy(() -> p.admit(now.get(), Deadlines.NONE)).as("12 ms away")
        .isInstanceOf(RateLimitedException.class);
    assertThat(p.rateLimitRejections.sum()).isEqualTo(1);
  }

  @Test
  void theWaitForAPermitNeverOutlastsTheCallsDeadline() throws Exception {
    // a permit an hour away with two hours of max-wait: a call with one second left is refused at once (it would
    // otherwise park for an hour)
    ServicePolicies p = policies("rate-limit.permits", "1", "rate-limit.period", "1h", "rate-limit.max-wait", "2h");
    assertThat(p.admit(now.get(), Deadlines.NONE)).isEqualTo(ServicePolicies.HELD_BREAKER);
    assertThatThrownBy(() -> p.admit(now.get(), now.get() + 1_000 * MS)).isInstanceOf(RateLimitedException.class);
    assertThat(p.rateLimitRejections.sum()).isEqualTo(1);
  }

  @Test
  void anInterruptedWaitIsARefusalAndKeepsTheInterrupt() throws Exception {
    ServicePolicies p = policies("rate-limit.permits", "1", "rate-limit.period", "1h", "rate-limit.max-wait", "2h");
    assertThat(p.admit(now.get(), Deadlines.NONE)).isEqualTo(ServicePolicies.HELD_BREAKER);
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> p.admit(now.get(), Deadlines.NONE)).isInstanceOf(RateLimitedException.class);
      assertThat(Thread.currentThread().isInterrupted()).as("interrupt status kept").isTrue();
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void admittedCallsWithTheLimiterAndBulkheadOnAllocateNothing() throws Exception {
    com.sun.management.ThreadMXBean mx = allocationCounter();
    ServicePolicies p = policies("rate-limit.permits", "1000000000", "rate-limit.period", "1h",
        "bulkhead.max-concurrent-calls", "10");
    for (int i = 0; i < 20_000; i++) { // warm up
      p.release(p.admit(now.get(), Deadlines.NONE), MS, Outcome.SUCCESS, 1);
    }
    long tid = Thread.currentThread().getId();
    long before = mx.getThreadAllocatedBytes(tid);
    for (int i = 0; i < 100_000; i++) {
      p.release(p.admit(now.get(), Deadlines.NONE), MS, Outcome.SUCCESS, 1);
    }
    long allocated = mx.getThreadAllocatedBytes(tid) - before;
    assertThat(allocated).as("bytes allocated by 100,000 admissions through the bulkhead and the rate limiter")
        .isLessThan(4_096);
  }

  /**
   * Each admission rejection allocates its exception (at most {@value #MAX_EXCEPTION_BYTES} bytes: no stack trace,
   * no message) and nothing else; resilience4j's limiter added a 40-byte state per refusal (96 B in all).
   */
  @Test
  void admissionRejectionsAllocateOnlyTheirException() throws Exception {
    com.sun.management.ThreadMXBean mx = allocationCounter();
    ServicePolicies limited = policies("rate-limit.permits", "1", "rate-limit.period", "1h");
    limited.admit(now.get(), Deadlines.NONE);
    ServicePolicies full = policies("bulkhead.max-concurrent-calls", "1");
    full.admit(now.get(), Deadlines.NONE);
    ServicePolicies open = policies("breaker.window-size", "2", "breaker.minimum-calls", "2",
        "breaker.open-wait", "1h");
    for (int i = 0; i < 2; i++) {
      open.release(open.admit(now.get(), Deadlines.NONE), MS, Outcome.SERVER_ERROR, 1);
    }
    ServicePolicies defaults = policies();
    long past = now.get() - 1;
    Object[][] cases = {{"rate limited", limited, Deadlines.NONE}, {"bulkhead full", full, Deadlines.NONE},
        {"breaker open", open, Deadlines.NONE}, {"deadline passed", defaults, past}};
    for (Object[] c : cases) {
      ServicePolicies p = (ServicePolicies) c[1];
      long deadline = (Long) c[2];
      MeshRejectedException[] keep = new MeshRejectedException[10_000];
      rejectInto(p, deadline, keep); // warm up
      long tid = Thread.currentThread().getId();
      long before = mx.getThreadAllocatedBytes(tid);
      rejectInto(p, deadline, keep);
      long perRejection = (mx.getThreadAllocatedBytes(tid) - before) / keep.length;
      assertThat(perRejection).as("bytes per rejection, %s", c[0]).isLessThanOrEqualTo(MAX_EXCEPTION_BYTES);
    }
  }

  private static final long MAX_EXCEPTION_BYTES = 64;

  private void rejectInto(ServicePolicies p, long deadline, MeshRejectedException[] keep) {
    for (int i = 0; i < keep.length; i++) {
      try {
        p.admit(now.get(), deadline);
        throw new AssertionError("admitted");
      } catch (MeshRejectedException e) {
        keep[i] = e;
      }
    }
  }

  private static com.sun.management.ThreadMXBean allocationCounter() {
    assertThat(java.lang.management.ManagementFactory.getThreadMXBean()).as("HotSpot's thread allocation counter")
        .isInstanceOf(com.sun.management.ThreadMXBean.class);
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    assertThat(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled())
        .as("thread allocation counting is on").isTrue();
    return mx;
  }
}
