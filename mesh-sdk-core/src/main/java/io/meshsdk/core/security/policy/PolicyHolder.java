package io.meshsdk.core.security.policy;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.ConfigValues;
import io.meshsdk.core.common.Ticker;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;

/**
 * The access policy in force, swapped atomically on reload (one volatile read per {@link #current()}), with the
 * state that outlives a policy: the decision counters and the denial-log throttle.
 *
 * <p>Counters are keyed by (direction, section, rule id, verdict, mode): a rule that keeps its id across a
 * {@link #replace} keeps counting in the same counter, so a counter never goes backwards and no meter is
 * registered twice. Counters (and meters) of rules no longer in the policy are dropped; a rule that comes back
 * later starts again from zero.
 *
 * <p>Denials, and dry-run would-denies, are logged at most once per rule per log interval (WARN when enforced,
 * INFO in dry-run) with the number of such decisions since that rule's previous line; the first one is logged at
 * once. Never one line per request.
 */
public final class PolicyHolder {

  /** Name of the decision counters: tags {@code direction, service, rule, verdict, mode}. */
  public static final String METRIC_DECISIONS = "mesh.authz.decisions";

  /** Default interval between two denial lines of one rule: 60 s. */
  public static final Duration DEFAULT_LOG_INTERVAL = Duration.ofSeconds(60);

  private final PolicyStats stats;
  private final Duration logInterval;
  private volatile AccessPolicy current;

  PolicyHolder(AccessPolicy initial, Duration logInterval, Ticker ticker, PolicyLog log) {
    requireNonNull(initial, "initial");
    this.logInterval = ConfigValues.requirePositive("log-interval", requireNonNull(logInterval, "logInterval"));
    this.stats = new PolicyStats(requireNonNull(ticker, "ticker"), logInterval, requireNonNull(log, "log"));
    AccessPolicy bound = initial.bind(stats);
    stats.retainOnly(bound.statsInUse());
    this.current = bound;
  }

  /** A holder of {@link AccessPolicy#allowAll()}, logging denials every {@link #DEFAULT_LOG_INTERVAL} at most. */
  public static PolicyHolder create() {
    return create(AccessPolicy.allowAll());
  }

  /** A holder of {@code initial}, logging denials every {@link #DEFAULT_LOG_INTERVAL} at most per rule. */
  public static PolicyHolder create(AccessPolicy initial) {
    return create(initial, DEFAULT_LOG_INTERVAL, Ticker.SYSTEM);
  }

  /**
   * A holder of {@code initial}.
   *
   * @param logInterval the least time between two denial lines of one rule (positive)
   * @param ticker the time source of that interval
   */
  public static PolicyHolder create(AccessPolicy initial, Duration logInterval, Ticker ticker) {
    return new PolicyHolder(initial, logInterval, ticker, PolicyLog.SLF4J);
  }

  /** The policy in force (bound to this holder's counters). */
  public AccessPolicy current() {
    return current;
  }

  /**
   * Puts {@code policy} in force. What is installed is a copy bound to this holder's counters (the same rules);
   * it is returned and is what {@link #current()} gives from now on. Decisions in flight on the previous policy
   * complete on it.
   *
   * @return the installed policy
   */
  public synchronized AccessPolicy replace(AccessPolicy policy) {
    AccessPolicy bound = requireNonNull(policy, "policy").bind(stats);
    stats.retainOnly(bound.statsInUse());
    current = bound;
    return bound;
  }

  /**
   * Exposes the decision counters in {@code registry} as FunctionCounters {@value #METRIC_DECISIONS} with tags
   * {@code direction} ({@code inbound}, {@code egress}), {@code service} (the section's service, or
   * {@code egress}), {@code rule} (the rule id, or {@code default}), {@code verdict} ({@code allow},
   * {@code deny}) and {@code mode} ({@code enforce}, {@code dry-run}); kept in step with every reload. Binding
   * the same registry twice does nothing.
   */
  public synchronized void bindTo(MeterRegistry registry) {
    stats.bindTo(requireNonNull(registry, "registry"), current.statsInUse());
  }

  /** The least time between two denial lines of one rule. */
  public Duration logInterval() {
    return logInterval;
  }

  PolicyLog log() {
    return stats.log;
  }

  @Override
  public String toString() {
    return "PolicyHolder{" + current + "}";
  }
}
