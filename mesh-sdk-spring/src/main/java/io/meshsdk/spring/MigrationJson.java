package io.meshsdk.spring;

import io.meshsdk.core.migration.GuardFigures;
import io.meshsdk.core.migration.GuardResult;
import io.meshsdk.core.migration.PlanEvidence;
import io.meshsdk.core.migration.PlanStatus;
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
      PlanEvidence e = t.evidence();
      if (e != null) {
        Map<String, Object> em = new LinkedHashMap<>();
        em.put("plan", e.plan());
        em.put("state", e.state().name());
        em.put("step", e.step());
        em.put("guard", e.guard());
        em.put("guards", guards(e.guards()));
        em.put("figures", figures(e.figures()));
        tm.put("evidence", em);
      }
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
    PlanStatus plan = s.plan();
    if (plan != null) {
      Map<String, Object> pm = new LinkedHashMap<>();
      pm.put("plan", plan.plan());
      pm.put("state", plan.state().name());
      pm.put("step", plan.step());
      pm.put("steps", plan.steps());
      pm.put("sidecarPercent", plan.sidecarPercent());
      pm.put("timeInStepSeconds", plan.timeInStep().toSeconds());
      pm.put("rollbacks", plan.rollbacks());
      pm.put("detail", plan.detail());
      pm.put("guards", guards(plan.guards()));
      pm.put("figures", figures(plan.figures()));
      m.put("plan", pm);
    }
    return m;
  }

  private static Map<String, Object> shadow(MigrationReport.Shadow sh) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("sent", sh.sent());
    m.put("pairs", sh.pairs());
    m.put("droppedConcurrency", sh.droppedConcurrency());
    m.put("droppedNotReady", sh.droppedNotReady());
    m.put("droppedCpu", sh.droppedCpu());
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

  private static List<Object> guards(List<GuardResult> results) {
    List<Object> out = new ArrayList<>();
    for (GuardResult r : results) {
      Map<String, Object> g = new LinkedHashMap<>();
      g.put("guard", r.guard());
      g.put("verdict", r.verdict().name());
      g.put("observed", r.observed());
      g.put("threshold", r.threshold());
      g.put("detail", r.detail());
      out.add(g);
    }
    return out;
  }

  private static @org.jspecify.annotations.Nullable Map<String, Object> figures(
      @org.jspecify.annotations.Nullable GuardFigures f) {
    if (f == null) {
      return null;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("from", f.from().toString());
    m.put("to", f.to().toString());
    m.put("windowSeconds", f.windowSeconds());
    m.put("sidecarCalls", f.sidecarCalls());
    m.put("sidecarErrors", f.sidecarErrors());
    m.put("sidecarP99Micros", f.sidecarP99Micros());
    m.put("directCalls", f.directCalls());
    m.put("directErrors", f.directErrors());
    m.put("directP99Micros", f.directP99Micros());
    m.put("directFromBaseline", f.directFromBaseline());
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
