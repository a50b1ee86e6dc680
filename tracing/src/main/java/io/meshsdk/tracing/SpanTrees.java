package io.meshsdk.tracing;

import static java.util.Objects.requireNonNull;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Renders finished spans (e.g. an {@code InMemorySpanExporter}'s) as one indented tree per trace, for demos,
 * logs and test failure messages:
 *
 * <pre>
 * trace 4bf92f3577b34da6a3ce929d0e0e4736
 * └─ handle order [INTERNAL] 3.4 ms
 *    ├─ GET [CLIENT] 1.2 ms 127.0.0.1:41001 mesh.service=inventory mesh.route=direct status=503 error.type=503 ERROR !mesh.retry(503)
 *    │  └─ GET /items [SERVER] 0.4 ms status=503 ERROR
 *    └─ GET [CLIENT] 1.1 ms 127.0.0.1:41002 mesh.service=inventory mesh.route=direct status=200 resend=1
 * </pre>
 */
public final class SpanTrees {

  private SpanTrees() {}

  /** Every trace in {@code spans}, in order of first start, each as a tree. */
  public static String render(Collection<SpanData> spans) {
    requireNonNull(spans, "spans");
    Map<String, List<SpanData>> byTrace = new LinkedHashMap<>();
    spans.stream()
        .sorted(Comparator.comparingLong(SpanData::getStartEpochNanos))
        .forEach(s -> byTrace.computeIfAbsent(s.getTraceId(), k -> new ArrayList<>()).add(s));
    StringBuilder out = new StringBuilder();
    byTrace.forEach((traceId, list) -> renderTrace(out, traceId, list));
    return out.toString();
  }

  private static void renderTrace(StringBuilder out, String traceId, List<SpanData> spans) {
    out.append("trace ").append(traceId).append('\n');
    Set<String> ids = new HashSet<>();
    spans.forEach(s -> ids.add(s.getSpanId()));
    Map<String, List<SpanData>> children = new LinkedHashMap<>();
    List<SpanData> roots = new ArrayList<>();
    for (SpanData s : spans) {
      if (ids.contains(s.getParentSpanId())) {
        children.computeIfAbsent(s.getParentSpanId(), k -> new ArrayList<>()).add(s);
      } else {
        roots.add(s); // true roots, and spans whose parent is in another process or was not exported
      }
    }
    for (int i = 0; i < roots.size(); i++) {
      renderSpan(out, roots.get(i), "", i == roots.size() - 1, children);
    }
  }

  private static void renderSpan(
      StringBuilder out, SpanData s, String indent, boolean last, Map<String, List<SpanData>> children) {
    out.append(indent).append(last ? "└─ " : "├─ ").append(describe(s)).append('\n');
    List<SpanData> kids = children.getOrDefault(s.getSpanId(), List.of());
    String next = indent + (last ? "   " : "│  ");
    for (int i = 0; i < kids.size(); i++) {
      renderSpan(out, kids.get(i), next, i == kids.size() - 1, children);
    }
  }

  /** One line: name, kind, duration, the telling attributes, events and the error status. */
  static String describe(SpanData s) {
    StringBuilder b = new StringBuilder(s.getName())
        .append(" [").append(s.getKind()).append("] ")
        .append(String.format(Locale.ROOT, "%.1f ms", (s.getEndEpochNanos() - s.getStartEpochNanos()) / 1e6))
        .append(" span=").append(s.getSpanId());
    var a = s.getAttributes();
    String host = a.get(SemanticAttributes.SERVER_ADDRESS);
    if (host != null) {
      b.append(' ').append(host).append(':').append(a.get(SemanticAttributes.SERVER_PORT));
    }
    append(b, "mesh.service", a.get(SemanticAttributes.MESH_SERVICE));
    append(b, "mesh.route", a.get(SemanticAttributes.MESH_ROUTE));
    append(b, "mesh.endpoint.id", a.get(SemanticAttributes.MESH_ENDPOINT_ID));
    append(b, "mesh.attempts", a.get(SemanticAttributes.MESH_ATTEMPTS));
    append(b, "status", a.get(SemanticAttributes.HTTP_RESPONSE_STATUS_CODE));
    append(b, "resend", a.get(SemanticAttributes.HTTP_REQUEST_RESEND_COUNT));
    append(b, "error.type", a.get(SemanticAttributes.ERROR_TYPE));
    for (EventData e : s.getEvents()) {
      b.append(" !").append(e.getName());
      String detail = e.getAttributes().get(AttributeKey.stringKey("mesh.detail"));
      if (detail != null && !detail.isEmpty()) {
        b.append('(').append(detail).append(')');
      }
    }
    if (s.getStatus().getStatusCode() == StatusCode.ERROR) {
      b.append(" ERROR");
    }
    return b.toString();
  }

  private static void append(StringBuilder b, String key, @org.jspecify.annotations.Nullable Object value) {
    if (value != null) {
      b.append(' ').append(key).append('=').append(value);
    }
  }
}
