package io.meshsdk.core.sidecar.parity;

import io.meshsdk.core.resilience.RetryConfig;
import io.meshsdk.core.sidecar.parity.PolicyParity.Row;

/** What every snippet starts with, and shared wording. */
final class Snippets {

  private Snippets() {}

  /** The comment block that opens a snippet: what it is for, the dialect, the verdicts and the risks. */
  static void header(StringBuilder sb, String comment, PolicyParity p, String target) {
    sb.append(comment).append(" mesh-sdk policy parity for service \"").append(p.service()).append("\" (host ")
        .append(p.sidecarHost()).append("): ").append(target).append('\n');
    sb.append(comment).append(" generated from the service's effective config; sidecar dialect ").append(p.dialect())
        .append(", route.sidecar-retries=").append(p.sidecarRetries()).append('\n');
    sb.append(comment).append(" verdicts: ").append(p.summary()).append('\n');
    for (Row r : p.risks()) {
      sb.append(comment).append(" ").append(r.verdict().label()).append(": ").append(r.concern().label())
          .append(" (").append(r.direct()).append(")\n");
    }
  }

  /** Why the sidecar is given no retries when the SDK does not retry either. */
  static String noRetriesWhy(RetryConfig r) {
    return r.enabled() ? "retry.max-attempts=1: no retries" : "retry.enabled=false: no retries";
  }
}
