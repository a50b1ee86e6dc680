package io.meshsdk.core.metrics;

/** Names and tag keys of every meter the mesh registers; documented in {@code docs/observability.md}. */
public final class MetricNames {

  /** Timer of logical client calls. Tags: service, outcome, status, route (+ endpoint when enabled). */
  public static final String CLIENT_REQUESTS = "mesh.client.requests";
  /** Gauge of client calls in flight. Tag: service. */
  public static final String CLIENT_ACTIVE = "mesh.client.active";
  /** Counter of retries (attempts after the first). Tag: service. */
  public static final String CLIENT_RETRIES = "mesh.client.retries";
  /** Counter of retries refused because the retry budget was spent. Tag: service. */
  public static final String CLIENT_RETRY_BUDGET_EXHAUSTED = "mesh.client.retry.budget.exhausted";
  /** Counter of retries not made because the request body could not be sent again. Tag: service. */
  public static final String CLIENT_RETRY_SKIPPED = "mesh.client.retry.skipped";
  /** Counter of calls refused by the mesh. Tags: service, reason (breaker, rate_limiter, bulkhead). */
  public static final String CLIENT_REJECTIONS = "mesh.client.rejections";
  /** Counter of calls whose deadline left no time for (another) attempt. Tag: service. */
  public static final String CLIENT_DEADLINE_EXCEEDED = "mesh.client.deadline.exceeded";
  /** Counter of sidecar-routed calls that went direct. Tag: service. */
  public static final String CLIENT_SIDECAR_FALLBACKS = "mesh.client.sidecar.fallbacks";
  /**
   * Counter of sidecar-routed calls that went direct because the sidecar, or its route for the service, was not
   * ready (a subset of {@link #CLIENT_SIDECAR_FALLBACKS}). Tag: service.
   */
  public static final String CLIENT_SIDECAR_NOT_READY = "mesh.client.sidecar.not.ready";
  /** Counter of shadow copies handed to the sidecar path ({@code route.mode=shadow:N}). Tag: service. */
  public static final String CLIENT_SHADOW_SENT = "mesh.client.shadow.sent";
  /**
   * Counter of calls picked for a shadow copy that got none. Tags: service, reason ({@code concurrency}: the
   * service's {@code route.shadow-max-concurrency} copies were in flight; {@code not_ready}: the sidecar, or its
   * route for the service, was not ready; {@code cpu}: the host's CPU use was above {@code route.shadow-max-cpu}).
   */
  public static final String CLIENT_SHADOW_DROPPED = "mesh.client.shadow.dropped";
  /**
   * Counter of (direct, shadow) pairs whose statuses differed. Tags: service, kind ({@code status_class}: another
   * class such as 2xx vs 5xx, or a failure without status on one side; {@code status}: the same class, another
   * code).
   */
  public static final String CLIENT_SHADOW_MISMATCHES = "mesh.client.shadow.mismatches";
  /** Tag key: the kind of a shadow mismatch. */
  public static final String TAG_KIND = "kind";
  /**
   * Gauge per service ever set to use the sidecar: 0 while it is set to {@code sidecar}/{@code split:N} and its
   * sidecar-routed calls run direct because the sidecar (or its route for the service) is not ready, else 1.
   * Tag: service.
   */
  public static final String SIDECAR_SERVICE_READY = "mesh.sidecar.service.ready";
  /**
   * Counter of route transitions recorded in a service's audit trail. Tags: service, by ({@code api}, {@code config},
   * {@code plan}), direction of the sidecar share ({@code up}, {@code down}, {@code same}): a plan's rollback is
   * {@code by=plan, direction=down}.
   */
  public static final String ROUTE_TRANSITIONS = "mesh.route.transitions";
  /** Tag key: who made a route transition. */
  public static final String TAG_BY = "by";
  /** Tag key: which way a route transition moved the sidecar share. */
  public static final String TAG_DIRECTION = "direction";
  /**
   * Gauge per service whose route ever changed: the share of its calls routed to the sidecar, in % (0 for
   * {@code direct} and {@code shadow:N}, N for {@code split:N}, 100 for {@code sidecar}). Tag: service.
   */
  public static final String ROUTE_SIDECAR_SHARE = "mesh.route.sidecar.share";
  /** Counter of endpoint ejections. Tags: service, reason (consecutive_failures, failure_rate, health_check). */
  public static final String ENDPOINT_EJECTIONS = "mesh.endpoint.ejections";
  /** Gauge of endpoints per service by state. Tags: service, state (healthy, ejected, panic). */
  public static final String ENDPOINTS = "mesh.endpoints";
  /** Gauge, 1 for the circuit breaker's current state and 0 for the others. Tags: service, state. */
  public static final String BREAKER_STATE = "mesh.client.breaker.state";
  /**
   * Gauge, 1 while the service is served from last-known-good endpoints (discovery failing or empty for it, or the
   * failsafe file), else 0; registered when it first happens. Tag: service.
   */
  public static final String DISCOVERY_STALE = "mesh.discovery.stale";
  /** Gauge, 1 while the local sidecar is ready, else 0 (registered once the sidecar was first probed). */
  public static final String SIDECAR_READY = "mesh.sidecar.ready";
  /** Counter of the sidecar's readiness changes. */
  public static final String SIDECAR_READINESS_TRANSITIONS = "mesh.sidecar.readiness.transitions";
  /** Counter of calls meant for the sidecar that went direct, over all services. */
  public static final String SIDECAR_FALLBACKS = "mesh.sidecar.fallbacks";
  /** Timer of inbound requests. Tags: caller, outcome, status. */
  public static final String SERVER_REQUESTS = "mesh.server.requests";

  /** Tag key: the mesh service called. */
  public static final String TAG_SERVICE = "service";
  /** Tag key: {@link io.meshsdk.core.observe.Outcome#tag()}. */
  public static final String TAG_OUTCOME = "outcome";
  /** Tag key: status class, {@code 1xx}..{@code 5xx} or {@code none}. */
  public static final String TAG_STATUS = "status";
  /** Tag key: {@code direct} or {@code sidecar}. */
  public static final String TAG_ROUTE = "route";
  /** Tag key: endpoint id (opt-in, capped; {@code other} past the cap, {@code none} without endpoint). */
  public static final String TAG_ENDPOINT = "endpoint";
  /** Tag key: why the mesh refused a call. */
  public static final String TAG_REASON = "reason";
  /** Tag key: endpoint or breaker state. */
  public static final String TAG_STATE = "state";
  /** Tag key: the calling service (server side; capped, {@code unknown} when not told). */
  public static final String TAG_CALLER = "caller";

  /** Endpoint tag value for endpoints past the cardinality cap. */
  public static final String OTHER = "other";
  /** Tag value when there is nothing to name (no status, no endpoint). */
  public static final String NONE = "none";

  private MetricNames() {}

  /** Status class tags indexed by {@link #statusIndex(int)}. */
  static final String[] STATUS_CLASSES = {"none", "1xx", "2xx", "3xx", "4xx", "5xx"};

  /** 0 for no status, 1..5 for 1xx..5xx (anything else counts as {@code none}). */
  static int statusIndex(int status) {
    int c = status / 100;
    return c >= 1 && c <= 5 ? c : 0;
  }
}
