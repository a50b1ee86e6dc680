package io.meshsdk.core.security.policy;

/**
 * The outcome of one policy decision: which rule (or the section's default) decided, and what it said. Decisions
 * are created once per rule when a policy is compiled and shared by every request that rule decides, so deciding
 * allocates nothing; compare them by their accessors, not by identity (a reload creates new ones).
 *
 * <p>In {@code mode dry-run} a deny verdict lets the request through: {@link #allowed()} and {@link #wouldDeny()}
 * are then true, {@link #denied()} false. {@link #verdict()} is what the rule said in either mode.
 */
public final class Decision {

  /** The rule id of a section's default decision. */
  public static final String DEFAULT_RULE = "default";

  private final Verdict verdict;
  private final boolean dryRun;
  private final String ruleId;
  private final String section;
  private final boolean egress;
  final RuleStats stats;

  Decision(Verdict verdict, boolean dryRun, String ruleId, String section, boolean egress, RuleStats stats) {
    this.verdict = verdict;
    this.dryRun = dryRun;
    this.ruleId = ruleId;
    this.section = section;
    this.egress = egress;
    this.stats = stats;
  }

  /** Whether the request may proceed: the verdict is allow, or it is deny in dry-run mode. */
  public boolean allowed() {
    return verdict == Verdict.ALLOW || dryRun;
  }

  /** Whether the request is refused: a deny verdict in enforce mode. */
  public boolean denied() {
    return verdict == Verdict.DENY && !dryRun;
  }

  /** Whether a dry-run section would have refused the request (it proceeds; counted and logged as dry-run). */
  public boolean wouldDeny() {
    return verdict == Verdict.DENY && dryRun;
  }

  /** What the deciding rule (or default) said, whatever the mode. */
  public Verdict verdict() {
    return verdict;
  }

  /** Whether the deciding section is in {@code mode dry-run}. */
  public boolean dryRun() {
    return dryRun;
  }

  /** The id of the deciding rule, or {@value #DEFAULT_RULE} when no rule matched. */
  public String ruleId() {
    return ruleId;
  }

  /** The deciding section: the served service's name, or {@code egress}. */
  public String section() {
    return section;
  }

  /** {@code inbound} or {@code egress}: the {@code direction} tag of this decision's counter. */
  public String direction() {
    return egress ? "egress" : "inbound";
  }

  /** {@code enforce} or {@code dry-run}: the {@code mode} tag of this decision's counter. */
  public String mode() {
    return dryRun ? "dry-run" : "enforce";
  }

  /**
   * Counts one use of this decision and logs it if it is a denial (throttled: at most one line per rule per log
   * interval). {@link ServicePolicy#decide} and {@link EgressPolicy#decide} do this for the decision they return;
   * call it when you use a decision obtained otherwise, e.g. from {@link EgressPolicy#fixedFor(String)}.
   *
   * @param subject the caller (inbound) or the target service (egress), named in the log line
   */
  public void record(String subject) {
    stats.count.increment();
    if (verdict == Verdict.DENY) {
      stats.denied(this, subject);
    }
  }

  /**
   * What decided, for a log line or an error body, e.g. {@code denied by rule 'block-dev' of service 'orders'}.
   * Allocates; meant for denials.
   */
  public String describe() {
    String what = denied() ? "denied" : wouldDeny() ? "would be denied (dry-run)" : "allowed";
    String by = DEFAULT_RULE.equals(ruleId) ? "by the default" : "by rule '" + ruleId + "'";
    String of = egress ? "of the egress policy" : "of service '" + section + "'";
    return what + " " + by + " " + of;
  }

  /**
   * {@link #describe()} naming the subject, e.g. {@code caller 'spiffe://prod.example/ns/dev/sa/x' denied by rule
   * 'block-dev' of service 'orders'} or {@code call to service 'billing' denied by rule 'no-billing-writes' of the
   * egress policy}. Allocates; meant for denials.
   *
   * @param subject the caller (inbound) or the target service (egress)
   */
  public String describe(String subject) {
    return (egress ? "call to service '" : "caller '") + subject + "' " + describe();
  }

  @Override
  public String toString() {
    return "Decision{" + direction() + " " + section + " rule=" + ruleId + " " + verdict.tag() + " " + mode() + "}";
  }
}
