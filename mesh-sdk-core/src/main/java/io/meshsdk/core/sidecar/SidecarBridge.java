package io.meshsdk.core.sidecar;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.Ticker;
import io.meshsdk.core.observe.MeshObserver;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sidecar bridge of one mesh: the sidecar's readiness (probed by one daemon thread), the per-service
 * routes compiled from {@code route.*} config, and the migration statistics behind {@link #report()}.
 *
 * <p>A probe passes when the ready URL answers 2xx and the outbound listener accepts a TCP connection.
 * Readiness is fail-open: until the first successful probe, after a failed probe, or as soon as a call finds
 * the sidecar refusing connections, sidecar-routed calls go direct. Each transition logs one line, notifies
 * {@link MeshObserver#onSidecarReadinessChange} and counts in {@code mesh.sidecar.readiness.transitions}.
 *
 * <p>With no sidecar configured the bridge is never ready: services set to {@code sidecar} or {@code split:N}
 * then run direct and count fallbacks (a warning is logged when such a route is compiled).
 */
public final class SidecarBridge implements MeterBinder, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SidecarBridge.class);

  private final @Nullable SidecarConfig config;
  private final MeshObserver observer;
  private final Ticker ticker;
  private final AtomicBoolean ready = new AtomicBoolean(false);
  private final AtomicLong transitions = new AtomicLong();
  private final AtomicLong fallbacks = new AtomicLong();
  private final AtomicBoolean probeQueued = new AtomicBoolean();
  private final AtomicLong refusals = new AtomicLong(); // bumped by calls that found the sidecar refusing
  private final ConcurrentHashMap<String, MigrationStats> stats = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, RouteMode> modes = new ConcurrentHashMap<>();
  private final Set<String> proxiedHosts = ConcurrentHashMap.newKeySet();
  private final @Nullable ScheduledExecutorService prober;
  private final @Nullable OkHttpClient probeClient;
  private volatile @Nullable Proxy proxy;
  private int failedProbes; // only touched by the probing thread (start() probes before scheduling)
  private volatile boolean closed;

  /**
   * A bridge to {@code config}'s sidecar, or to none when {@code config} is {@code null}. Call
   * {@link #start()} to begin probing.
   */
  public SidecarBridge(@Nullable SidecarConfig config, MeshObserver observer, Ticker ticker) {
    this.config = config;
    this.observer = requireNonNull(observer, "observer");
    this.ticker = requireNonNull(ticker, "ticker");
    if (config == null) {
      this.prober = null;
      this.probeClient = null;
    } else {
      ScheduledThreadPoolExecutor ex = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "mesh-sidecar-probe");
        t.setDaemon(true);
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
    }
  }

  /**
   * Probes once now (bounded by the probe timeout, so the mesh starts in the right state), then every
   * probe interval on the daemon thread {@code mesh-sidecar-probe}.
   */
  public void start() {
    SidecarConfig c = config;
    if (c == null || prober == null) {
      return;
    }
    probe();
    long every = c.probeInterval().toNanos();
    prober.scheduleWithFixedDelay(this::probe, every, every, TimeUnit.NANOSECONDS);
  }

  /** The sidecar's config, or {@code null} when none is configured. */
  public @Nullable SidecarConfig config() {
    return config;
  }

  /** Whether sidecar-routed calls go to the sidecar now. */
  public boolean isReady() {
    return ready.get();
  }

  /** How many times readiness changed. */
  public long readinessTransitions() {
    return transitions.get();
  }

  /** Calls meant for the sidecar that went direct, since the mesh started. */
  public long fallbacks() {
    return fallbacks.get();
  }

  MeshObserver observer() {
    return observer;
  }

  Ticker ticker() {
    return ticker;
  }

  void countFallback() {
    fallbacks.incrementAndGet();
  }

  /**
   * Compiles the route of {@code service} for a new config; {@code null} when the service is direct and was
   * never routed to the sidecar (then the bridge costs its calls nothing).
   */
  public @Nullable SidecarRoute compile(String service, RouteConfig route, DirectPath direct) {
    requireNonNull(service, "service");
    requireNonNull(route, "route");
    requireNonNull(direct, "direct");
    MigrationStats s;
    if (route.mode().isDirect()) {
      s = stats.get(service);
      if (s == null) {
        return null;
      }
    } else {
      if (config == null) {
        log.warn("service '{}': route.mode={} but no sidecar is configured (mesh.sidecar.address); its calls go"
            + " direct", service, route.mode());
      } else if (config.style() == HandoffStyle.HTTP_PROXY) {
        proxiedHosts.add(service + config.hostSuffix());
      }
      s = stats.computeIfAbsent(service, k -> new MigrationStats(ticker));
    }
    RouteMode previous = modes.put(service, route.mode());
    if (previous != null && !previous.equals(route.mode())) {
      log.info("service '{}': route {} -> {} (new calls only)", service, previous, route.mode());
    }
    return new SidecarRoute(this, service, route, s, direct);
  }

  /** The migration report: per service, calls, errors and latency by path over the last minute. */
  public MigrationReport report() {
    List<MigrationReport.Service> list = new ArrayList<>();
    for (Map.Entry<String, MigrationStats> e : new TreeMap<>(stats).entrySet()) {
      MigrationStats.Snapshot snap = e.getValue().snapshot();
      list.add(new MigrationReport.Service(e.getKey(), modes.getOrDefault(e.getKey(), RouteMode.DIRECT),
          snap.direct(), snap.sidecar(), snap.fallbacks()));
    }
    SidecarConfig c = config;
    return new MigrationReport(c == null ? "" : c.host() + ":" + c.port() + " " + c.style(), isReady(),
        transitions.get(), MigrationStats.WINDOW_SECONDS, list);
  }

  /**
   * A proxy selector for the {@code http-proxy} style: the sidecar for hosts of sidecar-routed services, else
   * {@code delegate}'s choice. Direct calls are rewritten to endpoint addresses first, so they never match.
   */
  public ProxySelector proxySelector(ProxySelector delegate) {
    requireNonNull(delegate, "delegate");
    SidecarConfig c = config;
    if (c == null || c.style() != HandoffStyle.HTTP_PROXY) {
      return delegate;
    }
    return new ProxySelector() {
      @Override
      public List<Proxy> select(URI uri) {
        String host = uri.getHost();
        if (host != null && proxiedHosts.contains(host)) {
          Proxy p = proxy;
          if (p == null) {
            p = new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(c.host(), c.port()));
            proxy = p;
          }
          return List.of(p);
        }
        return delegate.select(uri);
      }

      @Override
      public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
        if (!proxiedHosts.contains(uri.getHost())) {
          delegate.connectFailed(uri, sa, ioe);
        }
      }
    };
  }

  /** Marks the sidecar not ready at once (a call found it refusing connections); the probe restores it. */
  void markNotReady(String reason) {
    refusals.incrementAndGet();
    setReady(false, reason);
  }

  /** Schedules a probe now, at most one queued at a time (a call saw the sidecar close a connection). */
  void probeSoon() {
    ScheduledExecutorService p = prober;
    if (p != null && !closed && probeQueued.compareAndSet(false, true)) {
      try {
        p.execute(() -> {
          probeQueued.set(false);
          probe();
        });
      } catch (RuntimeException e) {
        probeQueued.set(false);
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
    boolean ok;
    String why;
    Request req = new Request.Builder().url(c.readyUrl()).header("Connection", "close").build();
    try (Response r = client.newCall(req).execute()) {
      ok = r.isSuccessful();
      why = c.readyUrl() + " answered " + r.code();
    } catch (IOException | RuntimeException e) {
      ok = false;
      why = c.readyUrl() + " failed: " + e;
    }
    if (ok) { // an admin port can answer while the outbound listener is down: check it accepts connections
      try (Socket s = new Socket(Proxy.NO_PROXY)) {
        s.connect(new InetSocketAddress(c.host(), c.port()), (int) Math.max(1, c.probeTimeout().toMillis()));
      } catch (IOException | RuntimeException e) {
        ok = false;
        why = c.readyUrl() + " answered but the outbound listener " + c.host() + ":" + c.port() + " refused: " + e;
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

  private void setReady(boolean nowReady, String why) {
    if (closed || !ready.compareAndSet(!nowReady, nowReady)) {
      return;
    }
    transitions.incrementAndGet();
    if (nowReady) {
      log.info("sidecar {}:{} is READY ({}); sidecar-routed calls go to it", config == null ? "" : config.host(),
          config == null ? 0 : config.port(), why);
    } else {
      log.warn("sidecar {}:{} is NOT READY ({}); sidecar-routed calls go direct", config == null ? "" : config.host(),
          config == null ? 0 : config.port(), why);
    }
    try {
      observer.onSidecarReadinessChange(nowReady);
    } catch (RuntimeException e) {
      log.warn("MeshObserver.onSidecarReadinessChange threw", e);
    }
  }

  /**
   * Registers {@code mesh.sidecar.ready} (1 or 0), {@code mesh.sidecar.readiness.transitions} and
   * {@code mesh.sidecar.fallbacks}.
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    Gauge.builder("mesh.sidecar.ready", ready, b -> b.get() ? 1 : 0)
        .description("1 when the local sidecar is ready, 0 when sidecar-routed calls go direct")
        .register(registry);
    FunctionCounter.builder("mesh.sidecar.readiness.transitions", transitions, AtomicLong::get)
        .description("times the sidecar's readiness changed")
        .register(registry);
    FunctionCounter.builder("mesh.sidecar.fallbacks", fallbacks, AtomicLong::get)
        .description("calls meant for the sidecar that went direct")
        .register(registry);
  }

  /** Stops probing. */
  @Override
  public void close() {
    closed = true;
    if (prober != null) {
      prober.shutdownNow();
    }
    if (probeClient != null) {
      probeClient.connectionPool().evictAll();
    }
  }

  @Override
  public String toString() {
    return "SidecarBridge{" + (config == null ? "no sidecar" : config) + (isReady() ? " READY" : " NOT READY") + "}";
  }
}
