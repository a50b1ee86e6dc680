package io.meshsdk.core.internal.resilience;

import static io.meshsdk.core.internal.resilience.ServiceBreaker.FIELD_BITS;
import static io.meshsdk.core.internal.resilience.ServiceBreaker.FIELD_MASK;
import static io.meshsdk.core.internal.resilience.ServiceBreaker.REFUSED;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.config.ServiceConfig;
import io.meshsdk.core.observe.Outcome;
import io.meshsdk.core.resilience.BreakerConfig;
import io.meshsdk.core.resilience.BreakerState;
import io.meshsdk.core.resilience.Deadlines;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** Every transition and threshold of {@link ServiceBreaker} on a fake ticker, its concurrency and its allocation. */
class ServiceBreakerTest {

  private static final long MS = 1_000_000L;
  private static final long OPEN_WAIT = 10_000 * MS;
  private static final long FAST = MS;

  private final AtomicLong now = new AtomicLong(5_000_000 * MS);
  private final List<BreakerState> changes = new CopyOnWriteArrayList<>();

  private ServiceBreaker breaker(BreakerConfig.Builder b) {
    return new ServiceBreaker("svc", b.build(), now::get, changes::add);
  }

  /** Window 10, 5 calls minimum, 50 % failures, slow at 100 % (off in practice), 3 trials, 10 s open. */
  private static BreakerConfig.Builder config() {
    return BreakerConfig.builder().windowSize(10).minimumCalls(5).failureRateThreshold(50)
        .slowCallDuration(Duration.ofMillis(100)).openWait(Duration.ofMillis(OPEN_WAIT / MS)).halfOpenCalls(3);
  }

  private void call(ServiceBreaker b, boolean failed) {
    call(b, failed, FAST);
  }

  private void call(ServiceBreaker b, boolean failed, long durationNanos) {
    int permit = b.tryAcquire(now.get());
    assertThat(permit).as("permitted").isNotEqualTo(REFUSED);
    b.onResult(permit, durationNanos, failed);
  }

  private static long calls(long counts) {
    return counts & FIELD_MASK;
  }

  private static long failed(long counts) {
    return (counts >>> FIELD_BITS) & FIELD_MASK;
  }

  private static long slow(long counts) {
    return (counts >>> (2 * FIELD_BITS)) & FIELD_MASK;
  }

  /** Trips from CLOSED; the breaker is OPEN afterwards. */
  private ServiceBreaker opened(BreakerConfig.Builder config) {
    ServiceBreaker b = breaker(config);
    for (int i = 0; i < 5; i++) {
      call(b, true);
    }
    assertThat(b.state()).isEqualTo(BreakerState.OPEN);
    return b;
  }

  @Test
  void opensWhenTheFailureRateReachesTheThresholdOnceMinimumCallsWereSeen() {
    ServiceBreaker b = breaker(config());
    long created = now.get();
    call(b, true);
    call(b, true);
    call(b, false);
    call(b, true); // 3 of 4 failed, but 4 < minimum calls
    assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
    assertThat(b.failureRate()).isEqualTo(-1f);
    now.addAndGet(MS);
    call(b, false); // 3 of 5 = 60 %
    assertThat(b.state()).isEqualTo(BreakerState.OPEN);
    assertThat(changes).containsExactly(BreakerState.OPEN);
    assertThat(b.sinceNanos()).isEqualTo(created + MS);
    assertThat(b.nextTrialNanos()).isEqualTo(created + MS + OPEN_WAIT);
    assertThat(b.failureRate()).as("the calls that opened it").isEqualTo(60f);
    assertThat(b.slowCallRate()).isEqualTo(0f);
  }

  @Test
  void theFailureThresholdIsReachedAtEquality() {
    ServiceBreaker b = breaker(config());
    for (boolean failed : new boolean[] {true, false, true, false, false}) {
      call(b, failed); // 2 of 5 = 40 %
    }
    assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
    assertThat(b.failureRate()).isEqualTo(40f);
    call(b, true); // 3 of 6 = 50 %
    assertThat(b.state()).isEqualTo(BreakerState.OPEN);
  }

