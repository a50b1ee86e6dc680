package io.meshsdk.core.observe;

import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.endpoint.EndpointState;
import io.meshsdk.core.registration.RegistrationStatus;
import io.meshsdk.core.registration.ServiceRegistration;
import io.meshsdk.core.resilience.BreakerState;
import io.meshsdk.core.sidecar.RouteTransition;
import java.util.Arrays;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fans every callback out to several observers, each guarded (one that throws is logged and does not stop the
 * others); skips the ones that return {@link CallObserver#NOOP} for a call.
 */
final class CompositeMeshObserver implements MeshObserver {

  private static final Logger log = LoggerFactory.getLogger(CompositeMeshObserver.class);

  private final MeshObserver[] observers;

  CompositeMeshObserver(MeshObserver[] observers) {
    this.observers = observers;
  }

  @Override
  public CallObserver onCallStart(CallInfo call) {
    // No allocation unless two or more observers record this call (e.g. metrics + a sampled-out trace costs
    // nothing extra).
    CallObserver first = CallObserver.NOOP;
    CallObserver @Nullable [] calls = null;
    int n = 0;
    for (MeshObserver o : observers) {
      CallObserver c;
      try {
        c = o.onCallStart(call);
      } catch (RuntimeException e) {
        log.warn("MeshObserver.onCallStart threw; that observer sees nothing of this call", e);
        continue;
      }
      if (c == null || c == CallObserver.NOOP) {
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
    return new Fanout(n == calls.length ? calls : Arrays.copyOf(calls, n));
  }

  /** One call seen by several observers. */
  private static final class Fanout implements CallObserver {
    private final CallObserver[] used;
    private final boolean attempts;

    Fanout(CallObserver[] used) {
      this.used = used;
      boolean any = false;
      for (CallObserver c : used) {
        any |= c.observesAttempts();
      }
      this.attempts = any;
    }

    @Override
    public boolean observesAttempts() {
      return attempts;
    }

    @Override
    public void onAttemptStart(AttemptInfo attempt, OutboundHeaders headers) {
      for (CallObserver c : used) {
        try {
          c.onAttemptStart(attempt, headers);
        } catch (RuntimeException e) {
          log.warn("CallObserver.onAttemptStart threw", e);
        }
      }
    }

    @Override
    public void onAttemptEnd(AttemptInfo attempt, AttemptResult result) {
      for (CallObserver c : used) {
        try {
          c.onAttemptEnd(attempt, result);
        } catch (RuntimeException e) {
          log.warn("CallObserver.onAttemptEnd threw", e);
        }
      }
    }

    @Override
    public void onEvent(MeshEvent event, String detail) {
      for (CallObserver c : used) {
        try {
          c.onEvent(event, detail);
        } catch (RuntimeException e) {
          log.warn("CallObserver.onEvent threw", e);
        }
      }
    }

    @Override
    public void onCallEnd(CallResult result) {
      for (CallObserver c : used) {
        try {
          c.onCallEnd(result);
        } catch (RuntimeException e) {
          log.warn("CallObserver.onCallEnd threw", e);
        }
      }
    }
  }

  private void each(String what, Consumer<MeshObserver> callback) {
    for (MeshObserver o : observers) {
      try {
        callback.accept(o);
      } catch (RuntimeException e) {
        log.warn("MeshObserver.{} threw", what, e);
      }
    }
  }

  @Override
  public void onServiceAdded(String service) {
    each("onServiceAdded", o -> o.onServiceAdded(service));
  }

  @Override
  public void onServiceRemoved(String service) {
    each("onServiceRemoved", o -> o.onServiceRemoved(service));
  }

  @Override
  public void onEndpointsChanged(String service, EndpointSet endpoints) {
    each("onEndpointsChanged", o -> o.onEndpointsChanged(service, endpoints));
  }

  @Override
  public void onEndpointStateChanged(EndpointState endpoint, EndpointStateChange change) {
    each("onEndpointStateChanged", o -> o.onEndpointStateChanged(endpoint, change));
  }

  @Override
  public void onBreakerStateChanged(String service, BreakerState state) {
    each("onBreakerStateChanged", o -> o.onBreakerStateChanged(service, state));
  }

  @Override
  public void onSidecarReadinessChanged(boolean ready, String reason) {
    each("onSidecarReadinessChanged", o -> o.onSidecarReadinessChanged(ready, reason));
  }

  @Override
  public void onServiceSidecarReadinessChanged(String service, boolean ready, String reason) {
    each("onServiceSidecarReadinessChanged", o -> o.onServiceSidecarReadinessChanged(service, ready, reason));
  }

  @Override
  public void onShadowMismatch(String service, int directStatus, int shadowStatus) {
    each("onShadowMismatch", o -> o.onShadowMismatch(service, directStatus, shadowStatus));
  }

  @Override
  public void onRouteTransition(RouteTransition transition) {
    each("onRouteTransition", o -> o.onRouteTransition(transition));
  }

  @Override
  public void onRegistrationChanged(ServiceRegistration registration, RegistrationStatus status, String detail) {
    each("onRegistrationChanged", o -> o.onRegistrationChanged(registration, status, detail));
  }

  @Override
  public @Nullable String currentTraceId() {
    for (MeshObserver o : observers) {
      try {
        String id = o.currentTraceId();
        if (id != null) {
          return id;
        }
      } catch (RuntimeException e) {
        log.warn("MeshObserver.currentTraceId threw", e);
      }
    }
    return null;
  }

  @Override
  public @Nullable Object captureContext() {
    Object[] captured = null;
    for (int i = 0; i < observers.length; i++) {
      Object c;
      try {
        c = observers[i].captureContext();
      } catch (RuntimeException e) {
        log.warn("MeshObserver.captureContext threw", e);
        c = null;
      }
      if (c != null) {
        if (captured == null) {
          captured = new Object[observers.length];
        }
        captured[i] = c;
      }
    }
    return captured == null ? null : new Captured(captured);
  }

  @Override
  public ContextScope restoreContext(Object captured) {
    if (!(captured instanceof Captured c)) {
      return ContextScope.NONE;
    }
    ContextScope[] scopes = new ContextScope[observers.length];
    for (int i = 0; i < observers.length; i++) {
      Object mine = c.parts[i];
      if (mine != null) {
        try {
          scopes[i] = observers[i].restoreContext(mine);
        } catch (RuntimeException e) {
          log.warn("MeshObserver.restoreContext threw", e);
        }
      }
    }
    return () -> {
      for (int i = scopes.length - 1; i >= 0; i--) {
        if (scopes[i] != null) {
          try {
            scopes[i].close();
          } catch (RuntimeException e) {
            log.warn("ContextScope.close threw", e);
          }
        }
      }
    };
  }

  /** What each observer captured, by position. */
  private static final class Captured {
    final @Nullable Object[] parts;

    Captured(@Nullable Object[] parts) {
      this.parts = parts;
    }
  }
}
