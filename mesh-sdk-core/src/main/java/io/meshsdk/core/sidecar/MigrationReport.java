package io.meshsdk.core.sidecar;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;

/**
 * Where each migrating service's calls went over the last minute, and how each path fared, so an operator can
 * compare before moving to the next step ({@code direct → split:10 → split:50 → sidecar}). Services appear once
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
   * One service.
   *
   * @param service the service name
   * @param mode the route mode in force
   * @param direct calls that went direct (including fallbacks)
   * @param sidecar calls that went via the sidecar
   * @param fallbacks calls meant for the sidecar that went direct (sidecar not ready or refused the connection)
   */
  public record Service(String service, RouteMode mode, PathStats direct, PathStats sidecar, long fallbacks) {
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
  public @org.jspecify.annotations.Nullable Service service(String service) {
    for (Service s : services) {
      if (s.service().equals(service)) {
        return s;
      }
    }
    return null;
  }

  /** A fixed-width table for a console or a demo. */
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
    }
    return sb.toString();
  }

  private static void row(StringBuilder sb, String service, String mode, String path, PathStats p, long all,
      String fallbacks) {
    sb.append(String.format(Locale.ROOT, "%-16s %-10s %-8s %8d %6.1f%% %6.2f%% %9s %9s %9s%n",
        service, mode, path, p.calls(), all == 0 ? 0.0 : 100.0 * p.calls() / all, 100.0 * p.errorRate(),
        micros(p.p50Micros()), micros(p.p99Micros()), fallbacks));
  }

  private static String micros(long us) {
    return us >= 10_000 ? String.format(Locale.ROOT, "%.1fms", us / 1000.0) : us + "us";
  }

  @Override
  public String toString() {
    return render();
  }
}
