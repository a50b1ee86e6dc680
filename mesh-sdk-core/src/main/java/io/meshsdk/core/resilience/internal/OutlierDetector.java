package io.meshsdk.core.resilience.internal;

import io.meshsdk.core.Ticker;
import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.endpoint.EndpointState;
import io.meshsdk.core.observe.MeshObserver;
import io.meshsdk.core.resilience.OutlierConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passive outlier ejection for one service (what resilience4j lacks): an endpoint is ejected after
 * {@code consecutive-failures} failures in a row (checked on the call path, lock-free until it trips) or when
 * its failure rate over a window crosses the threshold (checked by the timer). An ejection lasts
 * {@code base × times ejected}, capped, and never takes out more than {@code max-ejected-percent} of the
 * endpoints (at least one may always go when there are two or more). Ejections and restorations are state
 * changes: they take this object's lock, log one line, notify the observer and rebuild the picker.
 *
 * <p>State lives in {@link EndpointState} (carried across discovery updates by id, dropped when the endpoint
 * leaves); the only state here is the failure-rate baseline, rebuilt from the current snapshot every window,
 * so nothing outlives its endpoint.
 */
public final class OutlierDetector {

  private static final Logger log = LoggerFactory.getLogger(OutlierDetector.class);

  private final String service;
  private final OutlierConfig config;
  private final Supplier<EndpointSet> endpoints;
  private final Runnable refreshPicker;
  private final MeshObserver observer;
  private final Ticker ticker;
  private final LongAdder ejections;
  private final LongAdder restorations;
  private final int consecutiveFailures;
  private final long baseNanos;
  private final long maxNanos;
  private final long windowNanos;
  private Map<String, long[]> baseline = new HashMap<>();
  private long windowStart;
  private volatile @org.jspecify.annotations.Nullable HealthChecker healthChecker;

  /** A detector; {@code refreshPicker} rebuilds the service's picker after a change. */
  public OutlierDetector(String service, OutlierConfig config, Supplier<EndpointSet> endpoints,
      Runnable refreshPicker, MeshObserver observer, Ticker ticker, LongAdder ejections, LongAdder restorations) {
    this.service = service;
    this.config = config;
    this.endpoints = endpoints;
    this.refreshPicker = refreshPicker;
    this.observer = observer;
    this.ticker = ticker;
    this.ejections = ejections;
    this.restorations = restorations;
    this.consecutiveFailures = config.enabled() ? config.consecutiveFailures() : 0;
    this.baseNanos = config.baseEjectionTime().toNanos();
    this.maxNanos = config.maxEjectionTime().toNanos();
    this.windowNanos = config.failureRateWindow().toNanos();
    this.windowStart = ticker.read();
  }

  void healthChecker(HealthChecker checker) {
    this.healthChecker = checker;
  }

  /** The config. */
  public OutlierConfig config() {
    return config;
  }

  /**
   * Called after every attempt (after {@link EndpointState#attemptEnded}). Lock-free unless the endpoint's run
   * of failures just reached a multiple of the consecutive-failure threshold: an endpoint the max-ejected
   * cap keeps in rotation is reconsidered every {@code threshold} further failures, not on every failure,
   * so a failing fleet does not serialize its callers on the detector's lock.
   */
  public void onAttemptEnd(EndpointState endpoint, boolean failed, long nowNanos) {
    if (failed && consecutiveFailures > 0 && !endpoint.isEjected()) {
      int run = endpoint.consecutiveFailures();
      if (run >= consecutiveFailures && run % consecutiveFailures == 0) {
        tryEject(endpoint, nowNanos, run + " consecutive failures");
      }
    }
  }

  /** Ejects {@code endpoint} passively unless the max-ejected share forbids it; true if ejected. */
  public synchronized boolean tryEject(EndpointState endpoint, long nowNanos, String reason) {
    if (endpoint.isEjected()) {
      return false;
    }
    EndpointSet set = endpoints.get();
    int n = set.size();
    int ejected = 0;
    boolean member = false;
    for (int i = 0; i < n; i++) {
      EndpointState s = set.get(i);
      member |= s == endpoint;
      if (s.isEjected()) {
        ejected++;
      }
    }
    if (!member || n < 2) {
      return false;
    }
    if (ejected > 0 && (ejected + 1) * 100L > (long) config.maxEjectedPercent() * n) {
      return false;
    }
    long duration = Math.min(maxNanos, baseNanos * (endpoint.timesEjected() + 1L));
    endpoint.eject(nowNanos + duration);
    ejections.increment();
    log.warn("service '{}': ejected endpoint {} for {} ms ({}; ejection #{})", service, endpoint.endpoint(),
        duration / 1_000_000L, reason, endpoint.timesEjected());
    notifyChange(endpoint, true);
    return true;
  }