  @Test
  void aWindowSmallerThanMinimumCallsNeedsOnlyTheWindow() {
    // the config refuses minimum-calls > window-size; the breaker still caps it, like resilience4j
    ServiceBreaker b = breaker(BreakerConfig.builder().windowSize(5).minimumCalls(5).failureRateThreshold(100));
    for (int i = 0; i < 4; i++) {
      call(b, true);
    }
    assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
    call(b, true);
    assertThat(b.state()).isEqualTo(BreakerState.OPEN);
  }

  @Test
  void slowCallsOpenTheBreakerAtTheirOwnThreshold() {
    ServiceBreaker b = breaker(config().slowCallRateThreshold(60).failureRateThreshold(100));
    long slow = 100 * MS; // exactly slow-call-duration: "at least this long is slow"
    call(b, false, slow);
    call(b, false, slow - 1);
    call(b, true, slow); // a slow failure is both
    call(b, false, FAST);
    assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
    call(b, false, 5 * slow); // 3 slow of 5 = 60 %
    assertThat(b.state()).isEqualTo(BreakerState.OPEN);
    assertThat(b.slowCallRate()).isEqualTo(60f);
    assertThat(b.failureRate()).isEqualTo(20f);
  }

  @Test
  void oldOutcomesLeaveTheWindowAsItRollsOver() {
    ServiceBreaker b = breaker(BreakerConfig.builder().windowSize(4).minimumCalls(4).failureRateThreshold(75)
        .slowCallDuration(Duration.ofMillis(100)).slowCallRateThreshold(100));
    call(b, true);
    call(b, true, 200 * MS);
    call(b, false);
    call(b, false); // F F(slow) S S: 50 %
    assertThat(b.counts()).satisfies(c -> {
      assertThat(calls(c)).isEqualTo(4);
      assertThat(failed(c)).isEqualTo(2);
      assertThat(slow(c)).isEqualTo(1);
    });
    call(b, false);
    call(b, false); // the two failures left: S S S S
    assertThat(failed(b.counts())).isZero();
    assertThat(slow(b.counts())).isZero();
    assertThat(calls(b.counts())).isEqualTo(4);
    call(b, true);
    call(b, true); // F F S S again: 50 %
    assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
    call(b, true); // F F F S: 75 %
    assertThat(b.state()).isEqualTo(BreakerState.OPEN);
  }

  @Test
  void openRefusesUntilOpenWaitIsOverThenTheNextRequestIsATrial() {
    ServiceBreaker b = opened(config());
    long opened = b.sinceNanos();
    now.addAndGet(OPEN_WAIT - 1);
    assertThat(b.tryAcquire(now.get())).isEqualTo(REFUSED);
    assertThat(b.state()).isEqualTo(BreakerState.OPEN);
    now.addAndGet(1);
    assertThat(b.tryAcquire(now.get())).isNotEqualTo(REFUSED);
    assertThat(b.state()).isEqualTo(BreakerState.HALF_OPEN);
    assertThat(b.sinceNanos()).isEqualTo(opened + OPEN_WAIT);
    assertThat(b.nextTrialNanos()).isZero();
    assertThat(b.trialPermitsLeft()).isEqualTo(2);
    assertThat(changes).containsExactly(BreakerState.OPEN, BreakerState.HALF_OPEN);
  }

