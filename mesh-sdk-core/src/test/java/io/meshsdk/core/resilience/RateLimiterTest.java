package io.meshsdk.core.resilience;

import static io.meshsdk.core.resilience.RateLimiter.REFUSED;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;

/**
 * {@link RateLimiter} on a fake ticker: permits per cycle, the refresh at the boundary, reservations within the
 * wait and refusals past it, readings older than the current cycle, huge gaps and ticker wrap, no permit lost or
 * made under contention, the same decisions as resilience4j's {@code AtomicRateLimiter} over random schedules, and
 * no allocation.
 */
class RateLimiterTest {

  private static final long MS = 1_000_000L;
  private static final long SECOND = 1_000 * MS;
  /** An arbitrary ticker origin: only differences count. */
  private static final long START = 7_777_777_777L;

  /** {@code START + sinceStart}, wrapping past {@link Long#MAX_VALUE} as a ticker does. */
  private static long at(long sinceStart) {
    return START + sinceStart;
  }

  private static RateLimiter limiter(int permits, long periodNanos, long maxWaitNanos) {
    return new RateLimiter(permits, Duration.ofNanos(periodNanos), Duration.ofNanos(maxWaitNanos), START);
  }

  @Test
  void exactlyThePermitsOfACycleThenRefusalsThatTakeNothing() {
    RateLimiter rl = limiter(3, SECOND, 0);
    for (int i = 0; i < 3; i++) {
      assertThat(rl.acquire(START + i * MS)).as("permit %d", i).isZero();
    }
    assertThat(rl.acquire(START + 5 * MS)).isEqualTo(REFUSED);
    assertThat(rl.acquire(START + SECOND - 1)).as("last nanosecond of the cycle").isEqualTo(REFUSED);
    assertThat(rl.taken()).as("refusals take nothing").isEqualTo(3);
    assertThat(rl.cycle()).isZero();
  }

  @Test
  void permitsRefreshExactlyAtTheCycleBoundaryAndUnusedOnesAreGone() {
    RateLimiter rl = limiter(2, SECOND, 0);
    assertThat(rl.acquire(START)).isZero();
    assertThat(rl.available(START + SECOND - 1)).isEqualTo(1);
    assertThat(rl.available(START + SECOND)).as("a fresh cycle: never more than the permits").isEqualTo(2);
    assertThat(rl.acquire(START + SECOND)).isZero();
    assertThat(rl.acquire(START + SECOND)).isZero();
    assertThat(rl.acquire(START + 2 * SECOND - 1)).isEqualTo(REFUSED);
    assertThat(rl.acquire(START + 2 * SECOND)).isZero();
    // ten idle cycles accumulate nothing
    long later = START + 12 * SECOND + 3 * MS;
    assertThat(rl.available(later)).isEqualTo(2);
    assertThat(rl.acquire(later)).isZero();
    assertThat(rl.acquire(later)).isZero();
    assertThat(rl.acquire(later)).isEqualTo(REFUSED);
    assertThat(rl.cycle()).isEqualTo(12);
  }

  @Test
  void cyclesAreAlignedToTheLimitersStartNotToTheFirstCall() {
    RateLimiter rl = limiter(1, SECOND, 0);
    assertThat(rl.acquire(START + 900 * MS)).isZero();
    assertThat(rl.acquire(START + SECOND)).as("a new cycle 100 ms after the first call").isZero();
  }

  @Test
  void aCallerMayReserveAPermitOfAComingCycleWithinTheWait() {
    long period = 100 * MS;
    RateLimiter rl = limiter(2, period, 250 * MS);
    long t = START + 30 * MS;
    assertThat(rl.acquire(t)).isZero();
    assertThat(rl.acquire(t)).isZero();
    assertThat(rl.acquire(t)).as("cycle 1 starts in 70 ms").isEqualTo(70 * MS);
    assertThat(rl.acquire(t)).isEqualTo(70 * MS);
    assertThat(rl.acquire(t)).as("cycle 2").isEqualTo(170 * MS);
    assertThat(rl.acquire(t)).isEqualTo(170 * MS);
    assertThat(rl.acquire(t)).as("cycle 3 starts in 270 ms > 250").isEqualTo(REFUSED);
    assertThat(rl.taken()).as("the refusal reserved nothing").isEqualTo(6);
    // in cycle 1 its two permits are already reserved, and so are cycle 2's
    long t1 = START + period + 10 * MS;
    assertThat(rl.available(t1)).isZero();
    assertThat(rl.acquire(t1)).as("cycle 3, 190 ms away").isEqualTo(190 * MS);
    assertThat(rl.acquire(t1)).isEqualTo(190 * MS);
    assertThat(rl.acquire(t1)).as("cycle 4, 290 ms away").isEqualTo(REFUSED);
    // once the reserved cycles have passed, the limiter is back to its permits per cycle
    long t5 = START + 5 * period;
    assertThat(rl.available(t5)).isEqualTo(2);
  }

