package io.meshsdk.core.metrics;

import io.meshsdk.core.endpoint.EndpointState;
import io.meshsdk.core.observe.AttemptInfo;
import io.meshsdk.core.observe.CallObserver;
import io.meshsdk.core.observe.CallResult;
import io.meshsdk.core.observe.MeshEvent;
import io.meshsdk.core.observe.OutboundHeaders;
import org.jspecify.annotations.Nullable;

/** One call with the endpoint tag on: remembers the endpoint of the last attempt. */
final class EndpointCallObserver implements CallObserver {

  private final ServiceMeters m;
  private @Nullable EndpointState last;

  EndpointCallObserver(ServiceMeters m) {
    this.m = m;
  }

  @Override
  public void onAttemptStart(AttemptInfo attempt, OutboundHeaders headers) {
    last = attempt.endpoint();
  }

  @Override
  public void onEvent(MeshEvent event, String detail) {
    m.event(event);
  }

  @Override
  public void onCallEnd(CallResult result) {
    m.record(result, last);
  }
}
