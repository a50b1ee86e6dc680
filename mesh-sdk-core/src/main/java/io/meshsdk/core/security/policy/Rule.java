package io.meshsdk.core.security.policy;

/** One compiled rule: its file-order index, its preallocated decision and its matchers. */
final class Rule {

  static final Rule[] NONE = new Rule[0];

  final int index;
  final RuleSpec spec;
  final Decision decision;
  final long methodMask;
  /** Exact callers (inbound) or target services (egress); empty: any. */
  final String[] exact;
  private final String[] prefixes;
  private final String[] trustDomains;
  private final PathPattern[] paths;
  final Cidr[] sources;

  Rule(int index, RuleSpec spec, Decision decision, long methodMask) {
    this.index = index;
    this.spec = spec;
    this.decision = decision;
    this.methodMask = methodMask;
    this.exact = spec.services().length > 0 ? spec.services() : spec.callers();
    this.prefixes = spec.callerPrefixes();
    this.trustDomains = spec.trustDomainPrefixes();
    this.paths = spec.paths();
    this.sources = spec.sources();
  }

  /** Every key but {@code source}: {@code who} is the normalised caller (inbound) or the target service. */
  boolean matches(String who, long methodBit, String path) {
    return matches(who, methodBit, path, false);
  }

  /** As {@link #matches(String, long, String)}; {@code nameKnown}: the rule was found by {@code who}'s name. */
  boolean matches(String who, long methodBit, String path, boolean nameKnown) {
    if (methodMask != 0 && (methodMask & methodBit) == 0) {
      return false;
    }
    if (!nameKnown && exact.length > 0 && !contains(exact, who)) {
      return false;
    }
    if (prefixes.length > 0 && !startsWithAny(who, prefixes)) {
      return false;
    }
    if (trustDomains.length > 0 && !startsWithAny(who, trustDomains)) {
      return false;
    }
    if (paths.length > 0) {
      for (PathPattern p : paths) {
        if (p.matches(path)) {
          return true;
        }
      }
      return false;
    }
    return true;
  }

  boolean sourceMatches(long classified, String address) {
    for (Cidr c : sources) {
      if (c.matches(classified, address)) {
        return true;
      }
    }
    return false;
  }

  boolean hasMethodOrPath() {
    return methodMask != 0 || paths.length > 0;
  }

  private static boolean contains(String[] values, String s) {
    for (String v : values) {
      if (v.equals(s)) {
        return true;
      }
    }
    return false;
  }

  private static boolean startsWithAny(String s, String[] prefixes) {
    for (String p : prefixes) {
      if (s.startsWith(p)) {
        return true;
      }
    }
    return false;
  }
}
