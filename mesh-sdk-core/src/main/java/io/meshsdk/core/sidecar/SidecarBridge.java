package io.meshsdk.core.sidecar;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local sidecar as the mesh sees it: its config and its readiness, probed by one daemon thread
 * ({@code mesh-sidecar-probe}). Which services use it is per-service config ({@code route.mode}).
 *
 * <p>With {@link ReadinessProbe#HTTP} (the default) a probe passes when the ready URL answers 2xx and the outbound
 * listener accepts a TCP connection; with {@link ReadinessProbe#TCP}, when the listener accepts. Readiness is
 * fail-open: until the first successful probe, after {@code probe-failures} failed probes, or as soon as a call
 * finds the listener refusing connections ({@link #reportRefused}), sidecar-routed calls go direct. The state after
 * the first probe and every transition after it log one line and go to
 * the {@link SidecarReadinessListener} (the mesh's observers).
 *
 * <p><b>Per-service readiness.</b> A service with {@code route.sidecar-health-path} is also probed <em>through</em>
 * the sidecar, with its own Host (or as a proxied request in the {@code http-proxy} style): its calls go to the
 * sidecar only while the sidecar is ready and that probe answers 2xx ({@link #isReady(String)}). At most
 * {@value #MAX_SERVICE_PROBES_PER_ROUND} services are probed per interval, in turn. When the sidecar itself
 * becomes not ready, every service is not ready until its own probe passes again.
 *
 * <p>The mesh can replace its sidecar at run time ({@code Mesh.sidecar(SidecarConfig)}): the replaced bridge is
 * closed, stops probing, and reports not ready from then on; ask the mesh for the current one.
 *
 * <p>With no sidecar configured the bridge is never ready: services set to {@code sidecar} or {@code split:N} then
 * run direct.
 */
public final class SidecarBridge implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SidecarBridge.class);

  /** At most this many per-service probes run per probe interval. */
  public static final int MAX_SERVICE_PROBES_PER_ROUND = 16;

  private final @Nullable SidecarConfig config;
  private final SidecarReadinessListener listener;
  private final AtomicBoolean ready = new AtomicBoolean(false);
  private final AtomicBoolean told = new AtomicBoolean(false);
  private final AtomicLong transitions = new AtomicLong();
  private final AtomicBoolean probeQueued = new AtomicBoolean();
  private final AtomicLong refusals = new AtomicLong(); // bumped by calls that found the sidecar refusing
  private final AtomicLong rounds = new AtomicLong();
  private final ConcurrentHashMap<String, ServiceReadiness> services = new ConcurrentHashMap<>();
  private final Object monitor = new Object(); // awaitReady waits on it; readiness gains notify it
  private final @Nullable ScheduledExecutorService prober;
  private final @Nullable OkHttpClient probeClient;
  private final @Nullable OkHttpClient proxyProbeClient; // http-proxy style: per-service probes via the proxy
  private volatile @Nullable Thread proberThread;
  private volatile @Nullable Runnable afterRound;
  private volatile String lastReason = "not probed yet";
  private volatile long notReadySinceNanos = System.nanoTime();
  private int failedProbes; // only touched by the probing thread (start() probes before scheduling)
  private int serviceCursor; // idem
  private volatile boolean closed;
  private volatile boolean started;

  /**
   * A bridge to {@code config}'s sidecar, or to none when {@code config} is {@code null}. Call {@link #start()} to
   * begin probing.
   */
  public SidecarBridge(@Nullable SidecarConfig config, SidecarReadinessListener listener) {
    this.config = config;
    this.listener = requireNonNull(listener, "listener");
    if (config == null) {
      this.prober = null;
      this.probeClient = null;
      this.proxyProbeClient = null;
    } else {
      ScheduledThreadPoolExecutor ex = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "mesh-sidecar-probe");
        t.setDaemon(true);
        proberThread = t;
        return t;
      });
      ex.setRemoveOnCancelPolicy(true);
      this.prober = ex;
      this.probeClient = new OkHttpClient.Builder()
          .proxy(Proxy.NO_PROXY)
          .connectTimeout(config.probeTimeout())
          .readTimeout(config.probeTimeout())
          .callTimeout(config.probeTimeout().multipliedBy(2))
          .retryOnConnectionFailure(false)
          .followRedirects(false)
          .build();
      this.proxyProbeClient = config.style() == HandoffStyle.HTTP_PROXY
          ? probeClient.newBuilder()
              .proxy(new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(config.host(), config.port())))
              .build()
          : null;
    }
  }

  /**
   * Probes once now (bounded by the probe timeout, so the mesh starts in the right state), then every probe
   * interval on the daemon thread {@code mesh-sidecar-probe}.
   */
  @SuppressWarnings("FutureReturnValueIgnored") // the task catches everything; close() stops the executor
  public void start() {
    SidecarConfig c = config;
    ScheduledExecutorService p = prober;
    if (c == null || p == null) {
      return;
    }
    round();
    started = true;
    long every = c.probeInterval().toNanos();
    p.scheduleWithFixedDelay(this::roundQuietly, every, every, TimeUnit.NANOSECONDS);
  }

  /**
   * Runs {@code task} on the probing thread after every probe round (the mesh checks what to report); set before
   * {@link #start()}.
   */
  public void afterEachRound(@Nullable Runnable task) {
    this.afterRound = task;
  }

  /** The sidecar's config, or {@code null} when none is configured. */
  public @Nullable SidecarConfig config() {
    return config;
  }

  /** Whether sidecar-routed calls go to the sidecar now. */
  public boolean isReady() {
    return ready.get();
  }

  /**
   * Whether {@code service}'s sidecar-routed calls go to the sidecar now: the sidecar is ready and, when the
   * service has a {@code route.sidecar-health-path}, its probe through the sidecar passed.
   */
  public boolean isReady(String service) {
    if (!ready.get()) {
      return false;
    }
    ServiceReadiness s = services.get(requireNonNull(service, "service"));
    return s == null || s.ready;
  }

  /** Why the sidecar is (not) ready, as the last probe or refused call said. */
  public String readinessDetail() {
    return lastReason;
  }

  /** Since when ({@link System#nanoTime()}) the sidecar is not ready; meaningless while it is ready. */
  public long notReadySinceNanos() {
    return notReadySinceNanos;
  }

  /** The per-service readiness of {@code service}, or {@code null} when it has no sidecar health path. */
  public @Nullable ServiceReadiness service(String service) {
    return services.get(requireNonNull(service, "service"));
  }

  /** Every service probed through the sidecar, by name. */
  public Map<String, ServiceReadiness> services() {
    return Map.copyOf(services);
  }

  /** How many probe rounds ran (a round: the sidecar, then the services probed through it). */
  public long probeRounds() {
    return rounds.get();
  }

  /** How many times readiness changed. */
  public long readinessTransitions() {
    return transitions.get();
  }

  /**
   * Probes <em>now</em> (the sidecar, then the services probed through it) and returns whether the sidecar is
   * ready afterwards. Waits for the probe round, at most a few probe timeouts; {@code false} when no sidecar is
   * configured or the bridge is closed.
   */
  public boolean probeNow() {
    SidecarConfig c = config;
    ScheduledExecutorService p = prober;
    if (c == null || p == null || closed) {
      return false;
    }
    if (Thread.currentThread() == proberThread) {
      roundQuietly();
      return isReady();
    }
    long waitNanos = c.probeTimeout().toNanos() * 2 * (2 + Math.min(services.size(), MAX_SERVICE_PROBES_PER_ROUND));
    try {
      Future<?> f = p.submit(this::roundQuietly);
      f.get(waitNanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
      log.debug("sidecar probeNow did not complete: {}", e.toString());
    }
    return isReady();
  }

  /**
   * Waits until the sidecar is ready, at most {@code timeout} (asking for a probe at once rather than waiting for
   * the next interval).
   *
   * @return whether it is ready
   */
  public boolean awaitReady(Duration timeout) {
    return await(null, timeout);
  }

  /**
   * Waits until {@code service}'s calls may go to the sidecar ({@link #isReady(String)}), at most
   * {@code timeout}.
   *
   * @return whether they may
   */
  public boolean awaitReady(String service, Duration timeout) {
    return await(requireNonNull(service, "service"), timeout);
  }

  private boolean await(@Nullable String service, Duration timeout) {
    requireNonNull(timeout, "timeout");
    if (check(service)) {
      return true;
    }
    requestProbe();
    long deadline = System.nanoTime() + Math.max(0, timeout.compareTo(Duration.ofDays(365)) > 0
        ? Duration.ofDays(365).toNanos() : timeout.toNanos());
    synchronized (monitor) {
      while (!check(service) && !closed) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(monitor, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return check(service);
        }
      }
    }
    return check(service);
  }

  private boolean check(@Nullable String service) {
    return service == null ? isReady() : isReady(service);
  }

  /**
   * Probes {@code service} through the sidecar at {@code healthPath} from now on (replacing an earlier path); its
   * calls go to the sidecar only once that probe passes. Asks for a probe at once.
   *
   * @return the service's readiness, shared with the calls that check it
   */
  public ServiceReadiness probeService(String service, String healthPath) {
    requireNonNull(service, "service");
    requireNonNull(healthPath, "healthPath");
    if (healthPath.isEmpty()) {
      throw new IllegalArgumentException("healthPath: \"\" (expected: a path such as /health)");
    }
    ServiceReadiness r = services.compute(service, (k, old) ->
        old != null && old.healthPath.equals(healthPath) ? old : new ServiceReadiness(service, healthPath));
    if (!r.ready) {
      requestProbe();
    }
    return r;
  }

  /** Stops probing {@code service} through the sidecar: its calls follow the sidecar's readiness alone. */
  public void stopProbingService(String service) {
    services.remove(requireNonNull(service, "service"));
  }

  /**
   * A call found the sidecar's listener refusing connections: not ready at once (the next passing probe restores
   * it; a probe that started before this cannot).
   */
  public void reportRefused(String detail) {
    refusals.incrementAndGet();
    setReady(false, requireNonNull(detail, "detail"));
  }

  /** Schedules a probe now, at most one queued at a time (e.g. a call saw the sidecar close a connection). */
  public void requestProbe() {
    ScheduledExecutorService p = prober;
    if (p != null && started && !closed && probeQueued.compareAndSet(false, true)) {
      try {
        p.execute(() -> {
          probeQueued.set(false);
          roundQuietly();
        });
      } catch (RuntimeException e) {
        probeQueued.set(false);
      }
    }
  }

  private void roundQuietly() {
    try {
      round();
    } catch (RuntimeException | Error e) { // the prober must survive anything
      log.error("sidecar probe failed unexpectedly; will probe again", e);
    }
  }

  /** One probe round: the sidecar, then (while it is ready) up to a bound of services through it. */
  private void round() {
    probe();
    probeServices();
    rounds.incrementAndGet();
    Runnable after = afterRound;
    if (after != null && !closed) {
      try {
        after.run();
      } catch (RuntimeException e) {
        log.warn("sidecar readiness check failed", e);
      }
    }
  }

  private void probe() {
    SidecarConfig c = config;
    OkHttpClient client = probeClient;
    if (c == null || client == null || closed) {
      return;
    }
    long refusalsBefore = refusals.get();
    boolean ok = true;
    String why = "";
    if (c.readiness() == ReadinessProbe.HTTP) {
      Request req = new Request.Builder().url(c.readyUrl()).header("Connection", "close").build();
      try (Response r = client.newCall(req).execute()) {
        ok = r.isSuccessful();
        why = c.readyUrl() + " answered " + r.code();
      } catch (IOException | RuntimeException e) {
        ok = false;
        why = c.readyUrl() + " failed: " + e;
      }
    }
    if (ok) { // an admin port can answer while the outbound listener is down: check it accepts connections
      try (Socket s = new Socket(Proxy.NO_PROXY)) {
        s.connect(new InetSocketAddress(c.host(), c.port()), (int) Math.max(1, c.probeTimeout().toMillis()));
        if (c.readiness() == ReadinessProbe.TCP) {
          why = "the outbound listener " + c.address() + " accepts connections";
        }
      } catch (IOException | RuntimeException e) {
        ok = false;
        why = (c.readiness() == ReadinessProbe.TCP ? "" : c.readyUrl() + " answered but ")
            + "the outbound listener " + c.address() + " refused: " + e;
      }
    }
    if (ok && refusals.get() != refusalsBefore) {
      return; // a call saw the sidecar refuse while this probe ran: its pass is stale, the next probe decides
    }
    if (ok) {
      failedProbes = 0;
    } else if (++failedProbes < c.probeFailures() && ready.get()) {
      log.debug("sidecar probe {} of {} failed: {}", failedProbes, c.probeFailures(), why);
      return;
    }
    setReady(ok, why);
  }

  private void probeServices() {
    SidecarConfig c = config;
    OkHttpClient client = proxyProbeClient != null ? proxyProbeClient : probeClient;
    if (c == null || client == null || closed || services.isEmpty() || !ready.get()) {
      return;
    }
    List<String> names = new ArrayList<>(new TreeSet<>(services.keySet()));
    int n = Math.min(names.size(), MAX_SERVICE_PROBES_PER_ROUND);
    int start = Math.floorMod(serviceCursor, names.size());
    serviceCursor = start + n;
    for (int i = 0; i < n && !closed && ready.get(); i++) {
      ServiceReadiness s = services.get(names.get((start + i) % names.size()));
      if (s != null) {
        probeService(c, client, s);
      }
    }
  }

  private void probeService(SidecarConfig c, OkHttpClient client, ServiceReadiness s) {
    String authority = s.service + c.hostSuffix();
    Request.Builder req = new Request.Builder().header("Connection", "close");
    if (proxyProbeClient != null) {
      req.url(requireNonNull(HttpUrl.parse("http://" + authority + s.healthPath), "health URL"));
    } else {
      req.url(requireNonNull(HttpUrl.parse("http://" + c.address() + s.healthPath), "health URL")).header("Host", authority);
    }
    boolean ok;
    String why;
    String what = "GET " + s.healthPath + " via the sidecar (Host " + authority + ")";
    try (Response r = client.newCall(req.build()).execute()) {
      ok = r.isSuccessful();
      why = what + " answered " + r.code()
          + (r.code() == 404 || r.code() == 503 ? " (does the sidecar have a route for it?)" : "");
    } catch (IOException | RuntimeException e) {
      ok = false;
      why = what + " failed: " + e;
    }
    if (ok) {
      s.failures = 0;
    } else if (++s.failures < c.probeFailures() && s.ready) {
      log.debug("service '{}': sidecar probe {} of {} failed: {}", s.service, s.failures, c.probeFailures(), why);
      return;
    }
    s.set(ok, why);
    if (ok) {
      signal();
    }
  }

  private void setReady(boolean nowReady, String why) {
    if (closed) {
      return;
    }
    lastReason = why;
    boolean changed = ready.compareAndSet(!nowReady, nowReady);
    boolean first = told.compareAndSet(false, true);
    if (!changed && !first) {
      return;
    }
    if (changed) {
      transitions.incrementAndGet();
    }
    if (!nowReady) {
      notReadySinceNanos = System.nanoTime();
      for (ServiceReadiness s : services.values()) { // a sidecar that comes back must prove each route again
        s.set(false, "the sidecar is not ready");
      }
    }
    SidecarConfig c = config;
    String at = c == null ? "(none)" : c.address();
    if (nowReady) {
      log.info("sidecar {} is READY ({}); sidecar-routed calls go to it", at, why);
      signal();
    } else {
      log.warn("sidecar {} is NOT READY ({}); sidecar-routed calls go direct", at, why);
    }
    try {
      listener.onSidecarReadinessChanged(nowReady, why);
    } catch (RuntimeException e) {
      log.warn("the sidecar readiness listener (MeshObserver.onSidecarReadinessChanged) threw", e);
    }
  }

  private void signal() {
    synchronized (monitor) {
      monitor.notifyAll();
    }
  }

  /** Stops probing; from now on the bridge is not ready. */
  @Override
  public void close() {
    closed = true;
    ready.set(false);
    signal();
    if (prober != null) {
      prober.shutdownNow();
    }
    if (probeClient != null) {
      probeClient.connectionPool().evictAll();
      probeClient.dispatcher().executorService().shutdown();
    }
  }

  /** Whether {@link #close()} ran (the mesh replaced or closed this bridge). */
  public boolean isClosed() {
    return closed;
  }

  @Override
  public String toString() {
    return "SidecarBridge{" + (config == null ? "no sidecar" : config) + (isReady() ? " READY" : " NOT READY") + "}";
  }

  /**
   * One service's readiness on the sidecar path, from its probe through the sidecar
   * ({@code route.sidecar-health-path}). Read by calls (one volatile read); written by the probing thread.
   */
  public static final class ServiceReadiness {
    private final String service;
    private final String healthPath;
    private volatile boolean ready;
    private volatile String detail = "not probed yet";
    private volatile long sinceNanos = System.nanoTime();
    private int failures; // probing thread only

    ServiceReadiness(String service, String healthPath) {
      this.service = service;
      this.healthPath = healthPath;
    }

    private void set(boolean nowReady, String why) {
      detail = why;
      if (ready != nowReady) {
        sinceNanos = System.nanoTime();
        ready = nowReady;
        if (nowReady) {
          log.info("service '{}': READY on the sidecar path ({})", service, why);
        } else {
          log.warn("service '{}': NOT READY on the sidecar path ({}); its sidecar-routed calls go direct", service,
              why);
        }
      }
    }

    /** The service. */
    public String service() {
      return service;
    }

    /** The path probed through the sidecar. */
    public String healthPath() {
      return healthPath;
    }

    /** Whether the last probe(s) through the sidecar passed. */
    public boolean isReady() {
      return ready;
    }

    /** What the last probe found. */
    public String detail() {
      return detail;
    }

    /** Since when ({@link System#nanoTime()}) the state holds. */
    public long sinceNanos() {
      return sinceNanos;
    }

    @Override
    public String toString() {
      return service + (ready ? " READY" : " NOT READY") + " (" + detail + ")";
    }
  }
}
