package io.meshsdk.core.security.policy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A compiled section, indexed for the hot path: rules naming exact callers (inbound) or target services (egress)
 * sit in a hash map by that name; the other rules sit in one list per method (a method no rule names shares the
 * last list). A decision walks the name's rules and the method's list merged in file order, deny rules first:
 * no allocation, no lock, no regular expression.
 */
final class Section {

  private static final long UNPARSED = Long.MIN_VALUE;

  final SectionSpec spec;
  private final String[] methodNames;
  private final Map<String, Rule[][]> byName;
  /** [slot] -> deny rules, allow rules without exact names, in file order. */
  private final Rule[][] denyGeneral;
  private final Rule[][] allowGeneral;
  final Rule[] rules;
  final Decision defaultDecision;

  Section(SectionSpec spec, PolicyStats stats) {
    this.spec = spec;
    boolean egress = spec.egress();
    List<String> names = new ArrayList<>();
    for (RuleSpec r : spec.rules()) {
      for (String m : r.methods()) {
        if (!names.contains(m)) {
          names.add(m);
        }
      }
    }
    this.methodNames = names.toArray(new String[0]);
    this.rules = new Rule[spec.rules().size()];
    for (int k = 0; k < rules.length; k++) {
      RuleSpec r = spec.rules().get(k);
      long mask = 0;
      for (String m : r.methods()) {
        mask |= 1L << names.indexOf(m);
      }
      Decision d = new Decision(r.verdict(), spec.dryRun(), r.id(), spec.name(), egress,
          stats.of(egress, spec.name(), r.id(), r.verdict(), spec.dryRun()));
      rules[k] = new Rule(k, r, d, mask);
    }
    this.defaultDecision = new Decision(spec.defaultVerdict(), spec.dryRun(), Decision.DEFAULT_RULE, spec.name(),
        egress, stats.of(egress, spec.name(), Decision.DEFAULT_RULE, spec.defaultVerdict(), spec.dryRun()));
    int slots = methodNames.length + 1;
    this.denyGeneral = new Rule[slots][];
    this.allowGeneral = new Rule[slots][];
    for (int s = 0; s < slots; s++) {
      long bit = s < methodNames.length ? 1L << s : 0;
      List<Rule> dg = new ArrayList<>();
      List<Rule> ag = new ArrayList<>();
      for (Rule r : rules) {
        if (r.exact.length == 0 && (r.methodMask == 0 || (r.methodMask & bit) != 0)) {
          (r.decision.verdict() == Verdict.DENY ? dg : ag).add(r);
        }
      }
      denyGeneral[s] = dg.toArray(Rule.NONE);
      allowGeneral[s] = ag.toArray(Rule.NONE);
    }
    Map<String, List<List<Rule>>> named = new LinkedHashMap<>();
    for (Rule r : rules) {
      for (String name : r.exact) {
        List<List<Rule>> lists = named.computeIfAbsent(name, x -> List.of(new ArrayList<>(), new ArrayList<>()));
        lists.get(r.decision.verdict() == Verdict.DENY ? 0 : 1).add(r);
      }
    }
    Map<String, Rule[][]> index = new HashMap<>();
    named.forEach((name, lists) ->
        index.put(name, new Rule[][] {lists.get(0).toArray(Rule.NONE), lists.get(1).toArray(Rule.NONE)}));
    this.byName = index;
  }

  private int slot(String method) {
    String[] names = methodNames;
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(method)) {
        return i;
      }
    }
    for (int i = 0; i < names.length; i++) {
      if (names[i].equalsIgnoreCase(method)) {
        return i;
      }
    }
    return names.length;
  }

  /** The deciding rule's decision (or the default's), counted and, if a denial, logged (throttled). */
  Decision decide(String who, String method, String path, @Nullable String remote) {
    int slot = slot(method);
    long bit = slot < methodNames.length ? 1L << slot : 0;
    Rule[][] named = byName.get(who);
    long address = UNPARSED;
    for (int phase = 0; phase < 2; phase++) {
      Rule[] x = named == null ? Rule.NONE : named[phase];
      Rule[] y = phase == 0 ? denyGeneral[slot] : allowGeneral[slot];
      int i = 0;
      int j = 0;
      while (i < x.length || j < y.length) {
        Rule r = j >= y.length || (i < x.length && x[i].index < y[j].index) ? x[i++] : y[j++];
        if (!r.matches(who, bit, path)) {
          continue;
        }
        if (r.sources.length > 0) {
          if (remote == null) {
            continue;
          }
          if (address == UNPARSED) {
            address = Ip.classify(remote);
          }
          if (!r.sourceMatches(address, remote)) {
            continue;
          }
        }
        r.decision.record(who);
        return r.decision;
      }
    }
    defaultDecision.record(who);
    return defaultDecision;
  }

  /** The decision every call to {@code service} gets when no applicable rule names a method or path; else null. */
  @Nullable Decision fixedFor(String service) {
    Decision allow = null;
    for (Rule r : rules) {
      if (r.exact.length > 0 && !java.util.Arrays.asList(r.exact).contains(service)) {
        continue;
      }
      if (r.hasMethodOrPath()) {
        return null;
      }
    }
    for (Rule r : rules) {
      if (r.exact.length > 0 && !java.util.Arrays.asList(r.exact).contains(service)) {
        continue;
      }
      if (r.decision.verdict() == Verdict.DENY) {
        return r.decision;
      }
      if (allow == null) {
        allow = r.decision;
      }
    }
    return allow != null ? allow : defaultDecision;
  }

  void collectStats(Collection<RuleStats> into) {
    for (Rule r : rules) {
      into.add(r.decision.stats);
    }
    into.add(defaultDecision.stats);
  }
}
