package io.meshsdk.core.internal.resilience;

import io.meshsdk.core.common.Ticker;
import io.meshsdk.core.endpoint.EndpointExclusion;
import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.endpoint.EndpointState;
import io.meshsdk.core.internal.concurrent.MeshScheduler;
import io.meshsdk.core.internal.directory.TrackedEndpoint;
import io.meshsdk.core.resilience.OutlierConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passive outlier ejection for one service (what resilience4j lacks): an endpoint is ejected after
 * {@code consecutive-failures} failures in a row or when its failure rate over a window crosses the threshold. An
 * ejection lasts {@code base × times ejected}, capped, and never takes out more than {@code max-ejected-percent}
 * of the endpoints (at least one may always go when there are two or more).
 *
 * <h2>Threads</h2>
 *
 * <p>The call path only counts and, when an endpoint's failure run reaches the threshold, <em>queues</em> a check
 * on the service's serial control context (at most one queued per endpoint): it never ejects, never rebuilds a
 * picker, never takes a lock. Ejections, restorations and failure-rate windows all run on the control context, one
 * at a time, so they need no lock either; each state change logs one line and goes to {@code onChange} (which
 * tells the observers and rebuilds the picker).
 *
 * <p>Idle services cost nothing: restoration checks run every {@code outlier.interval} only while an endpoint is
 * ejected, and the failure-rate window runs only while the service has traffic.
 */
public final class OutlierDetector {

  private static final Logger log = LoggerFactory.getLogger(OutlierDetector.class);

  /** Told of each state change, on the control context. */
  public interface ChangeListener {
    /** {@code endpoint} was ejected ({@code ejected}) or restored, for {@code reason}, as {@code detail} says. */
    void onChange(TrackedEndpoint endpoint, boolean ejected, EndpointExclusion.Reason reason, String detail);
  }

  private final String service;
  private final OutlierConfig config;
  private final Supplier<EndpointSet> endpoints;
  private final Executor control;
  private final MeshScheduler scheduler;
  private final ChangeListener listener;
  private final Ticker ticker;
  private final int consecutiveFailures;
  private final long baseNanos;
  private final long maxNanos;
  private final long windowNanos;
  private final AtomicBoolean windowScheduled = new AtomicBoolean();
  private volatile boolean activeInWindow;
  final LongAdder ejections = new LongAdder();
  final LongAdder restorations = new LongAdder();
  private Map<String, long[]> baseline = new HashMap<>(); // control context only
  private volatile @Nullable HealthChecker healthChecker;
  private volatile boolean closed;
  /** Pending timers (restorations, the failure-rate window), cancelled when the detector closes. */
  private final Map<Object, ScheduledFuture<?>> timers = new ConcurrentHashMap<>();
  private static final Object WINDOW = new Object();
  private static final Object RESTORE = new Object();
  private final long intervalNanos;

  /**
   * A detector.
   *
   * @param control the service's serial control context (every state change runs there)
   * @param scheduler the mesh's control thread, for restoration and window timers
   */
  public OutlierDetector(String service, OutlierConfig config, Supplier<EndpointSet> endpoints, Executor control,
      MeshScheduler scheduler, ChangeListener listener, Ticker ticker) {
    this.service = service;
    this.config = config;
    this.endpoints = endpoints;
    this.control = control;
    this.scheduler = scheduler;
    this.listener = listener;
    this.ticker = ticker;
    this.consecutiveFailures = config.enabled() ? config.consecutiveFailures() : 0;
    this.baseNanos = config.baseEjectionTime().toNanos();
    this.maxNanos = config.maxEjectionTime().toNanos();
    this.windowNanos = config.failureRateWindow().toNanos();
    this.intervalNanos = config.interval().toNanos();
  }

  void healthChecker(HealthChecker checker) {
    this.healthChecker = checker;
  }

  /** The config. */
  public OutlierConfig config() {
    return config;
  }

  /** Passive ejections and health-check ejections so far. */
  public long ejections() {
    return ejections.sum();
  }

  /** Restorations so far. */
  public long restorations() {
    return restorations.sum();
  }

