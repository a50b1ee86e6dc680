package io.meshsdk.core.security.policy;

import io.meshsdk.core.common.Ticker;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The counters of a {@link PolicyHolder} (or of one stand-alone {@link AccessPolicy}), keyed by (direction,
 * section, rule, verdict, mode), and their Micrometer meters. A rule that keeps its id across a reload keeps its
 * counter; counters of rules that left the policy are dropped with their meters.
 */
final class PolicyStats {

  final Ticker ticker;
  final long logIntervalNanos;
  final PolicyLog log;
  private final ConcurrentHashMap<String, RuleStats> stats = new ConcurrentHashMap<>();
  /** Guarded by this: registries bound, and each key's meter in each of them. */
  private final List<MeterRegistry> registries = new ArrayList<>();
  private final Map<String, List<Meter>> meters = new HashMap<>();

  PolicyStats(Ticker ticker, Duration logInterval, PolicyLog log) {
    this.ticker = ticker;
    this.logIntervalNanos = logInterval.toNanos();
    this.log = log;
  }

  /** The stats of one key, created on first use (at compile time, never per decision). */
  RuleStats of(boolean egress, String section, String rule, Verdict verdict, boolean dryRun) {
    String direction = egress ? "egress" : "inbound";
    String mode = dryRun ? "dry-run" : "enforce";
    String key = direction + '\u0000' + section + '\u0000' + rule + '\u0000' + verdict.tag() + '\u0000' + mode;
    return stats.computeIfAbsent(key,
        k -> new RuleStats(this, k, direction, section, rule, verdict.tag(), mode));
  }

  /** After a reload: drops the stats (and meters) of keys the policy in force no longer has; adds new meters. */
  synchronized void retainOnly(Collection<RuleStats> inUse) {
    Set<String> keys = new java.util.HashSet<>();
    for (RuleStats s : inUse) {
      keys.add(s.key);
    }
    stats.keySet().retainAll(keys);
    for (var it = meters.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      if (!keys.contains(e.getKey())) {
        for (int i = 0; i < registries.size(); i++) {
          registries.get(i).remove(e.getValue().get(i));
        }
        it.remove();
      }
    }
    for (RuleStats s : inUse) {
      if (!meters.containsKey(s.key)) {
        List<Meter> list = new ArrayList<>();
        for (MeterRegistry r : registries) {
          list.add(register(r, s));
        }
        meters.put(s.key, list);
      }
    }
  }

  synchronized void bindTo(MeterRegistry registry, Collection<RuleStats> inUse) {
    if (registries.contains(registry)) {
      return;
    }
    registries.add(registry);
    for (RuleStats s : inUse) {
      meters.computeIfAbsent(s.key, k -> new ArrayList<>()).add(register(registry, s));
    }
  }

  private static Meter register(MeterRegistry registry, RuleStats s) {
    return FunctionCounter.builder(PolicyHolder.METRIC_DECISIONS, s, RuleStats::value)
        .description("Access policy decisions by rule and verdict")
        .tag("direction", s.direction)
        .tag("service", s.section)
        .tag("rule", s.rule)
        .tag("verdict", s.verdict)
        .tag("mode", s.mode)
        .register(registry);
  }
}
