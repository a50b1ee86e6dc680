package io.meshsdk.core.internal.resilience;

import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.internal.concurrent.MeshScheduler;
import io.meshsdk.core.internal.directory.TrackedEndpoint;
import io.meshsdk.core.resilience.HealthCheckConfig;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * Optional active health check of one service: every {@code interval + random(0, jitter)} each endpoint gets an
 * asynchronous {@code GET <path>} on the application's HTTP client settings (its TLS trust, proxy, interceptors and
 * connection pool: the mesh's base client, see {@code Mesh.Builder.httpClient}), not through the mesh itself.
 * {@code unhealthy-threshold} failures in a row eject the endpoint (not subject to the max-ejected share: it is
 * known to be down) until {@code healthy-threshold} passes in a row restore it. Results go to the service's
 * control context; per-endpoint counters are keyed by endpoint id and pruned to the current snapshot every round.
 */
final class HealthChecker {

  private final HealthCheckConfig config;
  private final Supplier<EndpointSet> endpoints;
  private final OutlierDetector detector;
  private final OkHttpClient client;
  private final Executor control;
  private final MeshScheduler scheduler;
  private final ConcurrentHashMap<String, Status> status = new ConcurrentHashMap<>();
  private volatile @Nullable ScheduledFuture<?> next;
  private volatile boolean closed;

  private static final class Status {
    int passes;
    int failures;
    volatile boolean down;
  }

  private final boolean tls;

  HealthChecker(HealthCheckConfig config, Supplier<EndpointSet> endpoints, OutlierDetector detector,
      OkHttpClient base, boolean tls, Executor control, MeshScheduler scheduler) {
    this.config = config;
    this.tls = tls;
    this.endpoints = endpoints;
    this.detector = detector;
    this.control = control;
    this.scheduler = scheduler;
    this.client = base.newBuilder()
        .callTimeout(config.timeout().toMillis(), TimeUnit.MILLISECONDS)
        .retryOnConnectionFailure(false)
        .build();
    detector.healthChecker(this);
  }

  void start() {
    schedule();
  }

  private void schedule() {
    if (closed) {
      return;
    }
    long jitter = config.jitter().toNanos();
    long delay = config.interval().toNanos() + (jitter > 0 ? ThreadLocalRandom.current().nextLong(jitter + 1) : 0);
    next = scheduler.after(delay, "health-check", this::round);
  }

  /** One round: checks every current endpoint, prunes counters of endpoints that left, schedules the next. */
  void round() {
    try {
      EndpointSet set = endpoints.get();
      Set<String> ids = new HashSet<>();
      for (int i = 0; i < set.size(); i++) {
        TrackedEndpoint s = (TrackedEndpoint) set.get(i);
        ids.add(s.endpoint().id());
        check(s);
      }
      status.keySet().retainAll(ids);
    } finally {
      schedule();
    }
  }

  private void check(TrackedEndpoint endpoint) {
    HttpUrl.Builder b = endpoint.baseUrl().newBuilder().encodedPath(config.path());
    HttpUrl url = (tls ? b.scheme("https") : b).build(); // an mtls service's endpoints are probed over mTLS
    client.newCall(new Request.Builder().url(url).build()).enqueue(new Callback() {
      @Override
      public void onResponse(Call call, Response response) {
        try (response) {
          record(endpoint, response.isSuccessful(), "HTTP " + response.code());
        }
      }

      @Override
      public void onFailure(Call call, IOException e) {
        record(endpoint, false, e.toString());
      }
    });
  }

  private void record(TrackedEndpoint endpoint, boolean pass, String detail) {
    if (closed) {
      return;
    }
    Status s = status.computeIfAbsent(endpoint.endpoint().id(), id -> new Status());
    boolean eject = false;
    boolean restore = false;
    synchronized (s) {
      if (pass) {
        s.failures = 0;
        s.passes++;
        if (s.down && s.passes >= config.healthyThreshold()) {
          s.down = false;
          restore = true;
        }
      } else {
        s.passes = 0;
        s.failures++;
        if (!s.down && s.failures >= config.unhealthyThreshold()) {
          s.down = true;
          eject = true;
        }
      }
    }
    if (eject) {
      String why = config.unhealthyThreshold() + " failed health checks, last: " + detail;
      control.execute(() -> detector.ejectUnhealthy(endpoint, why));
    } else if (restore) {
      String why = config.healthyThreshold() + " passed health checks";
      control.execute(() -> detector.restoreHealthy(endpoint, why));
    }
  }

  /** Whether active checks hold {@code endpoint} out of service. */
  boolean isDown(TrackedEndpoint endpoint) {
    Status s = status.get(endpoint.endpoint().id());
    return s != null && s.down;
  }

  void close() {
    closed = true;
    ScheduledFuture<?> f = next;
    if (f != null) {
      f.cancel(false);
    }
  }
}
