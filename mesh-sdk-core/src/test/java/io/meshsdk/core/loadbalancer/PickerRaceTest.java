package io.meshsdk.core.loadbalancer;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.common.Ticker;
import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.endpoint.EndpointState;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Four threads pick (and record attempts, as the engine does) while a fifth keeps swapping in pickers built
 * over changing endpoint subsets: no exception, never null. Bounded by iteration counts, no sleeps.
 */
class PickerRaceTest {

  private static final int PICKERS = 4;
  private static final int PICKS_PER_THREAD = 200_000;
  private static final int SWAPS = 2_000;

  static java.util.stream.Stream<LoadBalancerConfig> configs() {
    return LoadBalancersTest.configs();
  }

  private volatile Picker current = Picker.EMPTY;

  @ParameterizedTest
  @MethodSource("configs")
  void pickingWhilePickersAreSwappedNeverFailsNorReturnsNull(LoadBalancerConfig config) throws Exception {
    LoadBalancer lb = LoadBalancers.create(config, Ticker.SYSTEM);
    List<EndpointState> all = LoadBalancersTest.mixed(Ticker.SYSTEM);
    EndpointSet set = new EndpointSet("svc", 1, all);
    current = lb.newPicker(set, all);

    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    AtomicLong nulls = new AtomicLong();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < PICKERS; t++) {
      int id = t;
      threads.add(new Thread(() -> {
        LbTesting.Ctx ctx = new LbTesting.Ctx().header("x-version", id % 2 == 0 ? "v1" : "v2");
        try {
          start.await();
          for (int i = 0; i < PICKS_PER_THREAD; i++) {
            ctx.header("x-user", (i & 1023) == 0 ? "user-" + i : "user-7");
            EndpointState e = current.pick(ctx);
            if (e == null) {
              nulls.incrementAndGet();
            } else {
              LbTesting.started(e);
              LbTesting.ended(e, 1_000 + (i & 0xFFFF), System.nanoTime(), false);
            }
          }
        } catch (Throwable e) {
          failures.add(e);
        }
      }, "picker-" + t));
    }
    threads.add(new Thread(() -> {
      SplittableRandom r = new SplittableRandom(17);
      try {
        start.await();
        for (int i = 0; i < SWAPS; i++) {
          List<EndpointState> eligible = new ArrayList<>();
          for (EndpointState s : all) {
            if (r.nextInt(3) > 0) {
              eligible.add(s);
            }
          }
          if (eligible.isEmpty()) {
            eligible.add(all.get(r.nextInt(all.size())));
          }
          current = lb.newPicker(set, eligible);
        }
      } catch (Throwable e) {
        failures.add(e);
      }
    }, "swapper"));
    threads.forEach(Thread::start);
    start.countDown();
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(60));
      assertThat(t.isAlive()).as(t.getName() + " finished").isFalse();
    }
    assertThat(failures).isEmpty();
    assertThat(nulls.get()).isZero();
    assertThat(all).allSatisfy(s -> assertThat(s.inFlight()).isZero());
  }
}
