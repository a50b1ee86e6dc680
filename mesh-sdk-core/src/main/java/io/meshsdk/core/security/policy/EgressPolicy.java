package io.meshsdk.core.security.policy;

import org.jspecify.annotations.Nullable;

/**
 * The egress policy (the {@code egress} section), compiled: which services this process may call. Thread-safe
 * and immutable; {@link #decide} allocates nothing, takes no lock and uses no regular expression.
 *
 * <p>Most egress policies name services only. {@link #fixedFor(String)} tells, at configuration time, whether
 * every call to a service gets the same decision, so the call path can skip the policy for it (and count with
 * {@link Decision#record(String)}).
 */
public final class EgressPolicy {

  private final Section section;

  EgressPolicy(Section section) {
    this.section = section;
  }

  Section section() {
    return section;
  }

  /** The section's default verdict (when no rule matches). */
  public Verdict defaultVerdict() {
    return section.spec.defaultVerdict();
  }

  /** Whether the section is in {@code mode dry-run}. */
  public boolean dryRun() {
    return section.spec.dryRun();
  }

  /** The number of rules of the section. */
  public int ruleCount() {
    return section.rules.length;
  }

  /**
   * Decides one outbound call: the first matching deny rule in file order if any, else the first matching allow
   * rule, else the default; counted, and logged at most once per rule per log interval if a denial.
   *
   * @param service the target service's canonical (lower-case) name, as {@code ServiceNames.canonical} gives it
   * @param method the HTTP method (upper case expected; other case is matched ignoring case)
   * @param path the raw request path without the query string, matched literally as for
   *     {@link ServicePolicy#decide}
   */
  public Decision decide(String service, String method, String path) {
    return section.decide(service, method, path, null);
  }

  /**
   * The decision every call to {@code service} gets, when no rule that applies to it ({@code service=} naming
   * it, or no {@code service} key) has a {@code method} or {@code path} key; else null (decide per call).
   * Not counted: call {@link Decision#record(String)} for each call decided this way.
   *
   * @param service the target service's canonical name
   */
  public @Nullable Decision fixedFor(String service) {
    return section.fixedFor(service);
  }

  @Override
  public String toString() {
    return "EgressPolicy{" + ruleCount() + " rules}";
  }
}
