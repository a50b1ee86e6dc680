package io.meshsdk.core.loadbalancer;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshsdk.core.common.Ticker;
import io.meshsdk.core.internal.directory.TrackedEndpoint;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.endpoint.EndpointState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/** Shared fixtures for the balancer tests: endpoints, a manual ticker, a pick context, statistics. */
final class LbTesting {

  static final long MS = 1_000_000L;
  static final long SECOND = 1_000_000_000L;

  private LbTesting() {}

  /** A ticker the test moves by hand. Starts at an arbitrary large value so that 0 is not special. */
  static final class ManualTicker implements Ticker {
    private final AtomicLong now = new AtomicLong(1_000 * SECOND);

    @Override
    public long read() {
      return now.get();
    }

    void advance(long nanos) {
      now.addAndGet(nanos);
    }
  }

  /** Endpoint {@code id} of service "svc" on port 8000 + i with the given weight, zone and labels. */
  static Endpoint endpoint(String id, int weight, String zone, Map<String, String> labels) {
    return Endpoint.builder("svc", "10.0.0." + (Math.floorMod(id.hashCode(), 250) + 1), 8080)
        .id(id)
        .weight(weight)
        .zone(zone)
        .labels(labels)
        .build();
  }

  /** An attempt to {@code s} starts (the engine's side of the state, for tests). */
  static void started(EndpointState s) {
    ((TrackedEndpoint) s).attemptStarted();
  }

  /** An attempt to {@code s} ends. */
  static void ended(EndpointState s, long latencyNanos, long nowNanos, boolean failed) {
    ((TrackedEndpoint) s).attemptEnded(latencyNanos, nowNanos, failed);
  }

  static EndpointState state(String id, Ticker ticker) {
    return new TrackedEndpoint(endpoint(id, 1, "", Map.of()), ticker.read());
  }

  static EndpointState state(String id, int weight, Ticker ticker) {
    return new TrackedEndpoint(endpoint(id, weight, "", Map.of()), ticker.read());
  }

  /** {@code n} weight-1 endpoints e0..e(n-1). */
  static List<EndpointState> states(int n, Ticker ticker) {
    io.meshsdk.core.internal.directory.StatsArena arena = new io.meshsdk.core.internal.directory.StatsArena();
    arena.reserve(n);
    List<EndpointState> out = new ArrayList<>();
    for (int i = 0; i < n; i++) { // in one arena, as a directory makes them: the pickers read flat cells
      out.add(arena.newRecord(endpoint("e" + i, 1, "", Map.of()), ticker.read()));
    }
    return out;
  }

  static EndpointSet set(List<EndpointState> states) {
    return new EndpointSet("svc", 1, states);
  }

  /** A picker over all of {@code states}. */
  static Picker picker(LoadBalancer lb, List<EndpointState> states) {
    return lb.newPicker(set(states), states);
  }

  /** Records one completed call of {@code latencyNanos} on {@code s} at the ticker's now. */
  static void sample(EndpointState s, long latencyNanos, Ticker ticker) {
    started(s);
    ended(s, latencyNanos, ticker.read(), false);
  }

  /** Picks {@code n} times with {@code ctx} and counts the picks per endpoint id. */
  static Map<String, Integer> count(Picker picker, PickContext ctx, int n) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      EndpointState e = picker.pick(ctx);
      assertThat(e).isNotNull();
      counts.merge(e.endpoint().id(), 1, Integer::sum);
    }
    return counts;
  }

  /**
   * Pearson's chi-square statistic of {@code observed} against {@code expectedShare} (id → share, sums to 1)
   * over {@code total} picks.
   */
  static double chiSquare(Map<String, Integer> observed, Map<String, Double> expectedShare, int total) {
    double chi = 0;
    for (Map.Entry<String, Double> e : expectedShare.entrySet()) {
      double expected = e.getValue() * total;
      double o = observed.getOrDefault(e.getKey(), 0);
      chi += (o - expected) * (o - expected) / expected;
    }
    return chi;
  }

  /** The chi-square critical value for {@code df} degrees of freedom at p = 0.001 (Wilson–Hilferty). */
  static double chiSquareCritical(int df) {
    double z = 3.090; // one-sided 0.999 quantile of the standard normal
    double a = 2.0 / (9.0 * df);
    return df * Math.pow(1 - a + z * Math.sqrt(a), 3);
  }

  /** Uniform shares over {@code ids}. */
  static Map<String, Double> uniform(Collection<String> ids) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (String id : ids) {
      m.put(id, 1.0 / ids.size());
    }
    return m;
  }

  /** Ids of {@code states}. */
  static List<String> ids(List<EndpointState> states) {
    List<String> out = new ArrayList<>();
    for (EndpointState s : states) {
      out.add(s.endpoint().id());
    }
    return out;
  }

  /** A first-attempt context whose {@link PickContext#nowNanos()} reads {@code ticker}, as the engine's does. */
  static PickContext at(Ticker ticker) {
    return new Ctx().on(ticker);
  }

  /** A mutable {@link PickContext}: headers, attempt number, tried endpoints, time. */
  static final class Ctx implements PickContext {
    private final Map<String, String> headers = new HashMap<>();
    private final Set<EndpointState> tried = new HashSet<>();
    private int attempt;
    private @Nullable Ticker ticker;

    /** Reports {@code t}'s time as the pick time. */
    Ctx on(Ticker t) {
      this.ticker = t;
      return this;
    }

    @Override
    public long nowNanos() {
      Ticker t = ticker;
      return t == null ? System.nanoTime() : t.read();
    }

    Ctx header(String name, @Nullable String value) {
      if (value == null) {
        headers.remove(name);
      } else {
        headers.put(name, value);
      }
      return this;
    }

    /** Marks {@code e} tried and moves to the next attempt. */
    Ctx tried(EndpointState e) {
      tried.add(e);
      attempt++;
      return this;
    }

    @Override
    public @Nullable String header(String name) {
      return headers.get(name);
    }

    @Override
    public int attempt() {
      return attempt;
    }

    @Override
    public boolean alreadyTried(EndpointState endpoint) {
      return tried.contains(endpoint);
    }
  }
}
