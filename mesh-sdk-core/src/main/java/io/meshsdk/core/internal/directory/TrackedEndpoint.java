package io.meshsdk.core.internal.directory;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.endpoint.EndpointExclusion;
import io.meshsdk.core.endpoint.EndpointState;
import io.meshsdk.core.endpoint.StatsCells;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import okhttp3.HttpUrl;
import org.jspecify.annotations.Nullable;

/**
 * The engine's live record of one endpoint: the {@link Endpoint} value plus lock-free statistics that the call
 * path writes on every attempt and balancers read on every pick, and the health that only the service's serial
 * control context changes. One instance per endpoint id per service, carried over across discovery updates
 * (see {@link #carryOver}) and dropped when the endpoint leaves. Statistics are updated with atomic adds or short
 * CAS loops: no lock, no allocation per call.
 *
 * <h2>Where the statistics live</h2>
 *
 * <p>The numbers a balancer compares on every pick (in-flight, recent failure rate, latency estimate and its sample
 * time) are not fields of this object but a 16-byte cell of a flat {@code long[]} block ({@link StatsCells}) that
 * the service's {@link StatsArena} hands out: a least-request pick over a large service reads two cells of a dense
 * array, not two objects scattered over the heap (docs/adr/0015). The cell belongs to the endpoint id, not to
 * this record: a record carried over ({@link #carryOver}) keeps it, so the statistics, including the in-flight
 * count of attempts still running on the old record, carry over by construction. The counters (successes,
 * failures, the failure run) and the health stay here. A record made outside a directory ({@link
 * #TrackedEndpoint(Endpoint, long)}) gets a block of its own.
 *
 * <h2>Latency estimate</h2>
 *
 * <p>The latency to response headers is tracked as an exponentially weighted average that reacts fast to a slowdown
 * and forgives a one-off spike: a sample above the estimate moves it halfway up, but by at most 8x the estimate
 * per sample (a client-side GC pause charged to whichever endpoint was in flight cannot make it look 500x slower);
 * a sample below moves it down by at least 1/16 of the gap, more when the previous sample is old (time constant
 * {@link #DECAY_NANOS}, from a table: no {@code Math.exp}). A persistently slow endpoint reaches its true latency
 * in a few samples; an identical endpoint that had one bad sample is back within a few dozen. The estimate is kept
 * as a {@code float} (7 significant digits) next to its sample time (ticks of ~16.8 ms), both in one word, so one
 * CAS updates both.
 */
public final class TrackedEndpoint implements EndpointState {

  /** Time constant of the latency decay between samples: 10 s. */
  public static final long DECAY_NANOS = StatsCells.DECAY_NANOS;
  /** Weight of a sample below the estimate, at least. */
  static final double DOWN_WEIGHT = 1.0 / 16;
  /** Weight of a sample above the estimate. */
  static final double UP_WEIGHT = 0.5;
  /** Largest factor one sample may raise the estimate by. */
  static final double MAX_UP_FACTOR = 8.0;
  /** Fixed-point scale of the recent failure rate (an int 0..SCALE). */
  private static final int RATE_SCALE = StatsCells.RATE_SCALE;
  /** One in-flight attempt in a cell's word 0. */
  private static final long ONE_IN_FLIGHT = 1L << 32;
  private static final long RATE_MASK = 0xFFFF_FFFFL;
  private static final VarHandle CELLS = MethodHandles.arrayElementVarHandle(long[].class);
  /** Weight of one outcome in the recent failure rate: 1/16. */
  private static final int RATE_SHIFT = 4;

