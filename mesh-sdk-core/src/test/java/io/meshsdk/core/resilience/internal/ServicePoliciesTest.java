package io.meshsdk.core.resilience.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshsdk.core.config.ServiceConfig;
import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.observe.CallObserver;
import io.meshsdk.core.observe.MeshObserver;
import io.meshsdk.core.observe.Outcome;
import io.meshsdk.core.resilience.CircuitOpenException;
import io.meshsdk.core.resilience.DeadlineExceededException;
import io.meshsdk.core.resilience.Deadlines;
import io.meshsdk.core.resilience.ResilienceConfig;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
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
    ServicePolicies p = new ServicePolicies("svc", r, () -> EndpointSet.empty("svc"), () -> {},
        MeshObserver.NOOP, now::get);
    p.budget().recordRequest(now.get());
    return p;
  }

  private static Response response(int code, String retryAfter) {
    Response.Builder b = new Response.Builder()
        .request(new Request.Builder().url("http://svc/").build())
        .protocol(Protocol.HTTP_1_1).code(code).message("x");
    if (retryAfter != null) {
      b.header("Retry-After", retryAfter);
    }
    return b.build();
  }

  private long delay(ServicePolicies p, Outcome o, String method, int attempt, long deadline, Response r) {
    return p.retryDelay(o, method, attempt, now.get(), deadline, r, CallObserver.NOOP);
  }

  @Test
  void connectFailuresAreRetriedForEveryMethodOthersOnlyForIdempotentOnes() {
    ServicePolicies p = policies("retry.backoff", "10ms", "retry.jitter", "0");
    assertThat(delay(p, Outcome.CONNECT_ERROR, "POST", 0, Deadlines.NONE, null)).isEqualTo(10 * MS);
    assertThat(delay(p, Outcome.SERVER_ERROR, "POST", 0, Deadlines.NONE, response(503, null))).isEqualTo(-1);
    assertThat(delay(p, Outcome.TIMEOUT, "PATCH", 0, Deadlines.NONE, null)).isEqualTo(-1);
    assertThat(delay(p, Outcome.IO_ERROR, "PUT", 0, Deadlines.NONE, null)).isEqualTo(10 * MS);
    assertThat(delay(p, Outcome.SERVER_ERROR, "GET", 1, Deadlines.NONE, response(503, null))).isEqualTo(20 * MS);
    assertThat(delay(p, Outcome.SERVER_ERROR, "GET", 2, Deadlines.NONE, response(503, null))).isEqualTo(-1);
    ServicePolicies optIn = policies("retry.non-idempotent", "true");
    assertThat(delay(optIn, Outcome.SERVER_ERROR, "POST", 0, Deadlines.NONE, response(503, null))).isPositive();
    assertThat(p.isRetryableStatus(503)).isTrue();
    assertThat(p.isRetryableStatus(500)).isFalse();
  }

  @Test
  void retryAfterIsHonouredUpToTheMaxBackoff() {
    ServicePolicies p = policies("retry.backoff", "10ms", "retry.jitter", "0", "retry.max-backoff", "2s");
    assertThat(delay(p, Outcome.SERVER_ERROR, "GET", 0, Deadlines.NONE, response(503, "1"))).isEqualTo(1_000 * MS);
    assertThat(delay(p, Outcome.SERVER_ERROR, "GET", 0, Deadlines.NONE, response(503, "5"))).isEqualTo(-1);
    assertThat(delay(p, Outcome.SERVER_ERROR, "GET", 0, Deadlines.NONE, response(503, "soon"))).isEqualTo(10 * MS);
  }

  @Test
  void noRetryWhenTheRemainingDeadlineCannotFitAnotherAttempt() {
    ServicePolicies p = policies("retry.backoff", "10ms", "retry.jitter", "0", "timeout.per-attempt", "200ms");
    assertThat(delay(p, Outcome.SERVER_ERROR, "GET", 0, now.get() + 209 * MS, response(503, null))).isEqualTo(-1);
    assertThat(delay(p, Outcome.SERVER_ERROR, "GET", 0, now.get() + 210 * MS, response(503, null)))
        .isEqualTo(10 * MS);
    assertThat(p.deadlineExceeded()).isEqualTo(1);
  }

  @Test
  void deadlineIsTheEarliestOfThreadHeaderAndCallTimeout() {
    ServicePolicies p = policies("timeout.call", "300ms");
    assertThat(p.deadline(now.get(), null)).isEqualTo(now.get() + 300 * MS);
    assertThat(p.deadline(now.get(), "120")).isEqualTo(now.get() + 120 * MS);
    try (Deadlines.Scope s = Deadlines.withRemaining(50, now::get)) {
      assertThat(p.deadline(now.get(), "120")).isEqualTo(now.get() + 50 * MS);
    }
    assertThat(policies().deadline(now.get(), null)).isEqualTo(Deadlines.NONE);
  }

  @Test
  void hugeDeadlineAndRetryAfterHeadersDoNotOverflowIntoRejections() {
    ServicePolicies p = policies();
    assertThat(p.deadline(now.get(), "999999999999999999")).isEqualTo(Deadlines.NONE); // 18 digits
    assertThat(p.deadline(now.get(), "99999999999999")).isEqualTo(Deadlines.NONE); // 14 digits
    ServicePolicies r = policies("retry.backoff", "10ms", "retry.jitter", "0", "retry.max-backoff", "2s");
    // a Retry-After beyond the max backoff means "not worth waiting": no retry, never "retry now"
    assertThat(delay(r, Outcome.SERVER_ERROR, "GET", 0, Deadlines.NONE, response(503, "999999999999999999")))
        .isEqualTo(-1);
  }

  @Test
  void admissionRefusesAnExpiredDeadlineAndAnOpenBreakerWithoutHoldingAnything() throws Exception {
    ServicePolicies p = policies("breaker.window-size", "2", "breaker.minimum-calls", "2",
        "bulkhead.max-concurrent-calls", "1");
    assertThatThrownBy(() -> p.admit(now.get(), now.get(), CallObserver.NOOP))
        .isInstanceOf(DeadlineExceededException.class);
    for (int i = 0; i < 2; i++) {
      int held = p.admit(now.get(), Deadlines.NONE, CallObserver.NOOP);
      assertThat(held).isEqualTo(ServicePolicies.HELD_BULKHEAD | ServicePolicies.HELD_BREAKER);
      p.release(held, MS, Outcome.SERVER_ERROR, 1);
    }
    assertThat(p.breakerState()).isEqualTo("OPEN");
    assertThatThrownBy(() -> p.admit(now.get(), Deadlines.NONE, CallObserver.NOOP))
        .isInstanceOf(CircuitOpenException.class)
        .hasMessage("circuit breaker of service 'svc' is OPEN and does not permit further calls");
    // the refused call gave its bulkhead slot back: with max 1, this would otherwise be BulkheadFullException
    assertThatThrownBy(() -> p.admit(now.get(), Deadlines.NONE, CallObserver.NOOP))
        .isInstanceOf(CircuitOpenException.class);
    assertThat(p.breakerRejections()).isEqualTo(2);
    assertThat(p.bulkheadRejections()).isZero();
  }
}