  /** Ejects {@code endpoint} because active health checks failed; it stays out until they pass. */
  synchronized void ejectUnhealthy(EndpointState endpoint, String reason) {
    if (endpoint.isEjected()) {
      return;
    }
    endpoint.eject(Long.MAX_VALUE);
    ejections.increment();
    log.warn("service '{}': ejected endpoint {} ({})", service, endpoint.endpoint(), reason);
    notifyChange(endpoint, true);
  }

  /** Restores {@code endpoint} because active health checks passed again. */
  synchronized void restoreHealthy(EndpointState endpoint, String reason) {
    if (!endpoint.isEjected()) {
      return;
    }
    restore(endpoint, ticker.read(), reason);
  }

  private void restore(EndpointState endpoint, long now, String reason) {
    endpoint.restore(now);
    restorations.increment();
    log.info("service '{}': restored endpoint {} ({})", service, endpoint.endpoint(), reason);
    notifyChange(endpoint, false);
  }

  private void notifyChange(EndpointState endpoint, boolean ejected) {
    try {
      observer.onEndpointHealthChange(endpoint, ejected);
    } catch (RuntimeException e) {
      log.warn("MeshObserver.onEndpointHealthChange threw", e);
    }
    refreshPicker.run();
  }

  /**
   * The timer's chore: restores endpoints whose ejection time is up, evaluates failure rates when a window
   * ends, and forgets the ejection history of endpoints that stayed healthy for the max ejection time.
   */
  public synchronized void sweep() {
    long now = ticker.read();
    EndpointSet set = endpoints.get();
    HealthChecker hc = healthChecker;
    for (int i = 0; i < set.size(); i++) {
      EndpointState s = set.get(i);
      if (s.isEjected()) {
        if (now - s.ejectedUntilNanos() >= 0 && s.ejectedUntilNanos() != Long.MAX_VALUE
            && (hc == null || !hc.isDown(s))) {
          restore(s, now, "ejection time over");
        }
      } else if (s.timesEjected() > 0 && now - s.healthySinceNanos() >= maxNanos) {
        s.resetEjectionCount();
      }
    }
    if (config.enabled() && now - windowStart >= windowNanos) {
      evaluateFailureRates(set, now);
    }
  }

  private void evaluateFailureRates(EndpointSet set, long now) {
    Map<String, long[]> next = new HashMap<>(set.size() * 2);
    for (int i = 0; i < set.size(); i++) {
      EndpointState s = set.get(i);
      long ok = s.successes();
      long bad = s.failures();
      long[] base = baseline.get(s.endpoint().id());
      if (base != null && !s.isEjected()) {
        long dOk = ok - base[0];
        long dBad = bad - base[1];
        long total = dOk + dBad;
        if (total >= config.failureRateMinimumCalls() && dBad * 100 >= (long) config.failureRateThreshold() * total) {
          tryEject(s, now, "failure rate " + (dBad * 100 / total) + "% of " + total + " attempts");
        }
      }
      next.put(s.endpoint().id(), new long[] {ok, bad});
    }
    baseline = next;
    windowStart = now;
  }

  /**
   * The endpoints calls may go to: the non-ejected ones, or every endpoint when fewer than
   * {@code panic-threshold} % are healthy (panic mode: spread the load over all rather than overload the few
   * left).
   *
   * @param out receives the eligible endpoints
   * @return whether the service is in panic mode
   */
  public static boolean eligible(EndpointSet set, int panicThreshold, List<EndpointState> out) {
    int n = set.size();
    for (int i = 0; i < n; i++) {
      EndpointState s = set.get(i);
      if (!s.isEjected()) {
        out.add(s);
      }
    }
    if (n > 0 && (out.isEmpty() || (long) out.size() * 100 < (long) panicThreshold * n)) {
      out.clear();
      out.addAll(set.states());
      return true;
    }
    return false;
  }

  /** The endpoints ejected right now. */
  public List<EndpointState> ejected() {
    List<EndpointState> out = new ArrayList<>();
    for (EndpointState s : endpoints.get().states()) {
      if (s.isEjected()) {
        out.add(s);
      }
    }
    return out;
  }
}
