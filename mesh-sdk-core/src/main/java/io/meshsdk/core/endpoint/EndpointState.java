package io.meshsdk.core.endpoint;

import static java.util.Objects.requireNonNull;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import okhttp3.HttpUrl;

/**
 * The live state of one endpoint: the {@link Endpoint} value plus lock-free statistics that load balancers
 * and the outlier detector read and the call engine writes on every attempt.
 *
 * <p>One instance per endpoint id per service; it is carried over across discovery updates while the
 * endpoint stays in the set (see {@link #carryOver(Endpoint)}) and dropped when it leaves. All fields are
 * plain volatile primitives updated with CAS: no locks, no allocation per call.
 *
 * <p>Latency is tracked as a <em>peak EWMA</em> (Finagle/Linkerd style): a sample above the current value
 * replaces it at once, samples below decay it with time constant {@link #EWMA_DECAY_NANOS}, so a slow endpoint
 * is noticed immediately and forgiven gradually.
 */
public final class EndpointState {

  /** Time constant of the latency EWMA: 10 s, as in Finagle's peak-EWMA balancer. */
  public static final long EWMA_DECAY_NANOS = 10_000_000_000L;

  private static final VarHandle IN_FLIGHT;
  private static final VarHandle EWMA_BITS;
  private static final VarHandle LAST_SAMPLE;
  private static final VarHandle SUCCESSES;
  private static final VarHandle FAILURES;
  private static final VarHandle CONSECUTIVE_FAILURES;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      IN_FLIGHT = l.findVarHandle(EndpointState.class, "inFlight", int.class);
      EWMA_BITS = l.findVarHandle(EndpointState.class, "ewmaBits", long.class);
      LAST_SAMPLE = l.findVarHandle(EndpointState.class, "lastSampleNanos", long.class);
      SUCCESSES = l.findVarHandle(EndpointState.class, "successes", long.class);
      FAILURES = l.findVarHandle(EndpointState.class, "failures", long.class);
      CONSECUTIVE_FAILURES = l.findVarHandle(EndpointState.class, "consecutiveFailures", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Endpoint endpoint;
  private final HttpUrl baseUrl;
  private final long createdAtNanos;
  private @org.jspecify.annotations.Nullable Rewrite @org.jspecify.annotations.Nullable [] rewrites; // lazily, racy by design

  @SuppressWarnings("unused") // via VarHandle
  private volatile int inFlight;
  @SuppressWarnings("unused")
  private volatile long ewmaBits; // Double bits; 0.0 = no sample yet
  @SuppressWarnings("unused")
  private volatile long lastSampleNanos;
  @SuppressWarnings("unused")
  private volatile long successes;
  @SuppressWarnings("unused")
  private volatile long failures;
  @SuppressWarnings("unused")
  private volatile int consecutiveFailures;

  // Health, written by the outlier detector (state changes only, never per call).
  private volatile boolean ejected;
  private volatile long ejectedUntilNanos;
  private volatile int timesEjected;
  private volatile long healthySinceNanos;

  /** A fresh state for a new endpoint first seen at {@code nowNanos}. */
  public EndpointState(Endpoint endpoint, long nowNanos) {
    this.endpoint = requireNonNull(endpoint, "endpoint");
    this.baseUrl =
        new HttpUrl.Builder()
            .scheme(endpoint.secure() ? "https" : "http")
            .host(endpoint.host())
            .port(endpoint.port())
            .build();
    this.createdAtNanos = nowNanos;
    this.healthySinceNanos = nowNanos;
  }

  private EndpointState(Endpoint endpoint, EndpointState previous) {
    this.endpoint = endpoint;
    this.baseUrl =
        previous.endpoint.host().equals(endpoint.host())
                && previous.endpoint.port() == endpoint.port()
                && previous.endpoint.secure() == endpoint.secure()
            ? previous.baseUrl
            : new HttpUrl.Builder()
                .scheme(endpoint.secure() ? "https" : "http")
                .host(endpoint.host())
                .port(endpoint.port())
                .build();
    this.createdAtNanos = previous.createdAtNanos;
    this.ewmaBits = previous.ewmaBits;
    this.lastSampleNanos = previous.lastSampleNanos;
    this.successes = previous.successes;
    this.failures = previous.failures;
    this.ejected = previous.ejected;
    this.ejectedUntilNanos = previous.ejectedUntilNanos;
    this.timesEjected = previous.timesEjected;
    this.healthySinceNanos = previous.healthySinceNanos;
    // in-flight calls finish on the old state object; the new one starts from zero.
  }

  /**
   * The state to use when discovery reports {@code updated} for this endpoint id: this same object when the
   * value is unchanged, else a new state that keeps the statistics and health.
   */
  public EndpointState carryOver(Endpoint updated) {
    return updated.equals(endpoint) ? this : new EndpointState(updated, this);
  }

  /** The endpoint value. */
  public Endpoint endpoint() {
    return endpoint;
  }

  /** {@code scheme://host:port/} of the endpoint, parsed once. */
  public HttpUrl baseUrl() {
    return baseUrl;
  }

  /**
   * The physical URL of a call to {@code logical} on this endpoint: the endpoint's scheme, host and port with
   * the logical URL's encoded path, query and user info.
   *
   * <p>Building an {@link HttpUrl} costs about a microsecond and a kilobyte (OkHttp decodes every path segment
   * and query part), more than the rest of the mesh's per-call work. Services call the same few URLs over and
   * over (health, lists, lookups), so each endpoint keeps a small direct-mapped cache of its last rewrites
   * ({@value #REWRITE_CACHE_SLOTS} slots, by the logical URL's hash): a hit costs a hash and a string compare and
   * allocates nothing; a miss builds the URL as before and takes the slot. Slots hold immutable pairs and are
   * read and written without locks: a racing reader sees an old pair, another pair (rejected by the equality
   * check) or nothing, never a torn one.
   */
  public HttpUrl urlFor(HttpUrl logical) {
    Rewrite[] cache = rewrites;
    if (cache == null) {
      cache = new Rewrite[REWRITE_CACHE_SLOTS];
      rewrites = cache;
    }
    int slot = logical.hashCode() & (REWRITE_CACHE_SLOTS - 1);
    Rewrite hit = cache[slot];
    if (hit != null && hit.logical.equals(logical)) {
      return hit.physical;
    }
    HttpUrl.Builder b = baseUrl.newBuilder().encodedPath(logical.encodedPath());
    String query = logical.encodedQuery();
    if (query != null) {
      b.encodedQuery(query);
    }
    if (!logical.encodedUsername().isEmpty()) {
      b.encodedUsername(logical.encodedUsername()).encodedPassword(logical.encodedPassword());
    }
    HttpUrl physical = b.build();
    cache[slot] = new Rewrite(logical, physical);
    return physical;
  }

  /** Number of cached rewrites per endpoint (a power of two). */
  public static final int REWRITE_CACHE_SLOTS = 32;

  /** One cached rewrite; immutable, so safe to publish through a racy array slot. */
  private record Rewrite(HttpUrl logical, HttpUrl physical) {}

  /** When this endpoint was first seen (ticker nanos); slow start ramps from here. */
  public long createdAtNanos() {
    return createdAtNanos;
  }

  /** Calls currently in flight to this endpoint. */
  public int inFlight() {
    return (int) IN_FLIGHT.getOpaque(this);
  }

  /** Peak-EWMA latency in nanoseconds, or 0 when no call has completed yet. */
  public double ewmaNanos() {
    return Double.longBitsToDouble((long) EWMA_BITS.getOpaque(this));
  }

  /**
   * When (ticker nanos) the latency EWMA last took a sample; 0 when it never did. Balancers use it to forgive
   * the EWMA of an endpoint that has been idle for a while.
   */
  public long lastSampleNanos() {
    return (long) LAST_SAMPLE.getOpaque(this);
  }

  /** Completed attempts that succeeded. */
  public long successes() {
    return (long) SUCCESSES.getOpaque(this);
  }

  /** Completed attempts that failed (5xx, connect error, reset, timeout). */
  public long failures() {
    return (long) FAILURES.getOpaque(this);
  }

  /** Failures since the last success. */
  public int consecutiveFailures() {
    return (int) CONSECUTIVE_FAILURES.getOpaque(this);
  }

  /** Marks the start of an attempt to this endpoint. */
  public void attemptStarted() {
    IN_FLIGHT.getAndAdd(this, 1);
  }

  /**
   * Marks the end of an attempt started with {@link #attemptStarted()}.
   *
   * @param latencyNanos how long the attempt took
   * @param nowNanos the ticker now
   * @param failed whether the attempt counts as a failure of this endpoint
   */
  public void attemptEnded(long latencyNanos, long nowNanos, boolean failed) {
    IN_FLIGHT.getAndAdd(this, -1);
    if (failed) {
      FAILURES.getAndAdd(this, 1L);
      CONSECUTIVE_FAILURES.getAndAdd(this, 1);
    } else {
      SUCCESSES.getAndAdd(this, 1L);
      if ((int) CONSECUTIVE_FAILURES.getOpaque(this) != 0) {
        CONSECUTIVE_FAILURES.setOpaque(this, 0);
      }
    }
    recordLatency(latencyNanos, nowNanos);
  }

  private void recordLatency(long latencyNanos, long nowNanos) {
    double sample = Math.max(1.0, latencyNanos);
    for (int i = 0; i < 4; i++) { // bounded: a lost race only drops one sample
      long bits = (long) EWMA_BITS.getVolatile(this);
      double current = Double.longBitsToDouble(bits);
      double next;
      if (current == 0.0 || sample > current) {
        next = sample;
      } else {
        long last = (long) LAST_SAMPLE.getOpaque(this);
        long elapsed = Math.max(0L, nowNanos - last);
        double w = Math.exp(-(double) elapsed / EWMA_DECAY_NANOS);
        next = current * w + sample * (1.0 - w);
      }
      if (EWMA_BITS.compareAndSet(this, bits, Double.doubleToRawLongBits(next))) {
        LAST_SAMPLE.setOpaque(this, nowNanos);
        return;
      }
    }
  }

  /** Whether the outlier detector has ejected this endpoint. */
  public boolean isEjected() {
    return ejected;
  }

  /** Until when (ticker nanos) the current ejection lasts. */
  public long ejectedUntilNanos() {
    return ejectedUntilNanos;
  }

  /** How many times this endpoint has been ejected (drives the growing ejection time). */
  public int timesEjected() {
    return timesEjected;
  }

  /** Since when (ticker nanos) the endpoint has been healthy; slow start ramps from here. */
  public long healthySinceNanos() {
    return healthySinceNanos;
  }

  /** Smallest weight factor of slow start: a returning endpoint gets at least 10 % of its share at once. */
  public static final double SLOW_START_MIN_FACTOR = 0.1;

  /**
   * Slow-start weight factor for balancers: ramps linearly from {@value #SLOW_START_MIN_FACTOR} to 1.0 over
   * {@code windowNanos} after the endpoint was first seen or last restored ({@link #healthySinceNanos()}), so a
   * new or returning instance is not flooded while it warms up. Balancers multiply the endpoint's weight by it
   * (or divide a cost by it). 1.0 when {@code windowNanos <= 0} (slow start off), after the window, and while
   * ejected. Pure arithmetic on two volatile reads: safe on the pick path.
   *
   * @param nowNanos the ticker now
   * @param windowNanos the service's {@code lb.slow-start-window}
   */
  public double slowStartFactor(long nowNanos, long windowNanos) {
    if (windowNanos <= 0 || ejected) {
      return 1.0;
    }
    long elapsed = nowNanos - healthySinceNanos;
    if (elapsed >= windowNanos) {
      return 1.0;
    }
    if (elapsed <= 0) {
      return SLOW_START_MIN_FACTOR;
    }
    return Math.max(SLOW_START_MIN_FACTOR, (double) elapsed / windowNanos);
  }

  /** Ejects the endpoint until {@code untilNanos}. Called by the outlier detector on a state change. */
  public void eject(long untilNanos) {
    this.timesEjected = timesEjected + 1;
    this.ejectedUntilNanos = untilNanos;
    this.ejected = true;
  }

  /** Returns the endpoint to service at {@code nowNanos}. Called by the outlier detector. */
  public void restore(long nowNanos) {
    this.ejected = false;
    this.healthySinceNanos = nowNanos;
    CONSECUTIVE_FAILURES.setOpaque(this, 0);
  }

  /** Forgets the ejection history (the endpoint has stayed healthy long enough). */
  public void resetEjectionCount() {
    this.timesEjected = 0;
  }

  @Override
  public String toString() {
    return endpoint
        + " inFlight="
        + inFlight()
        + " ewmaMs="
        + String.format(java.util.Locale.ROOT, "%.2f", ewmaNanos() / 1e6)
        + (ejected ? " EJECTED" : "");
  }
}
