package io.meshsdk.core.snapshot;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.discovery.DiscoveryHealth;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The whole mesh now: discovery, the sidecar and every service it routes, with the reason behind every exclusion.
 *
 * @param takenAt when the snapshot was taken
 * @param discovery the discovery backend's name
 * @param discoveryHealth its health
 * @param sidecar the sidecar's address and style, or "" when none is configured
 * @param sidecarReady whether the sidecar is ready
 * @param services one entry per service, by name
 */
public record MeshSnapshot(
    Instant takenAt,
    String discovery,
    DiscoveryHealth discoveryHealth,
    String sidecar,
    boolean sidecarReady,
    List<ServiceSnapshot> services) {

  /** Copies the list. */
  public MeshSnapshot {
    requireNonNull(takenAt, "takenAt");
    requireNonNull(discovery, "discovery");
    requireNonNull(discoveryHealth, "discoveryHealth");
    requireNonNull(sidecar, "sidecar");
    services = List.copyOf(services);
  }

  /** The entry of {@code service}, or {@code null}. */
  public @Nullable ServiceSnapshot service(String service) {
    for (ServiceSnapshot s : services) {
      if (s.service().equals(service)) {
        return s;
      }
    }
    return null;
  }

  /** A fixed-width text rendering, for a console or the demo. */
  public String render() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "discovery %s: %s%s%n", discovery,
        discoveryHealth.connected() ? "connected" : "FAILING",
        discoveryHealth.lastError() == null ? "" : " (" + discoveryHealth.lastError() + ")"));
    if (!sidecar.isEmpty()) {
      sb.append(String.format(Locale.ROOT, "sidecar %s: %s%n", sidecar, sidecarReady ? "READY" : "NOT READY"));
    }
    for (ServiceSnapshot s : services) {
      sb.append(String.format(Locale.ROOT, "%s  lb=%s route=%s breaker=%s%s%s%s%s%n", s.service(), s.loadBalancer(),
          s.routeMode(), s.breaker().state(),
          s.breaker().nextTrial() == null ? "" : " (next trial in " + ago(s.breaker().nextTrial(), true) + ")",
          s.panicSince() == null ? "" : "  PANIC since " + ago(s.panicSince(), false) + " ago",
          s.lastKnownGoodSince() == null ? "" : "  last-known-good since " + ago(s.lastKnownGoodSince(), false)
              + " ago",
          s.failsafeWrittenAt() == null ? "" : " from the failsafe file written " + ago(s.failsafeWrittenAt(), false)
              + " ago"));
      for (EndpointSnapshot e : s.endpoints()) {
        String why = switch (e.status()) {
          case SERVING -> "";
          case SLOW_START -> e.detail();
          case EJECTED, SERVING_IN_PANIC -> e.reason() == null ? e.detail()
              : e.reason().tag() + ": " + e.detail() + (e.since() == null ? "" : ", since " + ago(e.since(), false)
                  + " ago") + (e.until() == null ? "" : ", back in " + ago(e.until(), true));
        };
        sb.append(String.format(Locale.ROOT, "  %-24s %-16s %6.2fms ok=%-6d fail=%-5d %s%n", e.endpoint().id(),
            e.status(), e.latencyMillis(), e.successes(), e.failures(), why));
      }
    }
    return sb.toString();
  }

  private String ago(Instant t, boolean future) {
    Duration d = future ? Duration.between(takenAt, t) : Duration.between(t, takenAt);
    long ms = Math.max(0, d.toMillis());
    return ms >= 10_000 ? (ms / 1000) + " s" : ms + " ms";
  }

  @Override
  public String toString() {
    return render();
  }
}
