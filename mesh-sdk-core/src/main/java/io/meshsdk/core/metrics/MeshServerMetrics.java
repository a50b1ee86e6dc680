package io.meshsdk.core.metrics;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.common.MeshHeaders;
import io.meshsdk.core.observe.Outcome;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jspecify.annotations.Nullable;

/**
 * Transport-neutral recorder of {@code mesh.server.requests{caller,outcome,status}}: a server filter calls
 * {@link #record} once per inbound request. The caller is whatever the transport can tell (a header such as
 * {@link #CALLER_HEADER}, a client certificate); at most {@code maxCallers} distinct values get their own
 * series, the rest share {@code other}; {@code null} is recorded as {@code unknown}.
 */
public final class MeshServerMetrics {

  /** Conventional header naming the calling service. */
  public static final String CALLER_HEADER = MeshHeaders.CALLER;
  /** Default cap on distinct caller tag values: 100. */
  public static final int DEFAULT_MAX_CALLERS = 100;

  private static final Outcome[] OUTCOMES = Outcome.values();
  private static final int SLOTS = OUTCOMES.length * MetricNames.STATUS_CLASSES.length;

  private final MeshMetrics meters;
  private final int maxCallers;
  private final ConcurrentHashMap<String, AtomicReferenceArray<Timer>> callers = new ConcurrentHashMap<>();

  private MeshServerMetrics(MeshMetrics meters, int maxCallers) {
    this.meters = meters;
    this.maxCallers = maxCallers;
  }

  /** A recorder into {@code registry} with the default caller cap and no histogram buckets. */
  public static MeshServerMetrics create(MeterRegistry registry) {
    return create(MeshMetrics.create(registry), DEFAULT_MAX_CALLERS);
  }

  /**
   * A recorder sharing the registry and histogram settings of the client-side {@code metrics}.
   *
   * @param maxCallers distinct caller values with their own series, 1 to 10000
   */
  public static MeshServerMetrics create(MeshMetrics metrics, int maxCallers) {
    requireNonNull(metrics, "metrics");
    if (maxCallers < 1 || maxCallers > 10_000) {
      throw new ConfigException("metrics.server.max-callers", maxCallers, "1-10000");
    }
    return new MeshServerMetrics(metrics, maxCallers);
  }

  /**
   * Records one inbound request.
   *
   * @param caller the calling service, or {@code null} when unknown
   * @param status the status sent, or -1 when none was
   * @param error what the handler threw, or {@code null}
   * @param durationNanos time from request arrival to response headers or failure
   */
  public void record(@Nullable String caller, int status, @Nullable Throwable error, long durationNanos) {
    Outcome outcome;
    if (error != null || status >= 500) {
      outcome = Outcome.SERVER_ERROR;
    } else {
      outcome = status >= 400 ? Outcome.CLIENT_ERROR : Outcome.SUCCESS;
    }
    String key = caller == null || caller.isEmpty() ? "unknown" : caller;
    AtomicReferenceArray<Timer> timers = callers.get(key);
    if (timers == null) {
      if (callers.size() >= maxCallers) {
        key = MetricNames.OTHER;
      }
      timers = callers.computeIfAbsent(key, k -> new AtomicReferenceArray<>(SLOTS));
    }
    int slot = outcome.ordinal() * MetricNames.STATUS_CLASSES.length + MetricNames.statusIndex(status);
    Timer t = timers.get(slot);
    if (t == null) {
      t = meters.timerBuilder(MetricNames.SERVER_REQUESTS)
          .description("Inbound requests handled by this service")
          .tags(MetricNames.TAG_CALLER, key, MetricNames.TAG_OUTCOME, outcome.tag(),
              MetricNames.TAG_STATUS, MetricNames.STATUS_CLASSES[MetricNames.statusIndex(status)])
          .register(meters.registry);
      timers.set(slot, t);
    }
    t.record(durationNanos, TimeUnit.NANOSECONDS);
  }
}
