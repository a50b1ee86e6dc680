package io.meshsdk.core.sidecar;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.observe.MeshObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
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
 * The local sidecar as the mesh sees it: its config and its readiness, probed by one daemon thread
 * ({@code mesh-sidecar-probe}). Which services use it is per-service config ({@code route.mode}).
 *
 * <p>A probe passes when the ready URL answers 2xx and the outbound listener accepts a TCP connection. Readiness
 * is fail-open: until the first successful probe, after {@code probe-failures} failed probes, or as soon as a call
 * finds the listener refusing connections ({@link #reportRefused}), sidecar-routed calls go direct. The state after
 * the first probe and every transition after it log one line and go to
 * {@link MeshObserver#onSidecarReadinessChanged}.
 *
 * <p>With no sidecar configured the bridge is never ready: services set to {@code sidecar} or {@code split:N} then
 * run direct.
 */
public final class SidecarBridge implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SidecarBridge.class);

  private final @Nullable SidecarConfig config;
  private final MeshObserver observer;
  private final AtomicBoolean ready = new AtomicBoolean(false);
  private final AtomicBoolean told = new AtomicBoolean(false);
  private final AtomicLong transitions = new AtomicLong();
  private final AtomicBoolean probeQueued = new AtomicBoolean();
  private final AtomicLong refusals = new AtomicLong(); // bumped by calls that found the sidecar refusing
  private final @Nullable ScheduledExecutorService prober;
  private final @Nullable OkHttpClient probeClient;
  private int failedProbes; // only touched by the probing thread (start() probes before scheduling)
  private volatile boolean closed;

  /**
   * A bridge to {@code config}'s sidecar, or to none when {@code config} is {@code null}. Call {@link #start()} to
   * begin probing.
   */
  public SidecarBridge(@Nullable SidecarConfig config, MeshObserver observer) {
    this.config = config;
    this.observer = requireNonNull(observer, "observer");
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
    probe();
    long every = c.probeInterval().toNanos();
    p.scheduleWithFixedDelay(this::probeQuietly, every, every, TimeUnit.NANOSECONDS);
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
    if (p != null && !closed && probeQueued.compareAndSet(false, true)) {
      try {
        p.execute(() -> {
          probeQueued.set(false);
          probeQuietly();
        });
      } catch (RuntimeException e) {
        probeQueued.set(false);
      }
    }
  }

  private void probeQuietly() {
    try {
      probe();
    } catch (RuntimeException | Error e) { // the prober must survive anything
      log.error("sidecar probe failed unexpectedly; will probe again", e);
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
    if (closed) {
      return;
    }
    boolean changed = ready.compareAndSet(!nowReady, nowReady);
    boolean first = told.compareAndSet(false, true);
    if (!changed && !first) {
      return;
    }
    if (changed) {
      transitions.incrementAndGet();
    }
    SidecarConfig c = config;
    String at = c == null ? "(none)" : c.host() + ":" + c.port();
    if (nowReady) {
      log.info("sidecar {} is READY ({}); sidecar-routed calls go to it", at, why);
    } else {
      log.warn("sidecar {} is NOT READY ({}); sidecar-routed calls go direct", at, why);
    }
    try {
      observer.onSidecarReadinessChanged(nowReady, why);
    } catch (RuntimeException e) {
      log.warn("MeshObserver.onSidecarReadinessChanged threw", e);
    }
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
      probeClient.dispatcher().executorService().shutdown();
    }
  }

  @Override
  public String toString() {
    return "SidecarBridge{" + (config == null ? "no sidecar" : config) + (isReady() ? " READY" : " NOT READY") + "}";
  }
}
