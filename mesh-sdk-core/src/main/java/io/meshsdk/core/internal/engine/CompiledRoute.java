package io.meshsdk.core.internal.engine;

import io.meshsdk.core.common.MeshHeaders;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.internal.directory.TrackedEndpoint;
import io.meshsdk.core.observe.MeshObserver;
import io.meshsdk.core.sidecar.HandoffStyle;
import io.meshsdk.core.sidecar.RouteConfig;
import io.meshsdk.core.sidecar.SidecarBridge;
import io.meshsdk.core.sidecar.SidecarConfig;
import io.meshsdk.core.sidecar.SidecarDialect;
import io.meshsdk.core.sidecar.SidecarRetries;
import io.meshsdk.core.transport.TransportCall;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

/**
 * The route of one service for one config: which calls go to the sidecar ({@code split:N} by a stable key), and
 * where and how they are handed over. Built once per route change, sidecar change or config change; immutable. A
 * call reads it once and keeps it to the end, so a call in flight finishes on the route (and sidecar) it started
 * on. A service never routed to the sidecar has none, so it pays nothing for the bridge. In {@code shadow:N} it
 * also holds what the copies need: the share, the bounds, the service's {@link ShadowStats} and the sender.
 */
final class CompiledRoute {

  final String service;
  final RouteConfig route;
  final int percent;
  final String keyHeader;
  final MigrationStats stats;
  final @Nullable SidecarConfig sidecar;
  /** {@code <service><suffix>}: the Host header (host-header style) or the proxied host (http-proxy style). */
  final String authority;
  /** Where sidecar-bound calls are sent, as an endpoint record so its parsed base and rewrite cache serve here. */
  final @Nullable TrackedEndpoint sidecarTarget;
  final boolean hostHeaderStyle;
  /** The bridge this route hands calls to (its readiness, its refusal reports). */
  final SidecarBridge bridge;
  /** The service's readiness through the sidecar ({@code route.sidecar-health-path}), or null for none. */
  final SidecarBridge.@Nullable ServiceReadiness readiness;
  /** {@code route.sidecar-retries=sdk}: the sidecar makes one attempt; retryable answers continue direct. */
  final boolean sdkRetries;
  /** The sidecar reads Envoy's budget headers too ({@code sidecar.dialect=envoy}). */
  final boolean envoyDialect;
  /** {@code shadow:N}: the share of eligible calls copied to the sidecar; 0 for any other mode. */
  final int shadowPercent;
  final int shadowMaxConcurrency;
  final int shadowMaxCpu;
  final long shadowTimeoutNanos;
  /** In a shadow mode: the service's shadow statistics and permits, the sender, and its client for this sidecar. */
  final @Nullable ShadowStats shadowStats;
  final @Nullable ShadowTraffic shadowTraffic;
  final @Nullable OkHttpClient shadowClient;

  CompiledRoute(String service, RouteConfig route, MigrationStats stats, SidecarBridge bridge,
      SidecarBridge.@Nullable ServiceReadiness readiness, long now) {
    this(service, route, stats, bridge, readiness, now, null);
  }

  /** As above; {@code shadow} sends the copies of a {@code shadow:N} route (null otherwise). */
  CompiledRoute(String service, RouteConfig route, MigrationStats stats, SidecarBridge bridge,
      SidecarBridge.@Nullable ServiceReadiness readiness, long now, @Nullable ShadowTraffic shadow) {
    SidecarConfig sidecar = bridge.config();
    this.bridge = bridge;
    this.readiness = readiness;
    this.service = service;
    this.route = route;
    this.percent = route.mode().sidecarPercent();
    this.keyHeader = route.keyHeader();
    this.stats = stats;
    this.sidecar = sidecar;
    this.authority = service + (sidecar == null ? "" : sidecar.hostSuffix());
    this.hostHeaderStyle = sidecar != null && sidecar.style() == HandoffStyle.HOST_HEADER;
    this.sdkRetries = route.sidecarRetries() == SidecarRetries.SDK;
    this.envoyDialect = sidecar != null && sidecar.dialect() == SidecarDialect.ENVOY;
    this.sidecarTarget = sidecar == null ? null : new TrackedEndpoint(hostHeaderStyle
        ? Endpoint.of(service, sidecar.host(), sidecar.port())
        : Endpoint.of(service, authority, 80), now);
    this.shadowPercent = route.mode().shadowPercent();
    this.shadowMaxConcurrency = route.shadowMaxConcurrency();
    this.shadowMaxCpu = route.shadowMaxCpu();
    this.shadowTimeoutNanos = route.shadowTimeout().toNanos();
    ShadowStats any = stats.shadowIfAny();
    if (shadowPercent > 0 && shadow != null) {
      ShadowStats ss = stats.shadow();
      ss.maxConcurrency = shadowMaxConcurrency;
      this.shadowTraffic = shadow;
      this.shadowStats = ss;
      this.shadowClient = sidecar == null ? null : shadow.clientFor(sidecar);
    } else {
      if (any != null) {
        any.maxConcurrency = 0; // out of shadow mode: the report shows no bound
      }
      this.shadowTraffic = null;
      this.shadowStats = null;
      this.shadowClient = null;
    }
  }

  /** Whether this call is meant for the sidecar (before readiness and the scheme are considered). */
  boolean wantsSidecar(TransportCall<?> call, MeshObserver observer) {
    return inShare(percent, call, observer);
  }

  /**
   * In {@code shadow:N}, whether this call's key is among the N % copied (the keys {@code split:N} would move);
   * the method, body, scheme and readiness are checked by the caller.
   */
  boolean wantsShadow(TransportCall<?> call, MeshObserver observer) {
    return inShare(shadowPercent, call, observer);
  }

  private boolean inShare(int percent, TransportCall<?> call, MeshObserver observer) {
    if (percent == 0) {
      return false;
    }
    if (percent == 100) {
      return true;
    }
    String key = keyHeader.isEmpty() ? null : call.header(keyHeader);
    String traceparent = call.header(MeshHeaders.TRACEPARENT);
    String ambient = null;
    if ((key == null || key.isEmpty()) && traceparent == null) {
      ambient = observer.currentTraceId();
    }
    return RouteKey.bucket(key, traceparent, ambient) < percent;
  }

  /**
   * Why a sidecar-bound call goes direct now ("sidecar not ready", or not ready for this service), or {@code null}
   * when it may go to the sidecar: two volatile reads, no allocation.
   */
  @Nullable String notReady() {
    if (!bridge.isReady()) {
      return "sidecar not ready";
    }
    SidecarBridge.ServiceReadiness r = readiness;
    return r == null || r.isReady() ? null : "sidecar not ready for this service (route.sidecar-health-path probe)";
  }

  @Override
  public String toString() {
    return "route{" + service + " " + route + "}";
  }
}
