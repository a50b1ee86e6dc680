package io.meshsdk.spring;

import io.meshsdk.core.sidecar.MigrationReport;
import io.meshsdk.core.sidecar.RouteTransition;
import io.meshsdk.core.sidecar.parity.PolicyParity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Renders a {@link MigrationReport} as plain maps and lists (JSON-ready, independent of any JSON library). */
final class MigrationJson {

  private MigrationJson() {}

  static Map<String, Object> render(MigrationReport r) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("sidecar", r.sidecar());
    out.put("sidecarReady", r.sidecarReady());
    out.put("readinessTransitions", r.readinessTransitions());
    out.put("windowSeconds", r.windowSeconds());
    List<Object> services = new ArrayList<>();
    for (MigrationReport.Service s : r.services()) {
      services.add(service(s));
    }
    out.put("services", services);
    return out;
  }

  private static Map<String, Object> service(MigrationReport.Service s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("service", s.service());
    m.put("mode", s.mode().toString());
    m.put("sidecarReady", s.sidecarReady());
    m.put("runningDirectAgainstConfig", s.runningDirectAgainstConfig());
    m.put("readiness", s.readiness());
    m.put("sidecarShare", s.sidecarShare());
    m.put("direct", path(s.direct()));
    m.put("viaSidecar", path(s.sidecar()));
    m.put("fallbacks", s.fallbacks());
    List<Object> transitions = new ArrayList<>();
    for (RouteTransition t : s.transitions()) {
      Map<String, Object> tm = new LinkedHashMap<>();
      tm.put("at", t.at().toString());
      tm.put("by", t.by());
      tm.put("from", t.from().toString());
      tm.put("to", t.to().toString());
      tm.put("reason", t.reason());
      transitions.add(tm);
    }
    m.put("transitions", transitions);
    if (!s.shadow().isEmpty()) {
      m.put("shadow", shadow(s.shadow()));
    }
    PolicyParity parity = s.parity();
    if (parity != null) {
      m.put("parity", parity(parity));
    }
    return m;
  }

  private static Map<String, Object> shadow(MigrationReport.Shadow sh) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("sent", sh.sent());
    m.put("pairs", sh.pairs());
    m.put("droppedConcurrency", sh.droppedConcurrency());
    m.put("droppedNotReady", sh.droppedNotReady());
    m.put("statusMismatchRate", sh.statusMismatchRate());
    m.put("statusClassMismatchRate", sh.statusClassMismatchRate());
    m.put("direct", path(sh.direct()));
    m.put("shadow", path(sh.shadow()));
    m.put("inFlight", sh.inFlight());
    m.put("maxConcurrency", sh.maxConcurrency());
    return m;
  }

  private static Map<String, Object> parity(PolicyParity p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("summary", p.summary());
    List<Object> rows = new ArrayList<>();
    for (PolicyParity.Row r : p.rows()) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("concern", r.concern().label());
      row.put("direct", r.direct());
      row.put("sidecar", r.sidecar());
      row.put("verdict", r.verdict().name());
      rows.add(row);
    }
    m.put("rows", rows);
    return m;
  }

  private static Map<String, Object> path(MigrationReport.PathStats p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("calls", p.calls());
    m.put("errors", p.errors());
    m.put("errorRate", p.errorRate());
    m.put("p50Micros", p.p50Micros());
    m.put("p99Micros", p.p99Micros());
    return m;
  }
}
