package io.meshsdk.core.loadbalancer;

import static io.meshsdk.core.loadbalancer.LbTesting.MS;
import static io.meshsdk.core.loadbalancer.LbTesting.SECOND;
import static io.meshsdk.core.loadbalancer.LbTesting.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.endpoint.EndpointExclusion;
import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.endpoint.EndpointState;
import io.meshsdk.core.internal.directory.StatsArena;
import io.meshsdk.core.internal.directory.TrackedEndpoint;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** Least-request reading the endpoints' flat statistics cells: same choices as through the getters, no garbage. */
class CompactStatsPickerTest {

  private final LbTesting.ManualTicker ticker = new LbTesting.ManualTicker();

  private List<EndpointState> arenaStates(int n) {
    StatsArena arena = new StatsArena();
    arena.reserve(n);
    List<EndpointState> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(arena.newRecord(endpoint("e" + i, 1, "", Map.of()), ticker.read() - 60 * SECOND));
    }
    return out;
  }

  private LeastRequestLoadBalancer.P2cPicker picker(List<EndpointState> states, long seed) {
    return (LeastRequestLoadBalancer.P2cPicker) new LeastRequestLoadBalancer(ticker, RandomSource.seeded(seed))
        .newPicker(new EndpointSet("svc", 1, states), states);
  }

  @Test
  void aFirstSnapshotIsReadDirectlyASubsetThroughATableForeignStatesThroughTheirGetters() {
    List<EndpointState> all = arenaStates(1_000);
    assertThat(picker(all, 1).layout()).isEqualTo("direct");
    List<EndpointState> shuffled = new ArrayList<>(all.subList(0, 500));
    Collections.shuffle(shuffled, new Random(3));
    assertThat(picker(shuffled, 1).layout()).isEqualTo("table");
    List<EndpointState> own = new ArrayList<>(); // each with a block of its own: more blocks than a table takes
    for (int i = 0; i < LeastRequestLoadBalancer.P2cPicker.MAX_BLOCKS + 1; i++) {
      own.add(new TrackedEndpoint(endpoint("o" + i, 1, "", Map.of()), ticker.read()));
    }
    assertThat(picker(own, 1).layout()).isEqualTo("getters");
    List<EndpointState> foreign = new ArrayList<>();
    for (EndpointState s : all.subList(0, 10)) {
      foreign.add(new Hidden(s));
    }
    assertThat(picker(foreign, 1).layout()).isEqualTo("getters");
  }

  @Test
  void cellsAndGettersGiveTheSameChoices() {
    List<EndpointState> all = arenaStates(200);
    Random r = new Random(7);
    long now = ticker.read();
    for (int i = 0; i < all.size(); i++) {
      TrackedEndpoint t = (TrackedEndpoint) all.get(i);
      if (i % 5 != 4) { // a fifth never answered: no sample
        for (int k = 0; k < 1 + r.nextInt(4); k++) {
          t.attemptStarted();
          t.attemptEnded((1 + r.nextInt(80)) * MS, now - r.nextInt(3) * MS, r.nextInt(6) == 0);
        }
      }
      for (int k = r.nextInt(3); k > 0; k--) {
        t.attemptStarted();
      }
    }
    List<EndpointState> shuffled = new ArrayList<>(all);
    Collections.shuffle(shuffled, new Random(11));
    List<EndpointState> hidden = new ArrayList<>();
    for (EndpointState s : shuffled) {
      hidden.add(new Hidden(s));
    }
    LeastRequestLoadBalancer.P2cPicker direct = picker(all, 42);
    LeastRequestLoadBalancer.P2cPicker table = picker(shuffled, 42);
    LeastRequestLoadBalancer.P2cPicker getters = picker(hidden, 42);
    LeastRequestLoadBalancer.P2cPicker gettersInOrder = picker(hidden(all), 42);
    assertThat(List.of(direct.layout(), table.layout(), getters.layout())).containsExactly("direct", "table", "getters");
    PickContext ctx = LbTesting.at(ticker);
    for (int i = 0; i < 20_000; i++) {
      EndpointState d = direct.pick(ctx);
      EndpointState g = gettersInOrder.pick(ctx);
      assertThat(((Hidden) g).state).as("pick %d, direct", i).isSameAs(d);
      EndpointState t = table.pick(ctx);
      EndpointState h = getters.pick(ctx);
      assertThat(((Hidden) h).state).as("pick %d, table", i).isSameAs(t);
    }
  }

  private static List<EndpointState> hidden(List<EndpointState> states) {
    List<EndpointState> out = new ArrayList<>();
    for (EndpointState s : states) {
      out.add(new Hidden(s));
    }
    return out;
  }

  @Test
  void aPickOverTenThousandCellsAllocatesNothing() {
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assertThat(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled()).isTrue();
    List<EndpointState> all = arenaStates(10_000);
    List<EndpointState> shuffled = new ArrayList<>(all);
    Collections.shuffle(shuffled, new Random(5));
    for (EndpointState s : all) {
      ((TrackedEndpoint) s).attemptStarted();
      ((TrackedEndpoint) s).attemptEnded(5 * MS, ticker.read() - 30 * SECOND, false); // idle: decays
    }
    for (List<EndpointState> states : List.of(all, shuffled)) {
      Picker p = new LeastRequestLoadBalancer(ticker).newPicker(new EndpointSet("svc", 1, states), states);
      PickContext ctx = LbTesting.at(ticker);
      for (int i = 0; i < 20_000; i++) {
        p.pick(ctx);
      }
      long tid = Thread.currentThread().getId();
      long before = mx.getThreadAllocatedBytes(tid);
      for (int i = 0; i < 100_000; i++) {
        p.pick(ctx);
      }
      assertThat(mx.getThreadAllocatedBytes(tid) - before).as("bytes allocated by 100,000 picks, %s", p)
          .isLessThan(4_096);
    }
  }

  /** A state that hides its cells: the picker must read its getters. */
  static final class Hidden implements EndpointState {
    final EndpointState state;

    Hidden(EndpointState state) {
      this.state = state;
    }

    @Override
    public Endpoint endpoint() {
      return state.endpoint();
    }

    @Override
    public int inFlight() {
      return state.inFlight();
    }

    @Override
    public double ewmaNanos() {
      return state.ewmaNanos();
    }

    @Override
    public long lastSampleNanos() {
      return state.lastSampleNanos();
    }

    @Override
    public long successes() {
      return state.successes();
    }

    @Override
    public long failures() {
      return state.failures();
    }

    @Override
    public int consecutiveFailures() {
      return state.consecutiveFailures();
    }

    @Override
    public double recentFailureRate() {
      return state.recentFailureRate();
    }

    @Override
    public boolean isEjected() {
      return state.isEjected();
    }

    @Override
    public long ejectedUntilNanos() {
      return state.ejectedUntilNanos();
    }

    @Override
    public int timesEjected() {
      return state.timesEjected();
    }

    @Override
    public long healthySinceNanos() {
      return state.healthySinceNanos();
    }

    @Override
    public long createdAtNanos() {
      return state.createdAtNanos();
    }

    @Override
    public @Nullable EndpointExclusion exclusion() {
      return state.exclusion();
    }
  }
}
