package io.meshsdk.core.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Draining a guard while requests are admitted, refused and finished on many threads. */
class InboundGuardDrainTest {

  @Test
  void drainingUnderConcurrentAdmissionsNeverCountsBelowZeroAndAwaitIdleReturnsWhenTheLastFinishes()
      throws Exception {
    InboundGuard guard = InboundGuard.create(InboundGuardConfig.ofDefaults().withMaxConcurrent(64));
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    AtomicLong lowest = new AtomicLong();
    AtomicInteger admitted = new AtomicInteger();
    AtomicInteger refusedDraining = new AtomicInteger();
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch someHeld = new CountDownLatch(threads);
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        workers.add(pool.submit(() -> {
          // one request per thread is held open across the drain; the others come and go, some closed twice
          InboundGuard.Admission held = guard.admit(InboundRequests.from("caller-" + id, null));
          assertThat(held.admitted()).isTrue();
          someHeld.countDown();
          int mineRefused = 0;
          for (int i = 0; mineRefused < 100; i++) {
            InboundGuard.Admission a = guard.admit(InboundRequests.from("caller-" + id, i % 5 == 0 ? "0" : null));
            if (a.admitted()) {
              admitted.incrementAndGet();
            } else if (a.draining()) {
              refusedDraining.incrementAndGet();
              mineRefused++;
            }
            a.close();
            if (i % 3 == 0) {
              a.close(); // idempotent
            }
            lowest.accumulateAndGet(guard.inFlight(), Math::min);
          }
          try {
            release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          held.close();
          held.close();
          return null;
        }));
      }
      assertThat(someHeld.await(10, TimeUnit.SECONDS)).isTrue();
      guard.drain();
      CompletableFuture<Boolean> idle = CompletableFuture.supplyAsync(() -> guard.awaitIdle(Duration.ofSeconds(20)));
      await().atMost(Duration.ofSeconds(10)).until(() -> refusedDraining.get() >= threads * 100);
      assertThat(idle).isNotDone(); // eight requests still held
      assertThat(guard.inFlight()).isEqualTo(threads);
      release.countDown();
      for (Future<?> w : workers) {
        w.get(10, TimeUnit.SECONDS);
      }
      assertThat(idle.get(5, TimeUnit.SECONDS)).isTrue();
      assertThat(guard.inFlight()).isZero();
      assertThat(lowest.get()).isGreaterThanOrEqualTo(0);
      try (InboundGuard.Admission late = guard.admit(InboundRequests.from(null, null))) {
        assertThat(late.draining()).isTrue();
        assertThat(late.status()).isEqualTo(503);
      }
      assertThat(guard.inFlight()).isZero();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void anAdmissionClosedOnAnotherThreadIsCountedOutOnce() throws Exception {
    InboundGuard guard = InboundGuard.create(InboundGuardConfig.ofDefaults());
    InboundGuard.Admission a = guard.admit(InboundRequests.from(null, null));
    guard.drain();
    ExecutorService other = Executors.newSingleThreadExecutor();
    try {
      other.submit(a::close).get(5, TimeUnit.SECONDS);
      other.submit(a::close).get(5, TimeUnit.SECONDS);
    } finally {
      other.shutdownNow();
    }
    a.close();
    assertThat(guard.inFlight()).isZero();
    assertThat(guard.awaitIdle(Duration.ZERO)).isTrue();
  }

  @Test
  void awaitIdleWithoutDrainReturnsWhenTheLastRequestFinishesNotAtTheTimeout() throws Exception {
    InboundGuard guard = InboundGuard.create(InboundGuardConfig.ofDefaults());
    InboundGuard.Admission a = guard.admit(InboundRequests.from(null, null));
    CompletableFuture<Boolean> idle = new CompletableFuture<>();
    Thread waiter = new Thread(() -> idle.complete(guard.awaitIdle(Duration.ofSeconds(60))), "await-idle");
    waiter.start();
    await().atMost(Duration.ofSeconds(5)).until(() -> waiter.getState() == Thread.State.TIMED_WAITING);
    a.close();
    assertThat(idle.get(10, TimeUnit.SECONDS)).as("awaitIdle returned when the request finished").isTrue();
  }

  @Test
  void anAdmissionClosedByTwoThreadsAtOnceIsCountedOutOnceAndReleasesItsSlotOnce() throws Exception {
    InboundGuard guard = InboundGuard.create(InboundGuardConfig.ofDefaults().withMaxConcurrent(1));
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int i = 0; i < 2_000; i++) {
        InboundGuard.Admission a = guard.admit(InboundRequests.from("c", null));
        assertThat(a.admitted()).isTrue();
        CountDownLatch go = new CountDownLatch(1);
        Future<?> one = pool.submit(() -> {
          go.await();
          a.close();
          return null;
        });
        Future<?> two = pool.submit(() -> {
          go.await();
          a.close();
          return null;
        });
        go.countDown();
        one.get();
        two.get();
        assertThat(guard.inFlight()).isZero();
        // a slot released twice would let two requests in at max-concurrent 1
        InboundGuard.Admission first = guard.admit(InboundRequests.from("c", null));
        InboundGuard.Admission second = guard.admit(InboundRequests.from("c", null));
        assertThat(first.admitted()).isTrue();
        assertThat(second.admitted()).as("round %d", i).isFalse();
        first.close();
        second.close();
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