  @Test
  void aWaitOfExactlyTheMaxWaitIsAllowedOneNanosecondMoreIsNot() {
    long period = 100 * MS;
    RateLimiter exact = limiter(1, period, 60 * MS);
    assertThat(exact.acquire(START + 40 * MS)).isZero();
    assertThat(exact.acquire(START + 40 * MS)).isEqualTo(60 * MS);
    RateLimiter shorter = limiter(1, period, 60 * MS - 1);
    assertThat(shorter.acquire(START + 40 * MS)).isZero();
    assertThat(shorter.acquire(START + 40 * MS)).isEqualTo(REFUSED);
  }

  @Test
  void theCallersOwnBoundShortensTheWaitAndARefusalReservesNothing() {
    RateLimiter rl = limiter(1, 100 * MS, SECOND);
    assertThat(rl.acquire(START)).isZero();
    assertThat(rl.acquire(START, 99 * MS)).as("a deadline 99 ms away").isEqualTo(REFUSED);
    assertThat(rl.acquire(START, 0)).isEqualTo(REFUSED);
    assertThat(rl.taken()).isEqualTo(1);
    assertThat(rl.acquire(START, 100 * MS)).isEqualTo(100 * MS);
    assertThat(rl.acquire(START)).as("the configured wait").isEqualTo(200 * MS);
  }

  @Test
  void aReadingOlderThanTheCurrentCycleCountsAsItsStart() {
    RateLimiter rl = limiter(2, SECOND, 0);
    assertThat(rl.acquire(START + SECOND)).isZero(); // moves the limiter to cycle 1
    // a caller that read the ticker just before the boundary arrives afterwards
    assertThat(rl.acquire(START + SECOND - 1)).as("cycle 1 still has a permit").isZero();
    assertThat(rl.cycle()).as("never moved back").isEqualTo(1);
    assertThat(rl.acquire(START + SECOND - 1)).isEqualTo(REFUSED);
    assertThat(rl.acquire(START + SECOND + 1)).isEqualTo(REFUSED);
    // with a wait allowed, the stale caller's wait is measured from the start of the current cycle
    RateLimiter waiting = limiter(1, SECOND, 2 * SECOND);
    assertThat(waiting.acquire(START + SECOND + 300 * MS)).isZero();
    assertThat(waiting.acquire(START + 900 * MS)).isEqualTo(SECOND);
    // a reading from before the limiter was built counts as its first cycle
    RateLimiter fresh = limiter(1, SECOND, 0);
    assertThat(fresh.acquire(START - 5 * SECOND)).isZero();
    assertThat(fresh.acquire(START)).isEqualTo(REFUSED);
    assertThat(fresh.cycle()).isZero();
  }

  @Test
  void moreThanTwoToThe32CyclesBetweenCallsStillRefreshExactly() {
    // 1 ns cycles: the stored 32 bits of the cycle wrap every 4.3 s of idleness
    RateLimiter rl = limiter(3, 1, 0);
    for (int i = 0; i < 3; i++) {
      assertThat(rl.acquire(START)).isZero();
    }
    assertThat(rl.acquire(START)).isEqualTo(REFUSED);
    for (long gap : new long[] {1L << 32, (1L << 32) + 1, 3L << 32, (1L << 33) - 1, 1L << 40, 1L << 62}) {
      RateLimiter r = limiter(3, 1, 0);
      for (int i = 0; i < 3; i++) {
        r.acquire(START);
      }
      assertThat(r.acquire(START + gap)).as("after %d cycles", gap).isZero();
      assertThat(r.acquire(START + gap)).isZero();
      assertThat(r.acquire(START + gap)).isZero();
      assertThat(r.acquire(START + gap)).as("after %d cycles, the fourth", gap).isEqualTo(REFUSED);
      assertThat(r.cycle()).isEqualTo(gap);
    }
  }

