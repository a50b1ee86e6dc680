package io.meshsdk.core.security.policy;

/**
 * One parsed rule, validated and canonical; an empty array means the key is absent (matches anything). The arrays
 * are never modified after parsing.
 */
final class RuleSpec {

  private final String id;
  private final Verdict verdict;
  private final int line;
  private final String[] callers;
  private final String[] callerPrefixes;
  private final String[] trustDomainPrefixes;
  private final String[] methods;
  private final PathPattern[] paths;
  private final Cidr[] sources;
  private final String[] services;

  @SuppressWarnings("TooManyParameters")
  RuleSpec(String id, Verdict verdict, int line, String[] callers, String[] callerPrefixes,
      String[] trustDomainPrefixes, String[] methods, PathPattern[] paths, Cidr[] sources, String[] services) {
    this.id = id;
    this.verdict = verdict;
    this.line = line;
    this.callers = callers;
    this.callerPrefixes = callerPrefixes;
    this.trustDomainPrefixes = trustDomainPrefixes;
    this.methods = methods;
    this.paths = paths;
    this.sources = sources;
    this.services = services;
  }

  String id() {
    return id;
  }

  Verdict verdict() {
    return verdict;
  }

  int line() {
    return line;
  }

  String[] callers() {
    return callers;
  }

  String[] callerPrefixes() {
    return callerPrefixes;
  }

  /** {@code spiffe://<trust-domain>/} per value. */
  String[] trustDomainPrefixes() {
    return trustDomainPrefixes;
  }

  /** Canonical upper case. */
  String[] methods() {
    return methods;
  }

  PathPattern[] paths() {
    return paths;
  }

  Cidr[] sources() {
    return sources;
  }

  String[] services() {
    return services;
  }
}