  @Test
  void halfOpenClosesWhenEveryTrialSucceededAndStartsAnEmptyWindow() {
    ServiceBreaker b = opened(config());
    now.addAndGet(OPEN_WAIT);
    int[] trials = {b.tryAcquire(now.get()), b.tryAcquire(now.get()), b.tryAcquire(now.get())};
    assertThat(trials).doesNotContain(REFUSED);
    assertThat(b.tryAcquire(now.get())).as("no fourth trial").isEqualTo(REFUSED);
    b.onResult(trials[0], FAST, false);
    b.onResult(trials[1], FAST, false);
    assertThat(b.state()).as("waits for every trial").isEqualTo(BreakerState.HALF_OPEN);
    assertThat(b.failureRate()).isEqualTo(-1f);
    b.onResult(trials[2], FAST, false);
    assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
    assertThat(b.counts()).isZero();
    assertThat(b.failureRate()).isEqualTo(-1f);
    assertThat(changes).containsExactly(BreakerState.OPEN, BreakerState.HALF_OPEN, BreakerState.CLOSED);
    for (int i = 0; i < 4; i++) {
      call(b, true); // a fresh window: 4 failures are below minimum calls again
    }
    assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
  }

  @Test
  void halfOpenOpensAgainWhenTheTrialsFailureRateReachesTheThreshold() {
    ServiceBreaker b = opened(config().failureRateThreshold(60));
    now.addAndGet(OPEN_WAIT);
    call(b, true);
    call(b, false);
    assertThat(b.state()).isEqualTo(BreakerState.HALF_OPEN);
    now.addAndGet(MS);
    call(b, true); // 2 of 3 = 66.7 %
    assertThat(b.state()).isEqualTo(BreakerState.OPEN);
    assertThat(b.sinceNanos()).isEqualTo(now.get());
    assertThat(b.nextTrialNanos()).isEqualTo(now.get() + OPEN_WAIT);
    assertThat(b.failureRate()).isCloseTo(66.67f, org.assertj.core.data.Offset.offset(0.01f));
    assertThat(changes).containsExactly(BreakerState.OPEN, BreakerState.HALF_OPEN, BreakerState.OPEN);
  }

  @Test
  void halfOpenOpensAgainWhenTheTrialsAreSlow() {
    ServiceBreaker b = opened(config().slowCallRateThreshold(50));
    now.addAndGet(OPEN_WAIT);
    call(b, false, 100 * MS);
    call(b, false, FAST);
    call(b, false, 300 * MS); // 2 of 3 slow
    assertThat(b.state()).isEqualTo(BreakerState.OPEN);
    assertThat(b.slowCallRate()).isCloseTo(66.67f, org.assertj.core.data.Offset.offset(0.01f));
  }

  @Test
  void aTrialThatLearnedNothingGivesItsPermitBack() {
    ServiceBreaker b = opened(config());
    now.addAndGet(OPEN_WAIT);
    int a = b.tryAcquire(now.get());
    int c = b.tryAcquire(now.get());
    int d = b.tryAcquire(now.get());
    assertThat(b.tryAcquire(now.get())).isEqualTo(REFUSED);
    b.releasePermit(d);
    assertThat(b.trialPermitsLeft()).isEqualTo(1);
    int e = b.tryAcquire(now.get());
    assertThat(e).isNotEqualTo(REFUSED);
    b.onResult(a, FAST, false);
    b.onResult(c, FAST, false);
    assertThat(b.state()).isEqualTo(BreakerState.HALF_OPEN);
    b.onResult(e, FAST, false);
    assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
  }

  @Test
  void releasingAClosedPermitIsANoOp() {
    ServiceBreaker b = breaker(config());
    int p = b.tryAcquire(now.get());
    b.releasePermit(p);
    assertThat(b.counts()).isZero();
    assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
    assertThat(changes).isEmpty();
  }

