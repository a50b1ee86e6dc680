package io.meshsdk.core.sidecar;

import io.meshsdk.core.observe.CallInfo;
import io.meshsdk.core.observe.CallObserver;
import io.meshsdk.core.observe.CallResult;
import io.meshsdk.core.observe.MeshEvent;
import io.meshsdk.core.observe.MeshObserver;
import io.meshsdk.core.observe.Route;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/** A test observer: counts calls by final route and by starting route, fallback events and readiness changes. */
final class RouteRecorder implements MeshObserver {

  final AtomicLong startedSidecar = new AtomicLong();
  final AtomicLong startedDirect = new AtomicLong();
  final AtomicLong endedSidecar = new AtomicLong();
  final AtomicLong endedDirect = new AtomicLong();
  final AtomicLong fallbackEvents = new AtomicLong();
  final List<Boolean> readinessChanges = new CopyOnWriteArrayList<>();
  /** Every call's result, in order. */
  final List<CallResult> results = new CopyOnWriteArrayList<>();
  /** Every per-call event as {@code EVENT: detail}, in order. */
  final List<String> events = new CopyOnWriteArrayList<>();

  @Override
  public CallObserver onCallStart(CallInfo call) {
    (call.route() == Route.SIDECAR ? startedSidecar : startedDirect).incrementAndGet();
    return new CallObserver() {
      @Override
      public void onEvent(MeshEvent event, String detail) {
        events.add(event + ": " + detail);
        if (event == MeshEvent.SIDECAR_FALLBACK) {
          fallbackEvents.incrementAndGet();
        }
      }

      @Override
      public void onCallEnd(CallResult result) {
        results.add(result);
        (result.route() == Route.SIDECAR ? endedSidecar : endedDirect).incrementAndGet();
      }
    };
  }

  @Override
  public void onSidecarReadinessChanged(boolean ready, String reason) {
    readinessChanges.add(ready);
  }

  /** Per-service readiness changes, in order. */
  final List<java.util.Map.Entry<String, Boolean>> serviceReadiness = new CopyOnWriteArrayList<>();

  @Override
  public void onServiceSidecarReadinessChanged(String service, boolean ready, String reason) {
    serviceReadiness.add(java.util.Map.entry(service, ready));
  }
}