  private static final VarHandle SUCCESSES;
  private static final VarHandle FAILURES;
  private static final VarHandle CONSECUTIVE_FAILURES;
  private static final VarHandle EJECTION_QUEUED;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      SUCCESSES = l.findVarHandle(TrackedEndpoint.class, "successes", long.class);
      FAILURES = l.findVarHandle(TrackedEndpoint.class, "failures", long.class);
      CONSECUTIVE_FAILURES = l.findVarHandle(TrackedEndpoint.class, "consecutiveFailures", int.class);
      EJECTION_QUEUED = l.findVarHandle(TrackedEndpoint.class, "ejectionQueued", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Endpoint endpoint;
  /**
   * {@code scheme://host:port} of the endpoint, built on first use (most endpoints of a large fleet are never called
   * by a given process, and each would hold ~220 B): a racy single-check, safe because {@link HttpUrl} is immutable
   * with final fields, so a thread sees either null (and builds its own equal copy) or a complete URL.
   */
  private @Nullable HttpUrl baseUrl;
  private final long createdAtNanos;
  private @Nullable Rewrite @Nullable [] rewrites; // lazily, racy by design
  private @Nullable Rewrite @Nullable [] tlsRewrites; // the same for calls upgraded to TLS

  /** The block holding this endpoint's cell, its cell's word 0 in it, and the block's read-only view. */
  private final long[] cells;
  private final int word;
  private final StatsCells view;

  @SuppressWarnings("unused") // via VarHandle
  private volatile long successes;
  @SuppressWarnings("unused")
  private volatile long failures;
  @SuppressWarnings("unused")
  private volatile int consecutiveFailures;
  @SuppressWarnings("unused")
  private volatile int ejectionQueued; // 1 while an ejection check is queued on the control context

  // Health: written only on the service's serial control context (state changes, never per call).
  private volatile boolean ejected;
  private volatile long ejectedUntilNanos;
  private volatile int timesEjected;
  private volatile long healthySinceNanos;
  private volatile @Nullable EndpointExclusion exclusion;

  /** A fresh record for a new endpoint first seen at {@code nowNanos}, with a statistics block of its own. */
  public TrackedEndpoint(Endpoint endpoint, long nowNanos) {
    this(endpoint, nowNanos, new long[StatsCells.STRIDE], 0);
  }

  /**
   * A fresh record whose statistics live in cell {@code index} of {@code view} ({@code cells} being the array
   * behind it); only {@link StatsArena} calls this, with a zeroed cell.
   */
  TrackedEndpoint(Endpoint endpoint, long nowNanos, long[] cells, int index, StatsCells view) {
    this.endpoint = requireNonNull(endpoint, "endpoint");
    this.createdAtNanos = nowNanos;
    this.healthySinceNanos = nowNanos;
    this.cells = cells;
    this.word = index * StatsCells.STRIDE;
    this.view = view;
  }

  private TrackedEndpoint(Endpoint endpoint, long nowNanos, long[] cells, int index) {
    this(endpoint, nowNanos, cells, index, new StatsCells(cells, 0));
  }

  private TrackedEndpoint(Endpoint endpoint, TrackedEndpoint previous) {
    this.endpoint = endpoint;
    this.baseUrl = previous.endpoint.host().equals(endpoint.host())
        && previous.endpoint.port() == endpoint.port()
        && previous.endpoint.secure() == endpoint.secure()
        ? previous.baseUrl : null;
    this.createdAtNanos = previous.createdAtNanos;
    this.cells = previous.cells; // the cell goes with the id: statistics and in-flight attempts carry over
    this.word = previous.word;
    this.view = previous.view;
    this.successes = previous.successes;
    this.failures = previous.failures;
    this.consecutiveFailures = previous.consecutiveFailures; // the failure run the outlier detector counts
    this.ejected = previous.ejected;
    this.ejectedUntilNanos = previous.ejectedUntilNanos;
    this.timesEjected = previous.timesEjected;
    this.healthySinceNanos = previous.healthySinceNanos;
    this.exclusion = previous.exclusion;
  }

  private static HttpUrl baseUrl(Endpoint e) {
    return new HttpUrl.Builder().scheme(e.secure() ? "https" : "http").host(e.host()).port(e.port()).build();
  }

  /**
   * The record to use when discovery reports {@code updated} for this endpoint id: this same object when the value
   * is unchanged, else a new record that keeps the statistics and health.
   */
  @SuppressWarnings("ReferenceEquality") // the same object first: no label-map comparison
  public TrackedEndpoint carryOver(Endpoint updated) {
    return updated == endpoint || updated.equals(endpoint) ? this : new TrackedEndpoint(updated, this);
  }

  @Override
  public Endpoint endpoint() {
    return endpoint;
  }

  /** {@code scheme://host:port/} of the endpoint, parsed once. */
  public HttpUrl baseUrl() {
    HttpUrl url = baseUrl;
    if (url == null) {
      url = baseUrl(endpoint);
      baseUrl = url;
    }
    return url;
  }

  /** Number of cached rewrites per endpoint (a power of two). */
  public static final int REWRITE_CACHE_SLOTS = 32;

  /** One cached rewrite; immutable, so safe to publish through a racy array slot. */
  private record Rewrite(HttpUrl logical, HttpUrl physical) {}

  /**
   * The physical URL of a call to {@code logical} on this endpoint: the endpoint's scheme, host and port with the
   * logical URL's encoded path, query and user info. A small direct-mapped cache of the last rewrites (by the
   * logical URL's hash) makes repeated URLs cost a hash and a compare (building an {@link HttpUrl} costs about a
   * microsecond and a kilobyte). Slots hold immutable pairs, read and written without locks.
   */
  public HttpUrl urlFor(HttpUrl logical) {
    Rewrite[] cache = rewrites;
    if (cache == null) {
      cache = new Rewrite[REWRITE_CACHE_SLOTS];
      rewrites = cache;
    }
    return rewrite(logical, cache, false);
  }

  /**
   * As {@link #urlFor}, always {@code https}: the physical URL of a call upgraded to TLS (a {@code tls.mode=mtls}
   * service), on the endpoint's port. Its own rewrite cache.
   */
  public HttpUrl tlsUrlFor(HttpUrl logical) {
    Rewrite[] cache = tlsRewrites;
    if (cache == null) {
      cache = new Rewrite[REWRITE_CACHE_SLOTS];
      tlsRewrites = cache;
    }
    return rewrite(logical, cache, true);
  }

  private HttpUrl rewrite(HttpUrl logical, @Nullable Rewrite[] cache, boolean tls) {
    int slot = logical.hashCode() & (REWRITE_CACHE_SLOTS - 1);
    Rewrite hit = cache[slot];
    if (hit != null && hit.logical.equals(logical)) {
      return hit.physical;
    }
    HttpUrl base = tls ? baseUrl().newBuilder().scheme("https").build() : baseUrl();
    HttpUrl.Builder b = base.newBuilder().encodedPath(logical.encodedPath());
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

  @Override
  public long createdAtNanos() {
    return createdAtNanos;
  }

  @Override
  public StatsCells statsCells() {
    return view;
  }

  @Override
  public int statsIndex() {
    return word / StatsCells.STRIDE;
  }

  @Override
  public int inFlight() {
    return StatsCells.inFlightOf((long) CELLS.getOpaque(cells, word));
  }

  @Override
  public double ewmaNanos() {
    return StatsCells.ewmaOf((long) CELLS.getOpaque(cells, word + 1));
  }

  /**
   * When the latency estimate last took a sample, to a tick (~16.8 ms, rounded down); 0 when it never did. Read
   * relative to {@link #createdAtNanos()}, so exact to the tick for ~2.2 years after the endpoint was first seen.
   */
  @Override
  public long lastSampleNanos() {
    long latency = (long) CELLS.getOpaque(cells, word + 1);
    if (StatsCells.ewmaOf(latency) == 0.0) {
      return 0;
    }
    long base = createdAtNanos >> StatsCells.TICK_SHIFT;
    long ticksSince = (StatsCells.tickOf(latency) - (int) base) & 0xFFFF_FFFFL;
    return (base + ticksSince) << StatsCells.TICK_SHIFT;
  }

  @Override
  public long successes() {
    return (long) SUCCESSES.getOpaque(this);
  }

  @Override
  public long failures() {
    return (long) FAILURES.getOpaque(this);
  }

  @Override
  public int consecutiveFailures() {
    return (int) CONSECUTIVE_FAILURES.getOpaque(this);
  }

  @Override
  public double recentFailureRate() {
    return StatsCells.rateOf((long) CELLS.getOpaque(cells, word));
  }

  // ---- call path: statistics ----

  /** An attempt to this endpoint starts. */
  public void attemptStarted() {
    CELLS.getAndAdd(cells, word, ONE_IN_FLIGHT);
  }

  /**
   * The attempt started with {@link #attemptStarted()} got its response headers, or failed, after
   * {@code latencyNanos}: it no longer counts as in flight, and the latency is sampled.
   */
  public void responded(long latencyNanos, long nowNanos) {
    CELLS.getAndAdd(cells, word, -ONE_IN_FLIGHT);
    recordLatency(latencyNanos, nowNanos);
  }

  /** Records how an attempt ended for this endpoint: a success, or a failure that counts against it. */
  public void outcome(boolean failed) {
    if (failed) {
      FAILURES.getAndAdd(this, 1L);
      CONSECUTIVE_FAILURES.getAndAdd(this, 1);
    } else {
      SUCCESSES.getAndAdd(this, 1L);
      if ((int) CONSECUTIVE_FAILURES.getOpaque(this) != 0) {
        CONSECUTIVE_FAILURES.setOpaque(this, 0);
      }
    }
    int target = failed ? RATE_SCALE : 0;
    for (int i = 0; i < 4; i++) { // bounded: a lost race drops one sample of a statistic
      long counts = (long) CELLS.getVolatile(cells, word);
      int current = (int) counts;
      int next = current + ((target - current) >> RATE_SHIFT);
      if (next == current
          || CELLS.compareAndSet(cells, word, counts, (counts & ~RATE_MASK) | (next & RATE_MASK))) {
        return;
      }
    }
  }

  /** Both halves of an attempt's end at once: {@link #responded} and {@link #outcome}. */
  public void attemptEnded(long latencyNanos, long nowNanos, boolean failed) {
    responded(latencyNanos, nowNanos);
    outcome(failed);
  }

  private void recordLatency(long latencyNanos, long nowNanos) {
    double sample = Math.max(1.0, (double) latencyNanos);
    int now = StatsCells.tick(nowNanos);
    for (int i = 0; i < 4; i++) { // bounded: a lost race only drops one sample
      long latency = (long) CELLS.getVolatile(cells, word + 1);
      double current = StatsCells.ewmaOf(latency);
      double next;
      if (current == 0.0) {
        next = sample;
      } else if (sample > current) {
        next = current + UP_WEIGHT * (Math.min(sample, current * MAX_UP_FACTOR) - current);
      } else {
        next = current + downWeight(StatsCells.ticksToNanos(now, StatsCells.tickOf(latency))) * (sample - current);
      }
      if (CELLS.compareAndSet(cells, word + 1, latency, StatsCells.latencyWord((float) next, now))) {
        return;
      }
    }
  }

  /**
   * The weight of a sample below the estimate when the previous sample is {@code elapsedNanos} old: 1/16, more
   * once it is older than {@code DECAY_NANOS / 16} ({@code 1 - exp(-elapsed / DECAY_NANOS)}, from a table).
   */
  static double downWeight(long elapsedNanos) {
    return elapsedNanos >= DECAY_NANOS / 16 // only an old previous sample earns more than 1/16
        ? Math.max(DOWN_WEIGHT, 1.0 - StatsCells.decay(elapsedNanos))
        : DOWN_WEIGHT;
  }

  /**
   * Claims the right to queue one ejection check for this endpoint; the call path calls it when the failure run
   * reaches the threshold, so that a burst of failures queues one check, not one per call.
   */
  public boolean claimEjectionCheck() {
    return (int) EJECTION_QUEUED.getOpaque(this) == 0 && EJECTION_QUEUED.compareAndSet(this, 0, 1);
  }

  /** The queued ejection check ran. */
  public void ejectionCheckDone() {
    EJECTION_QUEUED.setVolatile(this, 0);
  }

  // ---- health: the service's serial control context only ----

  @Override
  public boolean isEjected() {
    return ejected;
  }

  @Override
  public long ejectedUntilNanos() {
    return ejectedUntilNanos;
  }

  @Override
  public int timesEjected() {
    return timesEjected;
  }

  @Override
  public long healthySinceNanos() {
    return healthySinceNanos;
  }

  @Override
  public @Nullable EndpointExclusion exclusion() {
    return exclusion;
  }

  /** Takes the endpoint out of rotation for {@code why} (its until time is the ejection's end). */
  @SuppressWarnings("NonAtomicVolatileUpdate") // only the service's control context writes it
  public void eject(EndpointExclusion why) {
    this.timesEjected = timesEjected + 1;
    this.ejectedUntilNanos = why.untilNanos();
    this.exclusion = why;
    this.ejected = true;
  }

  /** Returns the endpoint to rotation at {@code nowNanos} (slow start ramps from here). */
  public void restore(long nowNanos) {
    this.exclusion = null;
    this.ejected = false;
    this.healthySinceNanos = nowNanos;
    CONSECUTIVE_FAILURES.setOpaque(this, 0);
    long counts;
    do {
      counts = (long) CELLS.getVolatile(cells, word);
    } while (!CELLS.compareAndSet(cells, word, counts, counts & ~RATE_MASK));
  }

  /**
   * The endpoint's provider restarted (a registration with a newer start time): slow start ramps from
   * {@code startNanos}, as for a new endpoint.
   */
  public void warmFrom(long startNanos) {
    this.healthySinceNanos = startNanos;
  }

  /** Forgets the ejection history (the endpoint stayed healthy long enough). */
  public void resetEjectionCount() {
    this.timesEjected = 0;
  }

  @Override
  public String toString() {
    return endpoint + " inFlight=" + inFlight()
        + " ewmaMs=" + String.format(java.util.Locale.ROOT, "%.2f", ewmaNanos() / 1e6)
        + (ejected ? " EJECTED" : "");
  }
}