  @Test
  void aTrialThatNeverReportsDoesNotHoldHalfOpenForEver() {
    ServiceBreaker b = opened(config());
    now.addAndGet(OPEN_WAIT);
    long halfOpened = now.get();
    int a = b.tryAcquire(now.get());
    int c = b.tryAcquire(now.get());
    int lost = b.tryAcquire(now.get()); // its body is never closed
    b.onResult(a, FAST, false);
    b.onResult(c, FAST, false);
    now.addAndGet(OPEN_WAIT - 1);
    assertThat(b.tryAcquire(now.get())).isEqualTo(REFUSED);
    assertThat(b.state()).isEqualTo(BreakerState.HALF_OPEN);
    now.addAndGet(1);
    assertThat(b.tryAcquire(now.get())).isEqualTo(REFUSED);
    assertThat(b.state()).isEqualTo(BreakerState.OPEN);
    assertThat(b.sinceNanos()).isEqualTo(halfOpened + OPEN_WAIT);
    assertThat(b.failureRate()).as("2 of 3 trials reported").isEqualTo(-1f);
    b.onResult(lost, FAST, false); // too late: it belonged to the half-open state given up
    assertThat(b.state()).isEqualTo(BreakerState.OPEN);
    now.addAndGet(OPEN_WAIT);
    assertThat(b.tryAcquire(now.get())).isNotEqualTo(REFUSED);
    assertThat(b.trialPermitsLeft()).as("a fresh set of trials").isEqualTo(2);
    assertThat(changes).containsExactly(BreakerState.OPEN, BreakerState.HALF_OPEN, BreakerState.OPEN,
        BreakerState.HALF_OPEN);
  }

  @Test
  void aHalfOpenBreakerWithTrialsLeftStillGrantsThemAfterOpenWait() {
    ServiceBreaker b = opened(config());
    now.addAndGet(OPEN_WAIT);
    call(b, false);
    now.addAndGet(3 * OPEN_WAIT); // a quiet service: nothing is stuck, the trials simply have not come
    call(b, false);
    call(b, false);
    assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
  }

  @Test
  void aCallAdmittedUnderAnEarlierStateRecordsNothing() {
    ServiceBreaker b = breaker(config());
    int closedEarly = b.tryAcquire(now.get());
    int closedLate = b.tryAcquire(now.get());
    for (int i = 0; i < 5; i++) {
      call(b, true);
    }
    assertThat(b.state()).isEqualTo(BreakerState.OPEN);
    b.onResult(closedEarly, FAST, true); // ends while open: counts nowhere
    assertThat(failed(b.counts())).isEqualTo(5);
    now.addAndGet(OPEN_WAIT);
    int trial = b.tryAcquire(now.get());
    b.onResult(closedLate, FAST, false); // ends while half-open: not a trial
    b.releasePermit(closedLate); // nor does it return a trial permit it never took
    assertThat(b.counts()).isZero();
    assertThat(b.trialPermitsLeft()).isEqualTo(2);
    b.onResult(trial, FAST, false);
    call(b, false);
    int staleTrial = b.tryAcquire(now.get());
    b.releasePermit(staleTrial);
    call(b, false);
    assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
    b.onResult(staleTrial, FAST, true); // an old trial's late report does not reach the fresh window
    assertThat(b.counts()).isZero();
  }

  @Test
  void policiesCarryThePermitFromAdmitToRelease() throws Exception {
    List<BreakerState> seen = new CopyOnWriteArrayList<>();
    ServiceConfig.Builder cfg = ServiceConfig.builder();
    for (String[] kv : new String[][] {{"breaker.window-size", "4"}, {"breaker.minimum-calls", "4"},
        {"breaker.half-open-calls", "2"}, {"breaker.open-wait", "10s"}}) {
      cfg.set(kv[0], kv[1]);
    }
    ServicePolicies p = new ServicePolicies("svc", cfg.build().resilience(), now::get, seen::add);
    for (int i = 0; i < 4; i++) {
      p.release(p.admit(now.get(), Deadlines.NONE), FAST, Outcome.SERVER_ERROR, 1);
    }
    assertThat(p.breakerState()).isEqualTo(BreakerState.OPEN);
    assertThat(p.breakerFailureRate()).isEqualTo(100f);
    now.addAndGet(OPEN_WAIT);
    int first = p.admit(now.get(), Deadlines.NONE);
    int second = p.admit(now.get(), Deadlines.NONE);
    assertThat(p.breakerState()).isEqualTo(BreakerState.HALF_OPEN);
    p.release(second, 0, Outcome.CANCELLED, 1); // learned nothing: the trial permit comes back
    int third = p.admit(now.get(), Deadlines.NONE);
    p.release(first, FAST, Outcome.SUCCESS, 1);
    assertThat(p.breakerState()).isEqualTo(BreakerState.HALF_OPEN);
    p.release(third, FAST, Outcome.CLIENT_ERROR, 1); // a 4xx is the caller's problem
    assertThat(p.breakerState()).isEqualTo(BreakerState.CLOSED);
    assertThat(seen).containsExactly(BreakerState.OPEN, BreakerState.HALF_OPEN, BreakerState.CLOSED);
  }

