package io.meshsdk.core.internal.resilience;

import io.meshsdk.core.common.Ticker;
import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.endpoint.EndpointState;
import io.meshsdk.core.internal.concurrent.MeshScheduler;
import io.meshsdk.core.resilience.BreakerState;
import io.meshsdk.core.resilience.ResilienceConfig;
import io.meshsdk.core.resilience.ResilienceView;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Supplier;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

/**
 * Everything resilience keeps for one service, compiled from its {@link ResilienceConfig}: the policies, the
 * outlier detector and the optional health checker, and the read-only {@link ResilienceView} over them. A config
 * change that leaves the resilience settings as they were keeps this object (breaker state, budget, ejections and
 * counters survive a route or balancer change).
 */
public final class ServiceResilience implements ResilienceView {

  private final ServicePolicies policies;
  private final OutlierDetector outlier;
  private final @Nullable HealthChecker healthChecker;
  private final int panicThreshold;
  private final LongAdder skippedForBody = new LongAdder();
  private volatile boolean panic;

  /** As below, health checks in plaintext (or as the endpoint says). */
  public ServiceResilience(String service, ResilienceConfig config, Ticker ticker, Supplier<EndpointSet> endpoints,
      Executor control, MeshScheduler scheduler, OkHttpClient healthClient,
      OutlierDetector.ChangeListener onEndpointChange, Consumer<BreakerState> onBreakerState) {
    this(service, config, ticker, endpoints, control, scheduler, healthClient, false, onEndpointChange,
        onBreakerState);
  }

  /**
   * Compiles {@code config} for {@code service}.
   *
   * @param endpoints the service's current snapshot
   * @param control the service's serial control context
   * @param healthClient the client settings health checks use (the application's base client)
   * @param onEndpointChange told of ejections and restorations, on the control context
   * @param onBreakerState told of breaker state changes
   */
  public ServiceResilience(String service, ResilienceConfig config, Ticker ticker, Supplier<EndpointSet> endpoints,
      Executor control, MeshScheduler scheduler, OkHttpClient healthClient, boolean tls,
      OutlierDetector.ChangeListener onEndpointChange, Consumer<BreakerState> onBreakerState) {
    this.policies = new ServicePolicies(service, config, ticker, onBreakerState);
    this.outlier = new OutlierDetector(service, config.outlier(), endpoints, control, scheduler, onEndpointChange,
        ticker);
    this.healthChecker = config.healthCheck().enabled()
        ? new HealthChecker(config.healthCheck(), endpoints, outlier, healthClient, tls, control,
        scheduler) : null;
    this.panicThreshold = config.outlier().panicThreshold();
  }

  /** Starts the health checks, if any. */
  public void start() {
    if (healthChecker != null) {
      healthChecker.start();
    }
  }

  /** Stops every timer and health check. */
  public void close() {
    outlier.close();
    if (healthChecker != null) {
      healthChecker.close();
    }
  }

  /** The compiled policies. */
  public ServicePolicies policies() {
    return policies;
  }

  /** The outlier detector. */
  public OutlierDetector outlier() {
    return outlier;
  }

  /** The config compiled here. */
  public ResilienceConfig config() {
    return policies.config();
  }

  /** The panic threshold of the eligible-set rule. */
  public int panicThreshold() {
    return panicThreshold;
  }

  /** Records whether the last picker build was in panic mode. */
  public void panic(boolean panic) {
    this.panic = panic;
  }

  /** Counts a retry not made because the request body could not be sent again. */
  public void countSkippedForBody() {
    skippedForBody.increment();
  }

  @Override
  public BreakerState breakerState() {
    return policies.breakerState();
  }

  @Override
  public long breakerRejections() {
    return policies.breakerRejections.sum();
  }

  @Override
  public long rateLimitRejections() {
    return policies.rateLimitRejections.sum();
  }

  @Override
  public long bulkheadRejections() {
    return policies.bulkheadRejections.sum();
  }

  @Override
  public long deadlineExceeded() {
    return policies.deadlineExceeded.sum();
  }

  @Override
  public long retries() {
    return policies.retries.sum();
  }

  @Override
  public long retriesDeniedByBudget() {
    return policies.budgetDenied.sum();
  }

  @Override
  public long retriesSkippedForBody() {
    return skippedForBody.sum();
  }

  @Override
  public long ejections() {
    return outlier.ejections();
  }

  @Override
  public long restorations() {
    return outlier.restorations();
  }

  @Override
  public List<EndpointState> ejectedEndpoints() {
    return List.copyOf(outlier.ejected());
  }

  @Override
  public boolean panicMode() {
    return panic;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "breaker=%s rejected(breaker=%d, rate=%d, bulkhead=%d, deadline=%d)"
            + " retries=%d budget-denied=%d body-not-replayable=%d ejections=%d restorations=%d",
        breakerState(), breakerRejections(), rateLimitRejections(), bulkheadRejections(), deadlineExceeded(),
        retries(), retriesDeniedByBudget(), retriesSkippedForBody(), ejections(), restorations());
  }
}