  @Test
  void theLongEdges() {
    // the ticker wraps from Long.MAX_VALUE to Long.MIN_VALUE: only differences count
    long nearTop = Long.MAX_VALUE - 10;
    RateLimiter wrapped = new RateLimiter(1, Duration.ofNanos(15), Duration.ZERO, nearTop);
    assertThat(wrapped.acquire(nearTop)).isZero();
    assertThat(wrapped.acquire(nearTop + 14)).as("wraps to a negative reading, still cycle 0").isEqualTo(REFUSED);
    assertThat(wrapped.acquire(nearTop + 15)).isZero();
    assertThat(wrapped.cycle()).isEqualTo(1);
    // the largest elapsed time, 1 ns cycles: cycle Long.MAX_VALUE
    RateLimiter last = limiter(2, 1, 0);
    assertThat(last.acquire(at(Long.MAX_VALUE))).isZero();
    assertThat(last.cycle()).isEqualTo(Long.MAX_VALUE);
    // the most permits per cycle, and a wait so long that cycles * period overflows: refused, not wrapped
    RateLimiter big = new RateLimiter(Integer.MAX_VALUE, Duration.ofDays(365 * 200), Duration.ofDays(365 * 250),
        START);
    assertThat(big.acquire(START)).isZero();
    assertThat(big.available(START)).isEqualTo(Integer.MAX_VALUE - 1);
    RateLimiter huge = new RateLimiter(1, Duration.ofNanos(Long.MAX_VALUE / 2), Duration.ofDays(365 * 1000),
        START);
    assertThat(huge.acquire(START)).isZero();
    assertThat(huge.acquire(START)).isEqualTo(Long.MAX_VALUE / 2);
    assertThat(huge.acquire(START)).isEqualTo(Long.MAX_VALUE - 1);
    assertThat(huge.acquire(START)).as("three cycles ahead: more than Long.MAX_VALUE ns").isEqualTo(REFUSED);
    // a period of centuries (saturated) never refreshes within the test
    RateLimiter centuries = new RateLimiter(1, Duration.ofDays(365L * 1_000_000), Duration.ZERO, START);
    assertThat(centuries.acquire(START)).isZero();
    assertThat(centuries.acquire(at(Long.MAX_VALUE - 1))).isEqualTo(REFUSED);
  }