  @Test
  void aDisabledBreakerIsNeverAsked() throws Exception {
    ServicePolicies p = new ServicePolicies("svc", ServiceConfig.builder().set("breaker.enabled", "false").build()
        .resilience(), now::get, changes::add);
    int held = p.admit(now.get(), Deadlines.NONE);
    assertThat(held & ServicePolicies.HELD_BREAKER).isZero();
    p.release(held, FAST, Outcome.SERVER_ERROR, 1);
    assertThat(p.breakerState()).isEqualTo(BreakerState.DISABLED);
    assertThat(p.breakerFailureRate()).isEqualTo(-1f);
    assertThat(p.breakerNextTrialNanos()).isZero();
    assertThat(changes).isEmpty();
  }

  /**
   * 8 threads × 100,000 permission requests and records with a fixed seed, on a ticker they move forward, failure
   * shares that switch between 60 % and 5 % so the breaker goes round its states: the counts stay within the
   * window, the half-open accounting within its trials, every change is reported once, and at rest the window
   * counts equal its slots.
   */
  @Test
  void concurrentRecordsKeepTheCountsAndTheStateMachineConsistent() throws Exception {
    int window = 64;
    int trials = 8;
    BreakerConfig config = BreakerConfig.builder().windowSize(window).minimumCalls(16)
        .failureRateThreshold(50).slowCallRateThreshold(80).slowCallDuration(Duration.ofMillis(10))
        .openWait(Duration.ofMillis(100)).halfOpenCalls(trials).build();
    ConcurrentLinkedQueue<BreakerState> reports = new ConcurrentLinkedQueue<>();
    ServiceBreaker observed = new ServiceBreaker("svc", config, now::get, reports::add);
    int threads = 8;
    int perThread = 100_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<String>> results = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      long seed = 42L + t;
      results.add(pool.submit(() -> {
        Random random = new Random(seed);
        start.await();
        for (int i = 0; i < perThread; i++) {
          int percentFailing = (i / 5_000) % 2 == 0 ? 60 : 5;
          int permit = observed.tryAcquire(now.get());
          if (permit == REFUSED) {
            now.addAndGet(50_000); // 50 µs: open-wait passes after 2,000 refusals
            continue;
          }
          if (random.nextInt(100) < 5) {
            observed.releasePermit(permit);
          } else {
            long duration = random.nextInt(100) < 10 ? 20 * MS : FAST;
            observed.onResult(permit, duration, random.nextInt(100) < percentFailing);
          }
          if ((i & 31) == 0) {
            String broken = invariantsBroken(observed, window, trials);
            if (broken != null) {
              return broken;
            }
          }
        }
        return "";
      }));
    }
    start.countDown();
    for (Future<String> f : results) {
      assertThat(f.get(2, TimeUnit.MINUTES)).as("invariants while running").isEmpty();
    }
    pool.shutdown();

