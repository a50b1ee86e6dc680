package io.meshsdk.core.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SerialExecutorTest {

  private final ExecutorService backing = Executors.newSingleThreadExecutor();

  @AfterEach
  void stop() throws InterruptedException {
    backing.shutdownNow();
    backing.awaitTermination(10, TimeUnit.SECONDS);
  }

  @Test
  void runsTasksInSubmissionOrderAndATaskThatThrowsDoesNotStopTheNext() throws InterruptedException {
    SerialExecutor serial = new SerialExecutor("test", backing);
    List<Integer> ran = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(1);
    for (int i = 0; i < 1_000; i++) {
      int n = i;
      serial.execute(() -> {
        ran.add(n);
        if (n == 10) {
          throw new IllegalStateException("task 10 fails on purpose");
        }
      });
    }
    serial.execute(done::countDown);

    assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(ran).hasSize(1_000).isSorted();
  }

  @Test
  void executeHereRunsOnTheCallingThreadWhenNobodyRunsTheQueue() {
    SerialExecutor serial = new SerialExecutor("test", backing);
    AtomicBoolean onCaller = new AtomicBoolean();
    Thread caller = Thread.currentThread();

    serial.executeHere(() -> onCaller.set(Thread.currentThread() == caller));

    assertThat(onCaller).isTrue();
  }

  @Test
  void executeHereReturnsOnlyAfterItsTaskRanWhenAnotherThreadRunsTheQueue() throws Exception {
    SerialExecutor serial = new SerialExecutor("test", backing);
    CountDownLatch blockerRunning = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    serial.execute(() -> { // the backing thread now owns the queue and is busy
      blockerRunning.countDown();
      await(release);
    });
    assertThat(blockerRunning.await(10, TimeUnit.SECONDS)).isTrue();

    AtomicBoolean taskRan = new AtomicBoolean();
    ExecutorService delivering = Executors.newSingleThreadExecutor();
    try {
      Future<Boolean> returned = delivering.submit(() -> {
        serial.executeHere(() -> taskRan.set(true));
        return taskRan.get(); // what the delivering thread sees the moment executeHere returns
      });
      assertThat(taskRan).as("the task cannot run while the queue's owner is busy").isFalse();
      assertThat(returned.isDone()).as("executeHere waits for its task").isFalse();

      release.countDown();

      assertThat(returned.get(10, TimeUnit.SECONDS)).as("the task had run when executeHere returned").isTrue();
    } finally {
      delivering.shutdownNow();
    }
  }

  @Test
  void executeHereFromATaskOfTheSameExecutorQueuesInsteadOfWaitingForItself() {
    SerialExecutor serial = new SerialExecutor("test", Runnable::run);
    List<String> ran = new CopyOnWriteArrayList<>();

    serial.executeHere(() -> {
      serial.executeHere(() -> ran.add("inner"));
      ran.add("outer");
    });

    assertThat(ran).containsExactly("outer", "inner");
  }

  @Test
  void closeDropsQueuedTasksAndRefusesNewOnes() throws InterruptedException {
    SerialExecutor serial = new SerialExecutor("test", backing);
    CountDownLatch blockerRunning = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger ran = new AtomicInteger();
    serial.execute(() -> {
      blockerRunning.countDown();
      await(release);
    });
    assertThat(blockerRunning.await(10, TimeUnit.SECONDS)).isTrue();
    serial.execute(ran::incrementAndGet);

    serial.close();
    release.countDown();
    serial.execute(ran::incrementAndGet);
    serial.executeHere(ran::incrementAndGet);
    CountDownLatch backingIdle = new CountDownLatch(1);
    backing.execute(backingIdle::countDown);

    assertThat(backingIdle.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(ran).hasValue(0);
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