  @Test
  void aNewerStateWithAnOlderHintIsNeverMisread() throws Exception {
    // one permit per cycle and a shared clock that crosses a cycle boundary every other attempt, so a new cycle is
    // installed all the time while other threads read the limiter. A reader that paired an old hint with the newer
    // state would place that state 2^32 cycles back, forget the permit already taken (or move the cycle back) and
    // grant it again; whatever the interleaving, a correct limiter grants at most one permit per cycle elapsed.
    int threads = 4;
    int attempts = 500_000;
    long period = 1_000;
    RateLimiter rl = limiter(1, period, 0);
    AtomicLong clock = new AtomicLong(START);
    AtomicLong granted = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(pool.submit(() -> {
          for (int i = 0; i < attempts; i++) {
            if (rl.acquire(clock.getAndAdd(period / 2)) == 0) {
              granted.incrementAndGet();
            }
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(2, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    long cycles = (clock.get() - START) / period + 1;
    assertThat(granted.get()).as("permits granted over %d cycles of one permit", cycles).isLessThanOrEqualTo(cycles)
        .isGreaterThan(cycles / 2);
  }

  @Test
  void noPermitLostOrMadeUnderContention() throws Exception {
    int threads = 4;
    int perRound = 400; // attempts per thread per cycle, far more than the permits
    int rounds = 200;
    int permits = 37;
    long period = 10 * MS;
    RateLimiter rl = limiter(permits, period, 0);
    AtomicLong clock = new AtomicLong(START);
    AtomicLongArray grantedPerRound = new AtomicLongArray(rounds);
    CyclicBarrier barrier = new CyclicBarrier(threads, () -> clock.addAndGet(period)); // the next cycle
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        long seed = 42L + t;
        done.add(pool.submit(() -> {
          Random random = new Random(seed);
          long previous = START;
          for (int r = 0; r < rounds; r++) {
            long now = clock.get();
            for (int i = 0; i < perRound; i++) {
              // a third of the attempts carry a reading of the previous cycle (read before the boundary)
              long reading = (random.nextInt(3) == 0 ? previous : now) + random.nextInt((int) period);
              if (rl.acquire(reading) == 0) {
                grantedPerRound.incrementAndGet(r);
              }
            }
            previous = now;
            barrier.await(30, TimeUnit.SECONDS);
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(2, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    long total = 0;
    for (int r = 0; r < rounds; r++) {
      assertThat(grantedPerRound.get(r)).as("permits granted in cycle %d", r).isEqualTo(permits);
      total += grantedPerRound.get(r);
    }
    assertThat(total).isEqualTo((long) permits * rounds);
  }

  @Test
  void reservationsUnderContentionFillEachComingCycleExactly() throws Exception {
    int threads = 4;
    int permits = 50;
    long period = 10 * MS;
    int cyclesAhead = 3;
    RateLimiter rl = limiter(permits, period, cyclesAhead * period);
    AtomicLongArray grantedPerCycle = new AtomicLongArray(cyclesAhead + 2);
    AtomicLong refused = new AtomicLong();
    int perThread = 500;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      CyclicBarrier start = new CyclicBarrier(threads);
      for (int t = 0; t < threads; t++) {
        done.add(pool.submit(() -> {
          start.await(30, TimeUnit.SECONDS);
          for (int i = 0; i < perThread; i++) {
            long wait = rl.acquire(START);
            if (wait == REFUSED) {
              refused.incrementAndGet();
            } else {
              assertThat(wait % period).as("a reservation waits for a cycle's start").isZero();
              grantedPerCycle.incrementAndGet((int) (wait / period));
            }
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(2, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    for (int c = 0; c <= cyclesAhead; c++) {
      assertThat(grantedPerCycle.get(c)).as("permits of cycle %d", c).isEqualTo(permits);
    }
    assertThat(grantedPerCycle.get(cyclesAhead + 1)).isZero();
    assertThat(refused.get()).isEqualTo((long) threads * perThread - (long) permits * (cyclesAhead + 1));
  }

  /**
   * The same schedule against resilience4j's {@code AtomicRateLimiter} (what {@code rate-limit.*} used before,
   * docs/adr/0024) on the same clock: its {@code reservePermission} answers 0, the nanoseconds to wait or -1, as
   * {@link RateLimiter#acquire(long)} does.
   */
  @Test
  void decidesAsResilience4jsAtomicRateLimiterOnRandomSchedules() {
    Random random = new Random(2026);
    long compared = 0;
    for (int run = 0; run < 300; run++) {
      int permits = 1 + random.nextInt(6);
      long period = switch (random.nextInt(4)) {
        case 0 -> 1 + random.nextInt(50); // nanosecond cycles: many cycles per step
        case 1 -> MS + random.nextInt(1_000_000);
        default -> 10 * MS + random.nextInt(990) * MS;
      };
      long maxWait = switch (random.nextInt(4)) {
        case 0 -> 0;
        case 1 -> period / 2;
        case 2 -> period;
        default -> (long) (period * (1 + random.nextDouble() * 3));
      };
      long origin = START + random.nextInt(1_000_000);
      long[] clock = {origin};
      AtomicRateLimiter theirs = new AtomicRateLimiter("r4j", RateLimiterConfig.custom()
          .limitForPeriod(permits).limitRefreshPeriod(Duration.ofNanos(period))
          .timeoutDuration(Duration.ofNanos(maxWait)).build(), () -> clock[0]);
      RateLimiter ours = new RateLimiter(permits, Duration.ofNanos(period), Duration.ofNanos(maxWait), clock[0]);
      for (int step = 0; step < 400; step++) {
        int move = random.nextInt(10);
        if (move < 5) {
          clock[0] += random.nextInt((int) Math.min(Integer.MAX_VALUE, Math.max(1, period / permits)));
        } else if (move < 8) {
          clock[0] += (long) (random.nextDouble() * 3 * period);
        } else if (move == 8) {
          clock[0] += period - Math.floorMod(clock[0] - origin, period); // exactly the next boundary
        } // else: no time passes
        long expected = theirs.reservePermission();
        long actual = ours.acquire(clock[0]);
        assertThat(actual).as("run %d step %d: %d per %d ns, max wait %d ns, at %d", run, step, permits, period,
            maxWait, clock[0]).isEqualTo(expected);
        compared++;
      }
    }
    assertThat(compared).isEqualTo(300 * 400);
  }

  @Test
  void acquiringAndRefusingAllocateNothing() {
    assertThat(ManagementFactory.getThreadMXBean()).as("HotSpot's thread allocation counter")
        .isInstanceOf(com.sun.management.ThreadMXBean.class);
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assertThat(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled())
        .as("thread allocation counting is on").isTrue();
    long period = MS;
    RateLimiter failFast = limiter(5, period, 0);
    RateLimiter waiting = limiter(5, period, 3 * period);
    long[] outcomes = new long[3];
    for (int i = 0; i < 20_000; i++) { // warm up
      round(failFast, waiting, i, period, outcomes);
    }
    long[] measured = new long[3];
    long tid = Thread.currentThread().getId();
    long before = mx.getThreadAllocatedBytes(tid);
    for (int i = 20_000; i < 120_000; i++) {
      round(failFast, waiting, i, period, measured);
    }
    long allocated = mx.getThreadAllocatedBytes(tid) - before;
    assertThat(allocated).as("bytes allocated by 200,000 acquires (granted, reserved, refused)")
        .isLessThan(4_096);
    assertThat(measured[0]).as("granted at once").isGreaterThan(10_000);
    assertThat(measured[1]).as("reserved").isGreaterThan(10_000);
    assertThat(measured[2]).as("refused").isGreaterThan(10_000);
  }

  private static void round(RateLimiter a, RateLimiter b, int i, long period, long[] outcomes) {
    long now = START + (i / 20) * period; // 20 attempts per cycle, 5 permits
    count(a.acquire(now), outcomes);
    count(b.acquire(now), outcomes);
  }

  private static void count(long wait, long[] outcomes) {
    outcomes[wait == 0 ? 0 : wait == REFUSED ? 2 : 1]++;
  }
}
