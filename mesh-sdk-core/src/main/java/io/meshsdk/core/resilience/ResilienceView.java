package io.meshsdk.core.resilience;

import io.meshsdk.core.endpoint.EndpointState;
import java.util.List;

/**
 * A read-only view of one service's resilience policies at work, for reports, health endpoints and demos.
 * Counters count since the service's policies were compiled (a config change of its resilience settings starts
 * them again; other changes keep them).
 */
public interface ResilienceView {

  /** The breaker state ({@link BreakerState#DISABLED} when the breaker is off). */
  BreakerState breakerState();

  /** Calls the breaker refused. */
  long breakerRejections();

  /** Calls the rate limiter refused. */
  long rateLimitRejections();

  /** Calls the bulkhead refused. */
  long bulkheadRejections();

  /** Calls refused or cut short because their deadline had no room for an attempt. */
  long deadlineExceeded();

  /** Retries made. */
  long retries();

  /** Retries wanted but refused by the retry budget. */
  long retriesDeniedByBudget();

  /** Endpoint ejections (passive and active). */
  long ejections();

  /** Endpoint restorations. */
  long restorations();

  /** The endpoints ejected right now. */
  List<EndpointState> ejectedEndpoints();

  /** Whether the balancer is in panic mode (too few healthy endpoints: balancing over all of them). */
  boolean panicMode();

  /** Retries not made because the request body could not be sent again. */
  long retriesSkippedForBody();
}
