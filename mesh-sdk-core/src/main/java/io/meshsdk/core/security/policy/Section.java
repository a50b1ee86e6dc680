package io.meshsdk.core.security.policy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A compiled section, indexed for the hot path. Each rule sits in exactly one index, by its most selective key:
 *
 * <ol>
 *   <li>exact callers (inbound) or target services (egress): a table by name;
 *   <li>else caller prefixes ending in {@code /} and trust domains ({@code spiffe://<td>/}): a table by prefix,
 *       each entry holding the rules of every indexed prefix of it, so the deepest prefix of the caller found
 *       gives all of them;
 *   <li>else paths whose patterns all start with a literal segment: a table by that segment;
 *   <li>else the general list, one per method (a method no rule names shares the last one).
 * </ol>
 *
 * <p>A decision makes one pass over the caller's characters (its String hash, with a probe of the prefix table
 * at each {@code /}), looks up the name and the path's first segment, then walks the four candidate lists merged
 * in file order, deny rules first. No allocation, no lock, no regular expression.
 */
final class Section {

  private static final long UNPARSED = Long.MIN_VALUE;
  private static final Rule[][] NO_RULES = {Rule.NONE, Rule.NONE};

  final SectionSpec spec;
  private final String[] methodNames;
  private final RegionTable byName;
  private final @Nullable RegionTable byPrefix;
  private final @Nullable RegionTable byPathHead;
  /** [slot] -> deny rules, allow rules of the general list, in file order. */
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

    Map<String, List<Rule>> named = new LinkedHashMap<>();
    Map<String, List<Rule>> prefixed = new LinkedHashMap<>();
    Map<String, List<Rule>> headed = new LinkedHashMap<>();
    List<Rule> general = new ArrayList<>();
    for (Rule r : rules) {
      List<String> keys;
      if (r.exact.length > 0) {
        add(named, Arrays.asList(r.exact), r);
      } else if (!(keys = boundaryPrefixes(r.spec)).isEmpty()) {
        add(prefixed, keys, r);
      } else if (!(keys = pathHeads(r.spec)).isEmpty()) {
        add(headed, keys, r);
      } else {
        general.add(r);
      }
    }
    // a prefix's entry holds the rules of every indexed prefix of it: the deepest one found is enough
    Map<String, List<Rule>> cumulative = new LinkedHashMap<>();
    for (String key : prefixed.keySet()) {
      List<Rule> all = new ArrayList<>();
      for (int i = 0; i < key.length(); i++) {
        if (key.charAt(i) == '/') {
          List<Rule> shorter = prefixed.get(key.substring(0, i + 1));
          if (shorter != null) {
            for (Rule r : shorter) {
              if (!all.contains(r)) {
                all.add(r);
              }
            }
          }
        }
      }
      cumulative.put(key, all);
    }
    this.byName = table(named);
    this.byPrefix = prefixed.isEmpty() ? null : table(cumulative);
    this.byPathHead = headed.isEmpty() ? null : table(headed);
    int slots = methodNames.length + 1;
    this.denyGeneral = new Rule[slots][];
    this.allowGeneral = new Rule[slots][];
    for (int s = 0; s < slots; s++) {
      long bit = s < methodNames.length ? 1L << s : 0;
      List<Rule> dg = new ArrayList<>();
      List<Rule> ag = new ArrayList<>();
      for (Rule r : general) {
        if (r.methodMask == 0 || (r.methodMask & bit) != 0) {
          (r.decision.verdict() == Verdict.DENY ? dg : ag).add(r);
        }
      }
      denyGeneral[s] = dg.toArray(Rule.NONE);
      allowGeneral[s] = ag.toArray(Rule.NONE);
    }
  }

  private static void add(Map<String, List<Rule>> index, List<String> keys, Rule r) {
    for (String k : keys) {
      List<Rule> list = index.computeIfAbsent(k, x -> new ArrayList<>());
      if (!list.contains(r)) {
        list.add(r);
      }
    }
  }

  /** The rule's caller prefixes when they all end in '/', else its trust domains; empty when neither applies. */
  private static List<String> boundaryPrefixes(RuleSpec r) {
    String[] prefixes = r.callerPrefixes();
    if (prefixes.length > 0 && Arrays.stream(prefixes).allMatch(p -> p.endsWith("/"))) {
      return Arrays.asList(prefixes);
    }
    return Arrays.asList(r.trustDomainPrefixes());
  }

  /** The first literal segments of the rule's paths, when every path has one; else empty. */
  private static List<String> pathHeads(RuleSpec r) {
    List<String> heads = new ArrayList<>();
    for (PathPattern p : r.paths()) {
      String head = p.head();
      if (head == null) {
        return List.of();
      }
      heads.add(head);
    }
    return heads;
  }

  private static RegionTable table(Map<String, List<Rule>> index) {
    Map<String, Rule[][]> entries = new LinkedHashMap<>();
    index.forEach((k, list) -> {
      List<Rule> sorted = new ArrayList<>(list);
      sorted.sort(Comparator.comparingInt(r -> r.index));
      entries.put(k, new Rule[][] {
          sorted.stream().filter(r -> r.decision.verdict() == Verdict.DENY).toArray(Rule[]::new),
          sorted.stream().filter(r -> r.decision.verdict() == Verdict.ALLOW).toArray(Rule[]::new)});
    });
    return new RegionTable(entries);
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

  /**
   * The deciding rule's decision (or the default's), counted and, if a denial, logged (throttled).
   *
   * @param caller the caller (normalised here, see {@link Callers}) or the target service (egress, canonical)
   */
  Decision decide(String caller, String method, String path, @Nullable String remote) {
    int slot = slot(method);
    long bit = slot < methodNames.length ? 1L << slot : 0;
    // one pass over the caller: is it already normal, its hash, and the deepest indexed prefix
    String who = caller;
    int n = who.length();
    Rule[][] prefixed = NO_RULES;
    int h = 0;
    RegionTable pt = byPrefix;
    boolean normal = n > 0 && n <= Callers.MAX_LENGTH;
    for (int i = 0; i < n && normal; i++) {
      char c = who.charAt(i);
      normal = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == ':'
          || c == '/';
      h = 31 * h + c;
      if (c == '/' && pt != null) {
        Rule[][] found = pt.get(who, 0, i + 1, h);
        if (found != null) {
          prefixed = found;
        }
      }
    }
    if (!normal) { // not already normal (rare): normalise, then the same pass again
      who = spec.egress() ? who.toLowerCase(java.util.Locale.ROOT) : Callers.normalise(who);
      n = who.length();
      h = 0;
      prefixed = NO_RULES;
      for (int i = 0; i < n; i++) {
        char c = who.charAt(i);
        h = 31 * h + c;
        if (c == '/' && pt != null) {
          Rule[][] found = pt.get(who, 0, i + 1, h);
          if (found != null) {
            prefixed = found;
          }
        }
      }
    }
    Rule[][] named = byName.get(who, 0, n, h);
    if (named == null) {
      named = NO_RULES;
    }
    Rule[][] headed = NO_RULES;
    RegionTable ht = byPathHead;
    int pn = path.length();
    if (ht != null && pn > 1 && path.charAt(0) == '/') {
      int end = path.indexOf('/', 1);
      if (end < 0) {
        end = pn;
      }
      Rule[][] found = ht.get(path, 1, end, RegionTable.hash(path, 1, end));
      if (found != null) {
        headed = found;
      }
    }
    long address = UNPARSED;
    for (int phase = 0; phase < 2; phase++) {
      Rule[] a = named[phase];
      Rule[] b = prefixed[phase];
      Rule[] c = headed[phase];
      Rule[] d = phase == 0 ? denyGeneral[slot] : allowGeneral[slot];
      int ia = 0;
      int ib = 0;
      int ic = 0;
      int id = 0;
      while (true) {
        // the next rule in file order among the four lists
        int best = Integer.MAX_VALUE;
        int which = -1;
        if (ia < a.length) {
          best = a[ia].index;
          which = 0;
        }
        if (ib < b.length && b[ib].index < best) {
          best = b[ib].index;
          which = 1;
        }
        if (ic < c.length && c[ic].index < best) {
          best = c[ic].index;
          which = 2;
        }
        if (id < d.length && d[id].index < best) {
          which = 3;
        }
        Rule r;
        switch (which) {
          case 0 -> r = a[ia++];
          case 1 -> r = b[ib++];
          case 2 -> r = c[ic++];
          case 3 -> r = d[id++];
          default -> {
            r = null;
          }
        }
        if (r == null) {
          break;
        }
        if (!r.matches(who, bit, path, which == 0)) {
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
      if (r.exact.length > 0 && !Arrays.asList(r.exact).contains(service)) {
        continue;
      }
      if (r.hasMethodOrPath()) {
        return null;
      }
    }
    for (Rule r : rules) {
      if (r.exact.length > 0 && !Arrays.asList(r.exact).contains(service)) {
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