  /**
   * Called on the call path after every attempt outcome: counts, and queues an ejection check when the endpoint's
   * run of failures reaches a multiple of the threshold (an endpoint the max-ejected cap keeps in rotation is
   * reconsidered every {@code threshold} further failures). Lock-free, allocation-free unless a check is queued.
   */
  public void onAttemptEnd(TrackedEndpoint endpoint, boolean failed) {
    if (!config.enabled()) {
      return;
    }
    if (!activeInWindow) {
      activeInWindow = true;
    }
    if (!windowScheduled.get() && windowScheduled.compareAndSet(false, true)) {
      control.execute(this::windowStarted); // the counts the window's failure rates start from
      scheduleWindow();
    }
    if (failed && consecutiveFailures > 0 && !endpoint.isEjected()) {
      int run = endpoint.consecutiveFailures();
      if (run >= consecutiveFailures && run % consecutiveFailures == 0 && endpoint.claimEjectionCheck()) {
        control.execute(() -> {
          endpoint.ejectionCheckDone();
          if (endpoint.consecutiveFailures() >= consecutiveFailures) {
            tryEject(endpoint, EndpointExclusion.Reason.CONSECUTIVE_FAILURES,
                endpoint.consecutiveFailures() + " consecutive failures");
          }
        });
      }
    }
  }

  /** Control context: ejects {@code endpoint} unless the max-ejected share forbids it; true if ejected. */
  boolean tryEject(TrackedEndpoint endpoint, EndpointExclusion.Reason reason, String detail) {
    if (closed || endpoint.isEjected()) {
      return false;
    }
    EndpointSet set = endpoints.get();
    int n = set.size();
    int ejected = 0;
    boolean member = false;
    for (int i = 0; i < n; i++) {
      TrackedEndpoint s = (TrackedEndpoint) set.get(i);
      member |= s == endpoint;
      if (s.isEjected()) {
        ejected++;
      }
    }
    if (!member || n < 2) {
      return false;
    }
    if (ejected > 0 && (ejected + 1) * 100L > (long) config.maxEjectedPercent() * n) {
      log.debug("service '{}': not ejecting {} ({}): {} of {} already ejected (max {}%)", service,
          endpoint.endpoint(), detail, ejected, n, config.maxEjectedPercent());
      return false;
    }
    long now = ticker.read();
    if (endpoint.timesEjected() > 0 && now - endpoint.healthySinceNanos() >= maxNanos) {
      endpoint.resetEjectionCount(); // healthy long enough: the next ejection is a first one again
    }
    long duration = Math.min(maxNanos, baseNanos * (endpoint.timesEjected() + 1L));
    endpoint.eject(new EndpointExclusion(reason, detail, now, now + duration));
    ejections.increment();
    log.warn("service '{}': ejected endpoint {} for {} ms ({}; ejection #{})", service, endpoint.endpoint(),
        duration / 1_000_000L, detail, endpoint.timesEjected());
    listener.onChange(endpoint, true, reason, detail);
    ensureRestoreChecks();
    return true;
  }

  /**
   * Control context: while an endpoint is ejected for a time, checks every {@code outlier.interval} whether its
   * time is over (so restoration follows the mesh's ticker and happens within one interval); the checks stop when
   * nothing is ejected, so an idle, healthy service costs nothing.
   */
  private void ensureRestoreChecks() {
    if (closed || timers.containsKey(RESTORE)) {
      return;
    }
    ScheduledFuture<?> f = scheduler.every(intervalNanos, "restore " + service, () -> control.execute(() -> {
      restoreDue();
      if (!anyTimedEjection()) {
        ScheduledFuture<?> self = timers.remove(RESTORE);
        if (self != null) {
          self.cancel(false);
        }
      }
    }));
    if (f != null) {
      timers.put(RESTORE, f);
    }
  }

  private boolean anyTimedEjection() {
    EndpointSet set = endpoints.get();
    for (int i = 0; i < set.size(); i++) {
      EndpointState e = set.get(i);
      if (e.isEjected() && e.ejectedUntilNanos() != Long.MAX_VALUE) {
        return true;
      }
    }
    return false;
  }

  /**
   * Control context: restores every endpoint whose ejection time is over (an endpoint that health checks hold down
   * stays out until they pass).
   */
  void restoreDue() {
    if (closed) {
      return;
    }
    long now = ticker.read();
    EndpointSet set = endpoints.get();
    HealthChecker hc = healthChecker;
    for (int i = 0; i < set.size(); i++) {
      TrackedEndpoint e = (TrackedEndpoint) set.get(i);
      if (e.isEjected() && e.ejectedUntilNanos() != Long.MAX_VALUE && now - e.ejectedUntilNanos() >= 0
          && (hc == null || !hc.isDown(e))) {
        EndpointExclusion why = e.exclusion();
        restore(e, now, why == null ? EndpointExclusion.Reason.CONSECUTIVE_FAILURES : why.reason(),
            "ejection time over");
      }
    }
  }

  /** Control context: ejects {@code endpoint} because active health checks failed, until they pass. */
  void ejectUnhealthy(TrackedEndpoint endpoint, String detail) {
    if (closed || (endpoint.isEjected() && endpoint.ejectedUntilNanos() == Long.MAX_VALUE)) {
      return;
    }
    long now = ticker.read();
    endpoint.eject(new EndpointExclusion(EndpointExclusion.Reason.HEALTH_CHECK, detail, now, Long.MAX_VALUE));
    ejections.increment();
    log.warn("service '{}': ejected endpoint {} ({})", service, endpoint.endpoint(), detail);
    listener.onChange(endpoint, true, EndpointExclusion.Reason.HEALTH_CHECK, detail);
  }

