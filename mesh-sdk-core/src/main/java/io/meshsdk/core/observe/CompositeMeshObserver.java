package io.meshsdk.core.observe;

import io.meshsdk.core.endpoint.EndpointState;

/** Fans every callback out to several observers; skips those that return {@link CallObserver#NOOP}. */
final class CompositeMeshObserver implements MeshObserver {

  private final MeshObserver[] observers;

  CompositeMeshObserver(MeshObserver[] observers) {
    this.observers = observers;
  }

  @Override
  public CallObserver onCallStart(CallInfo call) {
    CallObserver[] calls = new CallObserver[observers.length];
    int n = 0;
    for (MeshObserver o : observers) {
      CallObserver c = o.onCallStart(call);
      if (c != CallObserver.NOOP) {
        calls[n++] = c;
      }
    }
    if (n == 0) {
      return CallObserver.NOOP;
    }
    if (n == 1) {
      return calls[0];
    }
    CallObserver[] used = n == calls.length ? calls : java.util.Arrays.copyOf(calls, n);
    return new CallObserver() {
      @Override
      public void onAttemptStart(AttemptInfo attempt, OutboundHeaders headers) {
        for (CallObserver c : used) {
          c.onAttemptStart(attempt, headers);
        }
      }

      @Override
      public void onAttemptEnd(AttemptInfo attempt, AttemptResult result) {
        for (CallObserver c : used) {
          c.onAttemptEnd(attempt, result);
        }
      }

      @Override
      public void onEvent(MeshEvent event, String detail) {
        for (CallObserver c : used) {
          c.onEvent(event, detail);
        }
      }

      @Override
      public void onCallEnd(CallResult result) {
        for (CallObserver c : used) {
          c.onCallEnd(result);
        }
      }
    };
  }

  @Override
  public void onEndpointHealthChange(EndpointState endpoint, boolean ejected) {
    for (MeshObserver o : observers) {
      o.onEndpointHealthChange(endpoint, ejected);
    }
  }

  @Override
  public void onSidecarReadinessChange(boolean ready) {
    for (MeshObserver o : observers) {
      o.onSidecarReadinessChange(ready);
    }
  }
}
