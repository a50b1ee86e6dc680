package io.meshsdk.core.security.policy;

import io.meshsdk.core.common.AddressRange;
import io.meshsdk.core.common.AddressRangeIndex;
import io.meshsdk.core.common.CallerNames;
import io.meshsdk.core.common.CompactBitset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A compiled section, indexed for the hot path. Rule {@code k} is bit {@code k} of bitsets of {@code long}s, and
 * each key of a request selects the bitset of the rules that key does not rule out:
 *
 * <ol>
 *   <li>the method: per method named in the section, the rules naming it or no method;
 *   <li>the caller (inbound) or target service (egress): the rules without an indexed caller key, or the rules of
 *       the exact name (a table by name), or of caller prefixes ending in {@code /} and trust domains ({@code
 *       spiffe://<td>/}; a table by prefix, each entry holding the rules of every indexed prefix of it, so that
 *       the deepest prefix of the caller found gives all of them; probed only at a {@code /} whose position is
 *       the length of some indexed prefix);
 *   <li>the path: the rules whose patterns do not all start with a literal segment, or the rules of the path's
 *       first segment (a table by segment);
 *   <li>the peer address, only when a candidate has {@code source}: the rules without one, or those with a
 *       network holding the address ({@link AddressRangeIndex}: one parse, one binary search).
 * </ol>
 *
 * <p>The candidates are the intersection, deny rules first, then allow rules, each in file order (ascending bit);
 * of each candidate only what no index decided is then checked ({@link Rule#matchesRest}: a path pattern beyond
 * its first segment, a caller prefix not ending in {@code /} or next to another caller key). The caller is looked up
 * by its (cached) String hash and scanned only when it is no indexed name (to normalise it); the address is parsed
 * at most once. Bitsets are stored from their first to their last non-zero word, and only the words where the
 * caller's and the path's candidates overlap are walked. No allocation, no lock, no regular expression.
 */
final class Section {

  /** The peer address not looked up yet ({@link AddressRangeIndex#lookup} returns -1 or more). */
  private static final int NO_LOOKUP = -2;
  /** No rule, stored compact. */
  private static final long[] NONE = {0};

  /** The characters of a normal caller name ({@code a-z 0-9 - _ . : /}), bit c of a mask of 64 for c < 128. */
  private static final long NORMAL_LOW;
  private static final long NORMAL_HIGH;

  static {
    long low = 0;
    long high = 0;
    for (char c = 0; c < 128; c++) {
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == ':'
          || c == '/') {
        if (c < 64) {
          low |= 1L << c;
        } else {
          high |= 1L << c;
        }
      }
    }
    NORMAL_LOW = low;
    NORMAL_HIGH = high;
  }

  final SectionSpec spec;
  private final String[] methodNames;
  /** [slot] -> the rules the method of that slot does not rule out; the last slot: a method no rule names. */
  private final long[][] byMethod;
  private final RegionTable byName;
  private final @Nullable RegionTable byPrefix;
  /** The distinct lengths of the indexed prefixes, ascending. */
  private final int[] prefixLengths;
  /** Rules without an indexed caller (or service) key, and the span [from, to) of its non-zero words. */
  private final long[] anyCaller;
  private final int anyCallerFrom;
  private final int anyCallerTo;
  private final @Nullable RegionTable byPathHead;
  /** Rules without a path key, or with a pattern not starting with a literal segment. */
  private final long[] anyPath;
  private final int anyPathFrom;
  private final int anyPathTo;
  private final long[] deny;
  private final long[] withSource;
  private final AddressRangeIndex sources;
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

    int w = (rules.length + 63) >>> 6;
    this.anyCaller = new long[w];
    this.anyPath = new long[w];
    this.deny = new long[w];
    this.withSource = new long[w];
    // per key, its rules' indexes (ascending): a section of 10,000 named rules builds no 10,000 full-width bitsets
    Map<String, List<Integer>> named = new LinkedHashMap<>();
    Map<String, List<Integer>> prefixed = new LinkedHashMap<>();
    Map<String, List<Integer>> headed = new LinkedHashMap<>();
    List<List<AddressRange>> networks = new ArrayList<>();
    for (Rule r : rules) {
      if (r.callerKeys.length == 0) {
        set(anyCaller, r.index);
      } else {
        add(r.callerKeysExact ? named : prefixed, r.callerKeys, r.index);
      }
      String[] heads = r.pathHeads();
      if (heads.length > 0) {
        add(headed, heads, r.index);
      } else {
        set(anyPath, r.index);
      }
      if (r.decision.verdict() == Verdict.DENY) {
        set(deny, r.index);
      }
      if (r.sources.length > 0) {
        set(withSource, r.index);
      }
      networks.add(Arrays.asList(r.sources));
    }
    this.sources = AddressRangeIndex.of(networks);
    this.anyCallerFrom = CompactBitset.from(CompactBitset.compact(anyCaller));
    this.anyCallerTo = CompactBitset.to(CompactBitset.compact(anyCaller));
    this.anyPathFrom = CompactBitset.from(CompactBitset.compact(anyPath));
    this.anyPathTo = CompactBitset.to(CompactBitset.compact(anyPath));
    // a prefix's entry holds the rules of every indexed prefix of it: the deepest one found is enough
    Map<String, List<Integer>> cumulative = new LinkedHashMap<>();
    java.util.TreeSet<Integer> lengths = new java.util.TreeSet<>();
    for (String key : prefixed.keySet()) {
      List<Integer> all = new ArrayList<>();
      for (int i = 0; i < key.length(); i++) {
        if (key.charAt(i) == '/') {
          List<Integer> shorter = prefixed.get(key.substring(0, i + 1));
          if (shorter != null) {
            all.addAll(shorter);
          }
        }
      }
      cumulative.put(key, all);
      lengths.add(key.length());
    }
    this.prefixLengths = lengths.stream().mapToInt(Integer::intValue).toArray();
    this.byName = table(named);
    this.byPrefix = prefixed.isEmpty() ? null : table(cumulative);
    this.byPathHead = headed.isEmpty() ? null : table(headed);
    int slots = methodNames.length + 1;
    this.byMethod = new long[slots][w];
    for (int s = 0; s < slots; s++) {
      long bit = s < methodNames.length ? 1L << s : 0;
      for (Rule r : rules) {
        if (r.methodMask == 0 || (r.methodMask & bit) != 0) {
          set(byMethod[s], r.index);
        }
      }
    }
  }

  /** A table of the bitsets stored compact: a name's rules take a word or two whatever the section's size. */
  private static RegionTable table(Map<String, List<Integer>> index) {
    Map<String, long[]> compact = new LinkedHashMap<>();
    index.forEach((k, rules) -> compact.put(k, compact(rules)));
    return new RegionTable(compact);
  }

  /** The rules {@code indexes} as a bitset stored compact (see {@link CompactBitset}). */
  static long[] compact(List<Integer> indexes) {
    int first = Integer.MAX_VALUE;
    int last = -1;
    for (int k : indexes) {
      first = Math.min(first, k >>> 6);
      last = Math.max(last, k >>> 6);
    }
    if (last < 0) {
      return new long[] {0};
    }
    long[] out = new long[last - first + 2];
    out[0] = first;
    for (int k : indexes) {
      out[(k >>> 6) - first + 1] |= 1L << k;
    }
    return out;
  }

  private static void set(long[] bits, int k) {
    bits[k >>> 6] |= 1L << k;
  }

  private static void add(Map<String, List<Integer>> index, String[] keys, int k) {
    for (String key : keys) {
      index.computeIfAbsent(key, x -> new ArrayList<>()).add(k);
    }
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

  /** Whether {@code name} is already as {@link CallerNames#normalise} would make it. */
  private static boolean isNormal(String name) {
    int n = name.length();
    if (n == 0 || n > CallerNames.MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = name.charAt(i);
      if (c >= 128 || ((c < 64 ? NORMAL_LOW : NORMAL_HIGH) & (1L << c)) == 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * The deciding rule's decision (or the default's), counted and, if a denial, logged (throttled).
   *
   * @param caller the caller (normalised here, see {@link CallerNames}) or the target service (egress, canonical)
   */
  Decision decide(String caller, String method, String path, @Nullable String remote) {
    int slot = slot(method);
    // a caller equal to a name of the table is normal (the table's names are); else normalise if need be
    String who = caller;
    long[] named = byName.get(who, who.hashCode());
    if (named == null) {
      named = NONE;
      if (!isNormal(who)) { // not already normal (rare): normalise (allocates)
        who = spec.egress() ? who.toLowerCase(java.util.Locale.ROOT) : CallerNames.normalise(who);
        long[] found = byName.get(who, who.hashCode());
        if (found != null) {
          named = found;
        }
      }
    }
    int n = who.length();
    // the deepest indexed prefix: probed only where the caller has a '/' at an indexed prefix length
    long[] prefixed = NONE;
    RegionTable pt = byPrefix;
    if (pt != null) {
      int[] lengths = prefixLengths;
      int h = 0;
      int hashed = 0;
      for (int k = 0; k < lengths.length; k++) {
        int len = lengths[k];
        if (len > n) {
          break;
        }
        if (who.charAt(len - 1) == '/') {
          h = RegionTable.hash(h, who, hashed, len);
          hashed = len;
          long[] found = pt.get(who, 0, len, h);
          if (found != null) {
            prefixed = found;
          }
        }
      }
    }
    long[] headed = NONE;
    RegionTable ht = byPathHead;
    int pn = path.length();
    if (ht != null && pn > 1 && path.charAt(0) == '/') {
      int end = path.indexOf('/', 1);
      if (end < 0) {
        end = pn;
      }
      long[] found = ht.get(path, 1, end, RegionTable.hash(path, 1, end));
      if (found != null) {
        headed = found;
      }
    }
    // only the words where both the caller's and the path's candidates can have a bit
    int from = Math.max(Math.min(anyCallerFrom, Math.min(CompactBitset.from(named), CompactBitset.from(prefixed))),
        Math.min(anyPathFrom, CompactBitset.from(headed)));
    int to = Math.min(Math.max(anyCallerTo, Math.max(CompactBitset.to(named), CompactBitset.to(prefixed))),
        Math.max(anyPathTo, CompactBitset.to(headed)));
    long[] methods = byMethod[slot];
    int network = NO_LOOKUP;
    for (long verdict = -1L; ; verdict = 0) { // deny rules (verdict bits all set), then allow rules
      for (int w = from; w < to; w++) {
        long c = methods[w] & (anyCaller[w] | CompactBitset.word(named, w) | CompactBitset.word(prefixed, w))
            & (anyPath[w] | CompactBitset.word(headed, w)) & ~(deny[w] ^ verdict);
        if ((c & withSource[w]) != 0) {
          if (network == NO_LOOKUP) {
            network = sources.lookup(remote);
          }
          c &= ~withSource[w] | sources.setsWord(network, w);
        }
        while (c != 0) {
          Rule r = rules[(w << 6) + Long.numberOfTrailingZeros(c)];
          c &= c - 1;
          if (r.matchesRest(who, path)) {
            r.decision.record(who);
            return r.decision;
          }
        }
      }
      if (verdict == 0) {
        break;
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