    assertThat(invariantsBroken(observed, window, trials)).isNull();
    List<BreakerState> changed = new ArrayList<>(reports);
    long opened = changed.stream().filter(s -> s == BreakerState.OPEN).count();
    long halfOpened = changed.stream().filter(s -> s == BreakerState.HALF_OPEN).count();
    long closed = changed.stream().filter(s -> s == BreakerState.CLOSED).count();
    assertThat(opened).as("the breaker went round its states").isGreaterThan(10);
    assertThat(changed).as("one report per state change").hasSize(observed.generation());
    assertThat(closed).isLessThanOrEqualTo(halfOpened);
    BreakerState end = observed.state();
    switch (end) {
      case OPEN -> assertThat(halfOpened).isEqualTo(opened - 1);
      case HALF_OPEN -> {
        assertThat(halfOpened).isEqualTo(opened);
        long t = observed.counts();
        assertThat(calls(t)).as("trials recorded").isLessThan(trials);
        assertThat(calls(t) + observed.trialPermitsLeft()).as("every trial permit recorded or given back")
            .isEqualTo(trials);
      }
      case CLOSED -> {
        assertThat(halfOpened).isEqualTo(opened);
        ServiceBreaker.Window w = java.util.Objects.requireNonNull(observed.window());
        long sum = 0;
        for (byte code : w.ring) {
          assertThat(code & ServiceBreaker.BUSY).as("no slot left claimed").isZero();
          sum += ServiceBreaker.weight(code);
        }
        assertThat(w.counts()).as("the counts are the sum of the slots").isEqualTo(sum);
      }
      default -> throw new AssertionError(end);
    }
  }

  /** Null when the counts of the current phase are within bounds (one phase read, so state and counts agree). */
  private static @Nullable String invariantsBroken(ServiceBreaker b, int window, int trials) {
    ServiceBreaker.Phase p = b.currentPhase();
    ServiceBreaker.Window w = p.window;
    long c = w != null ? w.counts() : p.state == BreakerState.HALF_OPEN ? p.trials : p.frozenCounts;
    int bound = p.state == BreakerState.HALF_OPEN ? trials : window;
    if (calls(c) > bound || failed(c) > calls(c) || slow(c) > calls(c)) {
      return p.state + ": counts out of bounds: calls " + calls(c) + ", failed " + failed(c) + ", slow " + slow(c);
    }
    int left = p.permits;
    if (left < 0 || left > trials || (p.state == BreakerState.HALF_OPEN && calls(c) + left > trials)) {
      return "trial permits out of bounds: " + left + " left, " + calls(c) + " recorded";
    }
    return null;
  }

  @Test
  void admitAndReleaseAllocateNothing() throws Exception {
    assertThat(ManagementFactory.getThreadMXBean()).as("HotSpot's thread allocation counter")
        .isInstanceOf(com.sun.management.ThreadMXBean.class);
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assertThat(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled())
        .as("thread allocation counting is on").isTrue();
    ServicePolicies p = new ServicePolicies("svc", ServiceConfig.builder().build().resilience(), now::get,
        changes::add);
    ServiceBreaker b = breaker(BreakerConfig.builder().windowSize(100).minimumCalls(20)
        .slowCallDuration(Duration.ofMillis(10)).slowCallRateThreshold(50));
    for (int i = 0; i < 20_000; i++) { // warm up
      round(p, b, i);
    }
    long tid = Thread.currentThread().getId();
    long before = mx.getThreadAllocatedBytes(tid);
    for (int i = 0; i < 100_000; i++) {
      round(p, b, i);
    }
    long allocated = mx.getThreadAllocatedBytes(tid) - before;
    assertThat(allocated).as("bytes allocated by 100,000 admit + release and permit + record").isLessThan(4_096);
    assertThat(p.breakerState()).isEqualTo(BreakerState.CLOSED);
    assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
    assertThat(failed(b.counts())).as("the breaker saw failures and slow calls").isPositive();
    assertThat(slow(b.counts())).isPositive();
  }

  private void round(ServicePolicies p, ServiceBreaker b, int i) throws Exception {
    int held = p.admit(now.get(), Deadlines.NONE);
    p.release(p.releaseBulkhead(held), FAST, i % 7 == 0 ? Outcome.SERVER_ERROR : Outcome.SUCCESS, 1);
    int permit = b.tryAcquire(now.get());
    b.onResult(permit, i % 5 == 0 ? 20 * MS : FAST, i % 3 == 0);
  }
}
