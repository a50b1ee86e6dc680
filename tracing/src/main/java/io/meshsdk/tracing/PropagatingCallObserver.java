package io.meshsdk.tracing;

import io.meshsdk.core.observe.AttemptInfo;
import io.meshsdk.core.observe.CallObserver;
import io.meshsdk.core.observe.OutboundHeaders;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;

/**
 * A call that records nothing but must still carry its context: a sampled-out parent (traceparent with
 * flags 00) or baggage. No span is created.
 */
final class PropagatingCallObserver implements CallObserver {

  private final TextMapPropagator propagator;
  private final Context context;

  PropagatingCallObserver(TextMapPropagator propagator, Context context) {
    this.propagator = propagator;
    this.context = context;
  }

  @Override
  public void onAttemptStart(AttemptInfo attempt, OutboundHeaders headers) {
    propagator.inject(context, headers, HeaderAccess.SETTER);
  }
}
