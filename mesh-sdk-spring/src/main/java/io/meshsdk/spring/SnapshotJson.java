package io.meshsdk.spring;

import io.meshsdk.core.discovery.DiscoveryHealth;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.snapshot.BreakerSnapshot;
import io.meshsdk.core.snapshot.EndpointSnapshot;
import io.meshsdk.core.snapshot.MeshSnapshot;
import io.meshsdk.core.snapshot.ServiceSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Renders a {@link MeshSnapshot} as plain maps and lists (JSON-ready, independent of any JSON library). */
final class SnapshotJson {

  private SnapshotJson() {}

  static Map<String, Object> render(MeshSnapshot s) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("takenAt", s.takenAt().toString());
    out.put("discovery", discovery(s.discovery(), s.discoveryHealth(), s.takenAt()));
    Map<String, Object> sidecar = new LinkedHashMap<>();
    sidecar.put("address", s.sidecar());
    sidecar.put("ready", s.sidecarReady());
    out.put("sidecar", sidecar);
    List<Object> services = new ArrayList<>();
    for (ServiceSnapshot svc : s.services()) {
      services.add(service(svc, s.takenAt()));
    }
    out.put("services", services);
    return out;
  }

  static Map<String, Object> discovery(String name, DiscoveryHealth h, Instant now) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("backend", name);
    d.put("connected", h.connected());
    put(d, "lastUpdate", h.lastUpdate());
    put(d, "lastError", h.lastError());
    put(d, "lastErrorAt", h.lastErrorAt());
    return d;
  }

  private static Map<String, Object> service(ServiceSnapshot s, Instant now) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("service", s.service());
    m.put("loadBalancer", s.loadBalancer());
    m.put("routeMode", s.routeMode().toString());
    m.put("breaker", breaker(s.breaker()));
    put(m, "panicSince", s.panicSince());
    put(m, "lastKnownGoodSince", s.lastKnownGoodSince());
    put(m, "failsafeWrittenAt", s.failsafeWrittenAt());
    Instant written = s.failsafeWrittenAt();
    if (written != null) {
      m.put("failsafeAgeMillis", Math.max(0, Duration.between(written, now).toMillis()));
    }
    put(m, "discoveryError", s.discoveryError());
    put(m, "lastUpdate", s.lastUpdate());
    m.put("serving", s.serving());
    List<Object> endpoints = new ArrayList<>();
    for (EndpointSnapshot e : s.endpoints()) {
      endpoints.add(endpoint(e));
    }
    m.put("endpoints", endpoints);
    return m;
  }

  private static Map<String, Object> breaker(BreakerSnapshot b) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("state", b.state().toString());
    put(m, "since", b.since());
    put(m, "nextTrial", b.nextTrial());
    m.put("failureRatePercent", b.failureRatePercent());
    return m;
  }

  private static Map<String, Object> endpoint(EndpointSnapshot e) {
    Endpoint ep = e.endpoint();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", ep.id());
    m.put("host", ep.host());
    m.put("port", ep.port());
    m.put("status", e.status().toString());
    if (e.reason() != null) {
      m.put("reason", e.reason().tag());
    }
    if (!e.detail().isEmpty()) {
      m.put("detail", e.detail());
    }
    put(m, "since", e.since());
    put(m, "until", e.until());
    m.put("slowStartFactor", e.slowStartFactor());
    m.put("inFlight", e.inFlight());
    m.put("latencyMillis", e.latencyMillis());
    m.put("successes", e.successes());
    m.put("failures", e.failures());
    m.put("recentFailureRate", e.recentFailureRate());
    return m;
  }

  private static void put(Map<String, Object> m, String key, @Nullable Object value) {
    if (value != null) {
      m.put(key, value.toString());
    }
  }
}
