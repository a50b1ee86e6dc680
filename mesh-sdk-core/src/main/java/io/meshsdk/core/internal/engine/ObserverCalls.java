package io.meshsdk.core.internal.engine;

import io.meshsdk.core.observe.AttemptInfo;
import io.meshsdk.core.observe.AttemptResult;
import io.meshsdk.core.observe.CallInfo;
import io.meshsdk.core.observe.CallObserver;
import io.meshsdk.core.observe.CallResult;
import io.meshsdk.core.observe.MeshEvent;
import io.meshsdk.core.observe.MeshObserver;
import io.meshsdk.core.observe.OutboundHeaders;
import io.meshsdk.core.observe.Route;
import io.meshsdk.core.transport.TransportCall;
import okhttp3.HttpUrl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's calls into a call's observers: an observer that throws is logged and ignored, never allowed to fail
 * the call, and nothing is built for {@link MeshObserver#NOOP}.
 */
final class ObserverCalls {

  private static final Logger log = LoggerFactory.getLogger(ObserverCalls.class);

  private ObserverCalls() {}

  /** Starts observing a call; {@link CallObserver#NOOP} (and no {@link CallInfo}) when nobody watches. */
  static CallObserver start(MeshObserver observer, String service, String method, HttpUrl url,
      TransportCall<?> call, Route route, String loadBalancer) {
    if (observer == MeshObserver.NOOP) {
      return CallObserver.NOOP;
    }
    try {
      CallObserver o = observer.onCallStart(new CallInfo(service, method, url, route, loadBalancer, call));
      return o == null ? CallObserver.NOOP : o;
    } catch (RuntimeException e) {
      log.warn("MeshObserver.onCallStart threw; observing nothing for this call", e);
      return CallObserver.NOOP;
    }
  }

  /** {@link CallObserver#onAttemptStart}, guarded. */
  static void attemptStart(CallObserver obs, AttemptInfo info, OutboundHeaders headers) {
    try {
      obs.onAttemptStart(info, headers);
    } catch (RuntimeException e) {
      log.warn("CallObserver.onAttemptStart threw", e);
    }
  }

  /** {@link CallObserver#onAttemptEnd}, guarded. */
  static void attemptEnd(CallObserver obs, AttemptInfo info, AttemptResult result) {
    try {
      obs.onAttemptEnd(info, result);
    } catch (RuntimeException e) {
      log.warn("CallObserver.onAttemptEnd threw", e);
    }
  }

  /** {@link CallObserver#onEvent}, guarded; nothing for {@link CallObserver#NOOP}. */
  static void event(CallObserver obs, MeshEvent event, String detail) {
    if (obs == CallObserver.NOOP) {
      return;
    }
    try {
      obs.onEvent(event, detail);
    } catch (RuntimeException e) {
      log.warn("CallObserver.onEvent threw", e);
    }
  }

  /** {@link CallObserver#onCallEnd}, guarded. */
  static void callEnd(CallObserver obs, CallResult result) {
    try {
      obs.onCallEnd(result);
    } catch (RuntimeException e) {
      log.warn("CallObserver.onCallEnd threw", e);
    }
  }
}
