package io.meshsdk.core.security.policy;

import io.meshsdk.core.common.AddressRange;
import java.util.Arrays;

/** One compiled rule: its file-order index, its preallocated decision and its matchers. */
final class Rule {

  final int index;
  final RuleSpec spec;
  final Decision decision;
  final long methodMask;
  /** Exact callers (inbound) or target services (egress); empty: any. */
  final String[] exact;
  private final String[] prefixes;
  private final String[] trustDomains;
  private final PathPattern[] paths;
  final AddressRange[] sources;
  /**
   * The keys the section indexes this rule by in its caller table: its exact callers or services, else its caller
   * prefixes when they all end in '/', else its trust domains ({@code spiffe://<td>/}); empty: none (the rule is
   * a candidate for every caller).
   */
  final String[] callerKeys;
  /** Whether {@link #callerKeys} are exact names (else prefixes). */
  final boolean callerKeysExact;
  /** What {@link #matchesRest} still checks: what the indexes that found the rule have not already checked. */
  private final boolean checkPrefixes;
  private final boolean checkTrustDomains;
  private final boolean checkPaths;

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
    boolean byPrefixes = prefixes.length > 0 && Arrays.stream(prefixes).allMatch(p -> p.endsWith("/"));
    this.callerKeysExact = exact.length > 0;
    this.callerKeys = exact.length > 0 ? exact : byPrefixes ? prefixes : trustDomains;
    this.checkPrefixes = prefixes.length > 0 && (exact.length > 0 || !byPrefixes);
    this.checkTrustDomains = trustDomains.length > 0 && (exact.length > 0 || byPrefixes);
    // the path index holds the rule under each pattern's first literal segment; a pattern "/<literal>/**" matches
    // exactly the paths whose first segment is that literal, so when every pattern is one, the index decided
    this.checkPaths = paths.length > 0 && !Arrays.stream(paths).allMatch(PathPattern::isHeadSubtree);
  }

  /** The first literal segments of the rule's paths, when every path has one; else empty (no path index). */
  String[] pathHeads() {
    String[] heads = new String[paths.length];
    for (int i = 0; i < paths.length; i++) {
      String head = paths[i].head();
      if (head == null) {
        return new String[0];
      }
      heads[i] = head;
    }
    return heads;
  }

  /**
   * The keys the section's indexes do not check, for a rule found through them: the method, the exact caller
   * (or service), the indexed prefixes or trust domains and the source network are known to match; the other
   * caller keys and the path patterns (unless the path index decided them) are checked here.
   */
  boolean matchesRest(String who, String path) {
    if (checkPrefixes && !startsWithAny(who, prefixes)) {
      return false;
    }
    if (checkTrustDomains && !startsWithAny(who, trustDomains)) {
      return false;
    }
    if (checkPaths) {
      for (PathPattern p : paths) {
        if (p.matches(path)) {
          return true;
        }
      }
      return false;
    }
    return true;
  }

  /** Every key but {@code source}: {@code who} is the normalised caller (inbound) or the target service. */
  boolean matches(String who, long methodBit, String path) {
    if (methodMask != 0 && (methodMask & methodBit) == 0) {
      return false;
    }
    if (exact.length > 0 && !contains(exact, who)) {
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
    for (AddressRange c : sources) {
      if (c.contains(classified, address)) {
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
