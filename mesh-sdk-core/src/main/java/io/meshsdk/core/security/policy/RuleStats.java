package io.meshsdk.core.security.policy;

import io.meshsdk.core.common.Ticker;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counter and the denial-log throttle of one (direction, section, rule, verdict, mode): shared by the
 * decisions of every policy compiled against the same {@link PolicyStats}, so it survives reloads.
 */
final class RuleStats {

  private static final VarHandle NEXT_LOG;

  static {
    try {
      NEXT_LOG = MethodHandles.lookup().findVarHandle(RuleStats.class, "nextLogAt", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final String key;
  final String direction;
  final String section;
  final String rule;
  final String verdict;
  final String mode;
  final LongAdder count = new LongAdder();
  private final PolicyStats owner;
  /** Ticker time from which the next denial line may be written. */
  @SuppressWarnings("UnusedVariable") // through NEXT_LOG
  private volatile long nextLogAt;
  /** {@link #count} when the last denial line was written. */
  private volatile long logged;

  RuleStats(PolicyStats owner, String key, String direction, String section, String rule, String verdict,
      String mode) {
    this.owner = owner;
    this.key = key;
    this.direction = direction;
    this.section = section;
    this.rule = rule;
    this.verdict = verdict;
    this.mode = mode;
    this.nextLogAt = owner.ticker.read();
  }

  /** A denial was counted: writes a line if none was written for this rule within the log interval. */
  void denied(Decision decision, String subject) {
    Ticker ticker = owner.ticker;
    long now = ticker.read();
    long next = nextLogAt;
    if (now - next < 0 || !NEXT_LOG.compareAndSet(this, next, now + owner.logIntervalNanos)) {
      return;
    }
    long total = count.sum();
    long since = total - logged;
    logged = total;
    owner.log.denial(decision, subject, Math.max(since, 1));
  }

  double value() {
    return count.sum();
  }
}
