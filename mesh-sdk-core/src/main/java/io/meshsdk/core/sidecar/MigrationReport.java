package io.meshsdk.core.sidecar;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.migration.PlanStatus;
import io.meshsdk.core.sidecar.parity.PolicyParity;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Where each migrating service's calls went over the last minute, and how each path fared, so an operator can
 * compare before moving to the next step ({@code direct → shadow:10 → split:10 → split:50 → sidecar}); for a
 * {@code shadow:N} service, the comparison of each copied call's direct answer with its shadow copy's
 * ({@link Service#shadow()}). Services appear once
 * they have been routed to the sidecar at least once (in any share) and stay listed after a rollback.
 *
 * @param sidecar the sidecar's address and style, or "" when none is configured
 * @param sidecarReady whether the sidecar is ready now
 * @param readinessTransitions how many times readiness changed since the mesh started
 * @param windowSeconds the window the figures cover
 * @param services one entry per migrating service, by name
 */
public record MigrationReport(
    String sidecar, boolean sidecarReady, long readinessTransitions, int windowSeconds, List<Service> services) {

  /** Copies the list. */
  public MigrationReport {
    requireNonNull(sidecar, "sidecar");
    services = List.copyOf(services);
  }

  /**
   * Calls of one path.
   *
   * @param calls calls that ended on this path
   * @param errors of which failed (5xx or I/O error)
   * @param p50Micros median latency, µs (histogram resolution ~20 %)
   * @param p99Micros 99th percentile latency, µs
   */
  public record PathStats(long calls, long errors, long p50Micros, long p99Micros) {
    /** {@code errors / calls}, 0 when there were no calls. */
    public double errorRate() {
      return calls == 0 ? 0 : (double) errors / calls;
    }
  }

  /**
   * The shadow comparison of one service ({@code route.mode=shadow:N}) over the window: for each call that was
   * copied, the pair (its direct answer, the copy's answer via the sidecar). A pair counts once both sides ended;
   * a copy still in flight, or a call whose response body the application never finished, makes none yet.
   *
   * @param sent copies handed to the sidecar path
   * @param pairs pairs with both sides ended
   * @param droppedConcurrency calls picked for a copy that got none: {@code route.shadow-max-concurrency} copies
   *     were in flight (dropped, never queued)
   * @param droppedNotReady calls picked for a copy that got none: the sidecar, or its route for the service, was
   *     not ready
   * @param droppedCpu calls picked for a copy that got none: the host's CPU use was above
   *     {@code route.shadow-max-cpu} (shed, so that copies never take CPU the primary calls need)
   * @param statusMismatches pairs whose statuses differ (a failure without status counts as its own status)
   * @param statusClassMismatches pairs whose status classes differ (2xx vs 5xx, or a status vs a failure); a
   *     subset of {@code statusMismatches}
   * @param direct the direct side of the pairs: calls (= pairs), errors (5xx or failure), p50/p99
   * @param shadow the shadow side of the pairs (a copy that timed out is an error)
   * @param inFlight copies in flight now
   * @param maxConcurrency the {@code route.shadow-max-concurrency} in force, 0 when the mode is not a shadow mode
   */
  public record Shadow(long sent, long pairs, long droppedConcurrency, long droppedNotReady, long droppedCpu,
      long statusMismatches, long statusClassMismatches, PathStats direct, PathStats shadow, int inFlight,
      int maxConcurrency) {

    /** No shadow traffic. */
    public static final Shadow NONE = new Shadow(0, 0, 0, 0, 0, 0, 0, new PathStats(0, 0, 0, 0),
        new PathStats(0, 0, 0, 0), 0, 0);

    /** Checks the paths. */
    public Shadow {
      requireNonNull(direct, "direct");
      requireNonNull(shadow, "shadow");
    }

    /** Calls picked for a copy that got none, for any reason. */
    public long dropped() {
      return droppedConcurrency + droppedNotReady + droppedCpu;
    }

    /** {@code statusMismatches / pairs}, 0 without pairs. */
    public double statusMismatchRate() {
      return pairs == 0 ? 0 : (double) statusMismatches / pairs;
    }

    /** {@code statusClassMismatches / pairs}, 0 without pairs. */
    public double statusClassMismatchRate() {
      return pairs == 0 ? 0 : (double) statusClassMismatches / pairs;
    }

    /** Whether there is anything to show: copies sent, dropped or compared in the window, or in flight. */
    public boolean isEmpty() {
      return sent == 0 && pairs == 0 && dropped() == 0 && inFlight == 0;
    }
  }

  /**
   * One service.
   *
   * @param service the service name
   * @param mode the route mode in force
   * @param direct calls that went direct (including fallbacks)
   * @param sidecar calls that went via the sidecar
   * @param fallbacks calls meant for the sidecar that went direct (sidecar not ready or refused the connection)
   * @param sidecarReady whether this service's sidecar-routed calls go to the sidecar now (the sidecar is ready
   *     and, with a {@code route.sidecar-health-path}, the service's probe through it passes)
   * @param readiness why (not): the last probe's finding, or how long a service set to use the sidecar has been
   *     running direct
   * @param transitions the last route changes, oldest first (at most {@link RouteTransition#KEPT_PER_SERVICE})
   * @param parity what the SDK governs on the direct path and whether the sidecar path has an equivalent, or
   *     {@code null} when not computed
   * @param shadow the shadow comparison ({@code shadow:N}), {@link Shadow#NONE} when none ran
   * @param plan the service's migration plan at work (state, step, time in step, last guard figures), or
   *     {@code null} when it follows none
   */
  public record Service(String service, RouteMode mode, PathStats direct, PathStats sidecar, long fallbacks,
      boolean sidecarReady, String readiness, List<RouteTransition> transitions,
      @Nullable PolicyParity parity, Shadow shadow, @Nullable PlanStatus plan) {

    /** Copies the list. */
    public Service {
      requireNonNull(service, "service");
      requireNonNull(mode, "mode");
      requireNonNull(readiness, "readiness");
      requireNonNull(shadow, "shadow");
      transitions = List.copyOf(transitions);
    }

    /** An entry without policy parity, a shadow comparison nor a migration plan. */
    public Service(String service, RouteMode mode, PathStats direct, PathStats sidecar, long fallbacks,
        boolean sidecarReady, String readiness, List<RouteTransition> transitions) {
      this(service, mode, direct, sidecar, fallbacks, sidecarReady, readiness, transitions, null, Shadow.NONE, null);
    }

    /** An entry without a shadow comparison nor a migration plan. */
    public Service(String service, RouteMode mode, PathStats direct, PathStats sidecar, long fallbacks,
        boolean sidecarReady, String readiness, List<RouteTransition> transitions, @Nullable PolicyParity parity) {
      this(service, mode, direct, sidecar, fallbacks, sidecarReady, readiness, transitions, parity, Shadow.NONE, null);
    }

    /** An entry without readiness detail nor transitions. */
    public Service(String service, RouteMode mode, PathStats direct, PathStats sidecar, long fallbacks) {
      this(service, mode, direct, sidecar, fallbacks, false, "", List.of());
    }

    /**
     * Whether the service is set to use the sidecar ({@code sidecar}, {@code split:N} or {@code shadow:N}) but its
     * sidecar-routed calls (or, in {@code shadow:N}, its shadow copies) do not go there because the sidecar, or
     * its route for the service, is not ready: the state to alert on.
     */
    public boolean runningDirectAgainstConfig() {
      return !mode.isDirect() && !sidecarReady;
    }

    /** All calls. */
    public long calls() {
      return direct.calls() + sidecar.calls();
    }

    /** Share of calls via the sidecar, 0 to 1. */
    public double sidecarShare() {
      long all = calls();
      return all == 0 ? 0 : (double) sidecar.calls() / all;
    }
  }

  /** The entry of {@code service}, or {@code null}. */
  public @Nullable Service service(String service) {
    for (Service s : services) {
      if (s.service().equals(service)) {
        return s;
      }
    }
    return null;
  }

  /**
   * A fixed-width table for a console or a demo. A service with shadow traffic gets two more rows, the direct
   * ({@code shadow:d}) and shadow ({@code shadow:s}) sides of its pairs, and a line with the mismatch rates and
   * the drops.
   */
  public String render() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "sidecar %s: %s (%d transitions); last %d s%n",
        sidecar.isEmpty() ? "(none configured)" : sidecar, sidecarReady ? "READY" : "NOT READY",
        readinessTransitions, windowSeconds));
    sb.append(String.format(Locale.ROOT, "%-16s %-10s %-8s %8s %7s %7s %9s %9s %9s%n",
        "service", "mode", "path", "calls", "share", "errors", "p50", "p99", "fallbacks"));
    for (Service s : services) {
      long all = s.calls();
      row(sb, s.service(), s.mode().toString(), "direct", s.direct(), all, Long.toString(s.fallbacks()));
      row(sb, "", "", "sidecar", s.sidecar(), all, "");
      Shadow sh = s.shadow();
      if (!sh.isEmpty() || s.mode().isShadow()) {
        row(sb, "", "", "shadow:d", sh.direct(), -1, "");
        row(sb, "", "", "shadow:s", sh.shadow(), -1, "");
        sb.append(String.format(Locale.ROOT, "  shadow: %d sent, %d pairs, status mismatch %.2f%% (class %.2f%%),"
            + " %d dropped (%d concurrency, %d not ready, %d cpu), %d in flight (max %d)%n", sh.sent(), sh.pairs(),
            100.0 * sh.statusMismatchRate(), 100.0 * sh.statusClassMismatchRate(), sh.dropped(),
            sh.droppedConcurrency(), sh.droppedNotReady(), sh.droppedCpu(), sh.inFlight(), sh.maxConcurrency()));
      }
      if (s.runningDirectAgainstConfig()) {
        sb.append(s.mode().isShadow() ? "  !! NOT READY on the sidecar path, no shadow copy is sent: "
            : "  !! NOT READY on the sidecar path, calls run DIRECT: ").append(s.readiness()).append('\n');
      }
      PlanStatus plan = s.plan();
      if (plan != null) {
        sb.append("  ").append(plan).append('\n');
        if (plan.figures() != null) {
          sb.append("    guards (").append(plan.figures()).append("): ");
          for (int i = 0; i < plan.guards().size(); i++) {
            sb.append(i == 0 ? "" : "; ").append(plan.guards().get(i));
          }
          sb.append('\n');
        }
      }
      int from = Math.max(0, s.transitions().size() - 3);
      for (RouteTransition t : s.transitions().subList(from, s.transitions().size())) {
        sb.append("  ").append(t).append('\n');
      }
      parity(sb, s.parity());
    }
    return sb.toString();
  }

  private static void row(StringBuilder sb, String service, String mode, String path, PathStats p, long all,
      String fallbacks) {
    sb.append(String.format(Locale.ROOT, "%-16s %-10s %-8s %8d %7s %6.2f%% %9s %9s %9s%n",
        service, mode, path, p.calls(),
        all < 0 ? "-" : String.format(Locale.ROOT, "%.1f%%", all == 0 ? 0.0 : 100.0 * p.calls() / all),
        100.0 * p.errorRate(), micros(p.p50Micros()), micros(p.p99Micros()), fallbacks));
  }

  /** The parity summary and every row that is not equivalent or off (the whole table: {@code parity.render()}). */
  private static void parity(StringBuilder sb, @Nullable PolicyParity p) {
    if (p == null) {
      return;
    }
    sb.append("  parity: ").append(p.summary()).append('\n');
    for (PolicyParity.Row r : p.rows()) {
      if (r.verdict() != PolicyParity.Verdict.EQUIVALENT
          && r.verdict() != PolicyParity.Verdict.OFF) {
        sb.append(String.format(Locale.ROOT, "  %s %-20s %s; sidecar: %s%n", r.verdict().isRisk() ? "!!" : "  ",
            r.concern().label(), r.direct(), r.sidecar()));
      }
    }
  }

  private static String micros(long us) {
    return us >= 10_000 ? String.format(Locale.ROOT, "%.1fms", us / 1000.0) : us + "us";
  }

  @Override
  public String toString() {
    return render();
  }
}