  /** Control context: restores {@code endpoint} because active health checks passed again. */
  void restoreHealthy(TrackedEndpoint endpoint, String detail) {
    if (closed || !endpoint.isEjected()) {
      return;
    }
    restore(endpoint, ticker.read(), EndpointExclusion.Reason.HEALTH_CHECK, detail);
  }

  private void restore(TrackedEndpoint endpoint, long now, EndpointExclusion.Reason reason, String detail) {
    endpoint.restore(now);
    restorations.increment();
    log.info("service '{}': restored endpoint {} ({})", service, endpoint.endpoint(), detail);
    listener.onChange(endpoint, false, reason, detail);
  }

  private void scheduleWindow() {
    ScheduledFuture<?> f = closed ? null : scheduler.after(windowNanos, "failure-rate window " + service,
        () -> control.execute(this::windowEnded));
    if (f == null) {
      windowScheduled.set(false);
    } else {
      timers.put(WINDOW, f);
    }
  }

  /** Control context: a failure-rate window starts; its baseline is the counts now. */
  private void windowStarted() {
    baseline = counts(endpoints.get());
  }

  private static Map<String, long[]> counts(EndpointSet set) {
    Map<String, long[]> m = new HashMap<>(set.size() * 2);
    for (int i = 0; i < set.size(); i++) {
      EndpointState s = set.get(i);
      m.put(s.endpoint().id(), new long[] {s.successes(), s.failures()});
    }
    return m;
  }

  /** Control context: evaluates failure rates; runs again only while the service has traffic. */
  void windowEnded() {
    if (closed) {
      return;
    }
    EndpointSet set = endpoints.get();
    Map<String, long[]> next = new HashMap<>(set.size() * 2);
    for (int i = 0; i < set.size(); i++) {
      TrackedEndpoint s = (TrackedEndpoint) set.get(i);
      long ok = s.successes();
      long bad = s.failures();
      long[] base = baseline.get(s.endpoint().id());
      if (base != null && !s.isEjected()) {
        long dOk = ok - base[0];
        long dBad = bad - base[1];
        long total = dOk + dBad;
        if (total >= config.failureRateMinimumCalls() && dBad * 100 >= (long) config.failureRateThreshold() * total) {
          tryEject(s, EndpointExclusion.Reason.FAILURE_RATE,
              (dBad * 100 / total) + "% of " + total + " attempts failed");
        }
      }
      next.put(s.endpoint().id(), new long[] {ok, bad});
    }
    baseline = next;
    boolean active = activeInWindow;
    activeInWindow = false;
    if (active) {
      scheduleWindow(); // keep measuring while there is traffic
    } else {
      baseline = new HashMap<>(); // idle: forget, start afresh with the next call
      windowScheduled.set(false);
    }
  }

  /**
   * The endpoints calls may go to: the non-ejected ones, or every endpoint when fewer than
   * {@code panic-threshold} % are healthy (panic mode: spread the load over all rather than overload the few
   * left).
   *
   * @param out receives the eligible endpoints
   * @return whether the service is in panic mode
   */
  public static boolean eligible(EndpointSet set, int panicThreshold, List<TrackedEndpoint> out) {
    int n = set.size();
    for (int i = 0; i < n; i++) {
      TrackedEndpoint s = (TrackedEndpoint) set.get(i);
      if (!s.isEjected()) {
        out.add(s);
      }
    }
    if (n > 0 && (out.isEmpty() || (long) out.size() * 100 < (long) panicThreshold * n)) {
      out.clear();
      for (int i = 0; i < n; i++) {
        out.add((TrackedEndpoint) set.get(i));
      }
      return true;
    }
    return false;
  }

  /** The endpoints ejected right now. */
  public List<TrackedEndpoint> ejected() {
    List<TrackedEndpoint> out = new ArrayList<>();
    EndpointSet set = endpoints.get();
    for (int i = 0; i < set.size(); i++) {
      TrackedEndpoint s = (TrackedEndpoint) set.get(i);
      if (s.isEjected()) {
        out.add(s);
      }
    }
    return out;
  }

  /** Cancels every pending timer; nothing runs for this detector afterwards. */
  public void close() {
    closed = true;
    timers.values().forEach(f -> f.cancel(false));
    timers.clear();
  }

  /** Pending timers, for tests that check a removed service leaves nothing behind. */
  int pendingTimers() {
    return timers.size();
  }
}
