package io.meshsdk.core.observe;

import io.meshsdk.core.endpoint.EndpointState;
import org.jspecify.annotations.Nullable;

/** Fans every callback out to several observers; skips those that return {@link CallObserver#NOOP}. */
final class CompositeMeshObserver implements MeshObserver {

  private final MeshObserver[] observers;

  CompositeMeshObserver(MeshObserver[] observers) {
    this.observers = observers;
  }

  @Override
  public CallObserver onCallStart(CallInfo call) {
    // No allocation unless two or more observers record this call (e.g. metrics + a sampled-out trace
    // costs nothing extra).
    CallObserver first = CallObserver.NOOP;
    CallObserver @Nullable [] calls = null;
    int n = 0;
    for (MeshObserver o : observers) {
      CallObserver c = o.onCallStart(call);
      if (c == CallObserver.NOOP) {
        continue;
      }
      if (n == 0) {
        first = c;
      } else {
        if (calls == null) {
          calls = new CallObserver[observers.length];
          calls[0] = first;
        }
        calls[n] = c;
      }
      n++;
    }
    if (calls == null) {
      return first;
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
  public @org.jspecify.annotations.Nullable String currentTraceId() {
    for (MeshObserver o : observers) {
      String id = o.currentTraceId();
      if (id != null) {
        return id;
      }
    }
    return null;
  }

  @Override
  public void onSidecarReadinessChange(boolean ready) {
    for (MeshObserver o : observers) {
      o.onSidecarReadinessChange(ready);
    }
  }
}
