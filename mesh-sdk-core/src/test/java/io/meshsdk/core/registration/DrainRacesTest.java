package io.meshsdk.core.registration;

import io.meshsdk.core.inbound.InboundRequests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.inbound.InboundGuard;
import io.meshsdk.core.inbound.InboundGuardConfig;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** {@link Mesh#drain()} racing {@link Mesh#close()}, and what is registered or guarded after a drain. */
class DrainRacesTest {

  /** Whether {@code t} is parked inside {@code Mesh.drain}, or has ended. */
  private static boolean waitingInDrainOrDone(Thread t) {
    if (!t.isAlive()) {
      return true;
    }
    Thread.State s = t.getState();
    return (s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING)
        && Arrays.stream(t.getStackTrace()).anyMatch(f -> f.getClassName().equals(Mesh.class.getName())
        && f.getMethodName().equals("drain"));
  }

  @Test
  void closeRacingADrainInProgressWaitsForTheAdmittedRequestsBeforeStopping() throws Exception {
    Mesh provider = Mesh.builder().build();
    InboundGuard guard = provider.inboundGuard(InboundGuardConfig.ofDefaults());
    InboundGuard.Admission inProgress = guard.admit(InboundRequests.from(null, null));
    CompletableFuture<Boolean> first = new CompletableFuture<>();
    Thread drainer = new Thread(() -> first.complete(provider.drain(Duration.ZERO, Duration.ofSeconds(30))),
        "drainer");
    drainer.start();
    await().atMost(Duration.ofSeconds(5)).until(guard::isDraining);

    AtomicBoolean requestFinished = new AtomicBoolean();
    AtomicBoolean finishedBeforeClose = new AtomicBoolean();
    CompletableFuture<Void> closed = new CompletableFuture<>();
    Thread closer = new Thread(() -> {
      provider.close();
      finishedBeforeClose.set(requestFinished.get());
      closed.complete(null);
    }, "closer");
    closer.start();
    await().atMost(Duration.ofSeconds(5)).until(() -> waitingInDrainOrDone(closer));
    assertThat(closed).as("close() returned while an admitted request was still in progress").isNotDone();

    requestFinished.set(true);
    inProgress.close();
    closed.get(10, TimeUnit.SECONDS);
    assertThat(first.get(10, TimeUnit.SECONDS)).isTrue();
    assertThat(finishedBeforeClose).isTrue();
  }

  @Test
  void aSecondDrainWhileTheFirstRunsReturnsTheFirstsResultNotAnEarlyTrue() throws Exception {
    try (Mesh provider = Mesh.builder().build()) {
      InboundGuard guard = provider.inboundGuard(InboundGuardConfig.ofDefaults());
      InboundGuard.Admission stuck = guard.admit(InboundRequests.from(null, null));
      CompletableFuture<Boolean> first = CompletableFuture.supplyAsync(
          () -> provider.drain(Duration.ZERO, Duration.ofMillis(300)));
      await().atMost(Duration.ofSeconds(5)).until(guard::isDraining);
      assertThat(provider.drain(Duration.ZERO, Duration.ZERO)).as("the requests did not finish").isFalse();
      assertThat(first.get(10, TimeUnit.SECONDS)).isFalse();
      stuck.close();
    }
  }

  @Test
  void registeringAfterTheDrainStartedIsRefusedRatherThanLeftRegisteredOnAnInstanceThatRefusesEverything() {
    try (StaticServiceDiscovery registry = StaticServiceDiscovery.create();
        Mesh provider = Mesh.builder().drainDelay(Duration.ZERO).build()) {
      provider.drain();
      assertThatThrownBy(() -> provider.register(registry.registry(),
          ServiceRegistration.of("inventory", "127.0.0.1", 8080)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("drain");
    }
  }

  @Test
  void aGuardMadeAfterTheDrainRefusesNewRequestsLikeTheOthers() {
    try (Mesh provider = Mesh.builder().build()) {
      provider.inboundGuard(InboundGuardConfig.ofDefaults());
      assertThat(provider.drain(Duration.ZERO, Duration.ZERO)).isTrue();
      InboundGuard late = provider.inboundGuard(InboundGuardConfig.ofDefaults());
      try (InboundGuard.Admission a = late.admit(InboundRequests.from(null, null))) {
        assertThat(a.draining()).isTrue();
        assertThat(a.status()).isEqualTo(503);
      }
    }
  }

  @Test
  void aDrainTimeoutOfForeverIsAllowedAndDoesNotOverflow() {
    Mesh provider = Mesh.builder().drainTimeout(java.time.temporal.ChronoUnit.FOREVER.getDuration()).build();
    InboundGuard guard = provider.inboundGuard(InboundGuardConfig.ofDefaults());
    guard.admit(InboundRequests.from(null, null)).close();
    assertThat(provider.drain()).isTrue();
    provider.close();
    assertThat(guard.awaitIdle(java.time.temporal.ChronoUnit.FOREVER.getDuration())).isTrue();
  }
}
