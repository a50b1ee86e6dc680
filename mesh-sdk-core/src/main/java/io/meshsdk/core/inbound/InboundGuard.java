package io.meshsdk.core.inbound;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.meshsdk.core.common.AddressRange;
import io.meshsdk.core.common.CallerNames;
import io.meshsdk.core.common.MeshHeaders;
import io.meshsdk.core.common.Ticker;
import io.meshsdk.core.resilience.Bulkhead;
import io.meshsdk.core.resilience.Deadlines;
import io.meshsdk.core.resilience.RateLimiter;
import io.meshsdk.core.security.policy.Decision;
import io.meshsdk.core.security.policy.PolicyHolder;
import io.meshsdk.core.security.policy.ServicePolicy;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The server side of the mesh, transport-neutral: decides whether an inbound request is served, and makes the
 * caller's deadline ({@value Deadlines#HEADER}) the deadline of every outbound mesh call made while serving
 * it. A web framework adapts it (the Spring module as a servlet filter):
 *
 * <pre>{@code
 * try (InboundGuard.Admission a = guard.admit(InboundRequest.builder()
 *     .method(req.getMethod()).path(req.getRequestURI()).remoteAddress(req.getRemoteAddr())
 *     .peerIdentity(verifiedClientCertificateIdOrNull)
 *     .callerHeader(req.getHeader(guard.callerHeader())).deadlineHeader(req.getHeader(Deadlines.HEADER))
 *     .build())) {
 *   if (!a.admitted()) {
 *     resp.setStatus(a.status());
 *     resp.setHeader("Retry-After", a.retryAfterSeconds());
 *     if (a.draining()) {
 *       resp.setHeader(MeshHeaders.DRAINING, "true");
 *       resp.setHeader("Connection", "close");
 *     }
 *     return;
 *   }
 *   chain.doFilter(req, resp);
 * }
 * }</pre>
 *
 * <p><b>Who is calling</b> ({@link Admission#caller()}, {@link Admission#callerSource()}): the caller header is a
 * claim anyone can send, so it is believed only from a trusted hop ({@code trusted-hops}: a peer address, such as
 * the local sidecar, that vouches for the caller it forwards) or, for plaintext networks, when
 * {@code trust-plaintext-caller} says so. Otherwise the caller is the identity of the client certificate the TLS
 * layer verified, and without one it is {@value #ANONYMOUS}: a spoofed {@code x-mesh-caller: admin} from an
 * untrusted peer is ignored.
 *
 * <p><b>Who may call</b>: with an access policy ({@link #create(InboundGuardConfig, Ticker, PolicyHolder, String)}),
 * the policy of the served service decides on the established caller, the method, the path and the peer address
 * before any limit is spent: a denied request gets 403 and the application never runs (a dry-run policy only
 * counts and logs what it would deny).
 *
 * <p>Limits (the mesh's lock-free {@link RateLimiter} and {@link Bulkhead}, as on the outbound side; the rate
 * limiter's cycles follow the guard's ticker): a per-caller rate limit and a per-caller concurrency limit (over
 * either: 429 Too Many Requests), an overall concurrency limit (over it: 503 Service Unavailable, the server is
 * overloaded). Both carry {@code Retry-After}. A request whose propagated deadline has already passed is
 * refused with 504 (nobody waits for its answer).
 *
 * <p>Per-caller limits cannot be dodged by respelling or rotating the caller's name: names are trimmed and folded
 * to lower case ({@code Orders}, {@code " orders "} and {@code orders} are one caller); a name longer than
 * {@value #MAX_CALLER_LENGTH} characters or with characters a service name or SPIFFE id never has counts as
 * {@value #ANONYMOUS}; at most {@code max-tracked-callers} callers get limiters of their own, and every caller past
 * that shares one {@value #OTHER} limiter, so a flood of new names neither gets fresh permits nor evicts the limiter
 * of a caller that already spent its own. A caller's limiter is forgotten only after it was idle for the longer of
 * the rate period and one minute (by then its permits would have refreshed anyway).
 *
 * <p>Graceful drain ({@link #drain()}, which {@link io.meshsdk.core.Mesh#drain()} calls after deregistering and
 * waiting for callers to notice): from then on every new request is answered 503 with {@value
 * MeshHeaders#DRAINING}{@code : true} and {@code Connection: close} without running the application, which tells a
 * mesh caller to send it to another endpoint whatever its method; requests already admitted finish, and
 * {@link #awaitIdle} waits for them.
 */
public final class InboundGuard {

  /** The caller name used when the caller is unknown or its name unusable. */
  public static final String ANONYMOUS = CallerNames.ANONYMOUS;
  /** The caller every caller past {@code max-tracked-callers} counts as. */
  public static final String OTHER = "other";
  /** Longest caller name kept; longer ones count as {@value #ANONYMOUS}. */
  public static final int MAX_CALLER_LENGTH = CallerNames.MAX_LENGTH;

  private final InboundGuardConfig config;
  private final Ticker ticker;
  /** The access policies and the served service whose section applies; both null without a policy. */
  private final @Nullable PolicyHolder policies;
  private final @Nullable String service;
  private final @Nullable Bulkhead overall;
  private final Cache<String, CallerLimits> callers;
  private final Function<String, CallerLimits> newCaller;
  private final String overloadRetryAfter;
  private final String rateRetryAfter;
  private final LongAdder inFlight = new LongAdder();
  private final Object idle = new Object();
  private volatile boolean draining;
  /** Threads in {@link #awaitIdle}: a finishing request wakes them even when the guard is not draining. */
  private volatile int idleWaiters;

  private InboundGuard(InboundGuardConfig config, Ticker ticker, @Nullable PolicyHolder policies,
      @Nullable String service) {
    this.config = config;
    this.ticker = ticker;
    this.policies = policies;
    this.service = service;
    this.overall = config.maxConcurrent() > 0 ? new Bulkhead(config.maxConcurrent()) : null;
    java.time.Duration idle = config.perCallerPeriod().compareTo(java.time.Duration.ofMinutes(1)) > 0
        ? config.perCallerPeriod() : java.time.Duration.ofMinutes(1);
    this.callers = Caffeine.newBuilder().expireAfterAccess(idle).build();
    // a caller's cycles start when its limiter is made (its first request), on the guard's ticker
    this.newCaller = caller -> new CallerLimits(
        config.perCallerPermits() > 0
            ? new RateLimiter(config.perCallerPermits(), config.perCallerPeriod(), Duration.ZERO, ticker.read())
            : null,
        config.perCallerMaxConcurrent() > 0 ? new Bulkhead(config.perCallerMaxConcurrent()) : null);
    this.overloadRetryAfter = Long.toString(config.overloadRetryAfter().toSeconds());
    // a caller over its rate gets new permits within one period at the latest
    this.rateRetryAfter = Long.toString(Math.max(1, (config.perCallerPeriod().toMillis() + 999) / 1000));
  }

  /** A guard with {@code config} on the system ticker, without access policy. */
  public static InboundGuard create(InboundGuardConfig config) {
    return create(config, Ticker.SYSTEM);
  }

  /** A guard with {@code config}, without access policy; deadlines are measured on {@code ticker}. */
  public static InboundGuard create(InboundGuardConfig config, Ticker ticker) {
    return new InboundGuard(requireNonNull(config, "config"), requireNonNull(ticker, "ticker"),
        null, null);
  }

  /**
   * A guard with {@code config} that also applies the access policy of {@code service} in force in
   * {@code policies} (read per request, so a reloaded policy applies to the next request): a denied caller gets
   * 403 before the application runs; a service without a section in the policy is not restricted.
   *
   * @param service the service this server serves (the policy's {@code service <name>} section)
   */
  public static InboundGuard create(InboundGuardConfig config, Ticker ticker, PolicyHolder policies,
      String service) {
    return new InboundGuard(requireNonNull(config, "config"), requireNonNull(ticker, "ticker"),
        requireNonNull(policies, "policies"), requireNonNull(service, "service"));
  }

  /** The header that names the caller. */
  public String callerHeader() {
    return config.callerHeader();
  }

  /** How the caller of a request was established. */
  public enum CallerSource {
    /** From the caller header, forwarded by a trusted hop ({@code trusted-hops}). */
    TRUSTED_HOP,
    /** From the client certificate the TLS layer verified. */
    CERTIFICATE,
    /** From the caller header of a plaintext peer, believed because {@code trust-plaintext-caller} is on. */
    PLAINTEXT_HEADER,
    /** Not established: the caller is {@value InboundGuard#ANONYMOUS}. */
    NONE
  }

  /**
   * Decides about one request. Close the result when the request is done (on the same thread): it releases the
   * concurrency slots and the deadline scope.
   */
  public Admission admit(InboundRequest request) {
    requireNonNull(request, "request");
    inFlight.increment(); // before the draining check: drain() sets the flag, then counts what is in flight
    String header = request.callerHeader();
    String who;
    CallerSource source;
    if (header != null && !config.trustedHops().isEmpty()
        && AddressRange.anyContains(config.trustedHops(), request.remoteAddress())) {
      who = callerName(header);
      source = CallerSource.TRUSTED_HOP;
    } else if (request.peerIdentity() != null) {
      who = callerName(request.peerIdentity());
      source = CallerSource.CERTIFICATE;
    } else if (header != null && config.trustPlaintextCaller()) {
      who = callerName(header);
      source = CallerSource.PLAINTEXT_HEADER;
    } else {
      who = ANONYMOUS;
      source = CallerSource.NONE;
    }
    if (who.equals(ANONYMOUS)) {
      source = CallerSource.NONE; // a header or certificate name no service or SPIFFE id has
    }
    if (draining) {
      done();
      return new Admission(this, 503, "0", "draining: this instance is shutting down", who, source, null, null,
          null, true);
    }
    PolicyHolder holder = policies;
    String served = service;
    ServicePolicy policy = holder == null || served == null ? null : holder.current().inbound(served);
    if (policy != null) {
      Decision d = policy.decide(who, request.method(), request.path(), request.remoteAddress());
      if (d.denied()) {
        done();
        return refused(403, null, d.describe(who), who, source);
      }
    }
    Admission a = decide(who, source, request.deadlineHeader());
    if (!a.admitted()) {
      done();
    }
    return a;
  }

  /**
   * Starts draining: every request from now on is refused (503, {@value MeshHeaders#DRAINING}); requests already
   * admitted go on. Idempotent.
   */
  public void drain() {
    draining = true;
  }

  /** Whether {@link #drain()} was called. */
  public boolean isDraining() {
    return draining;
  }

  /** How many admitted requests have not closed their {@link Admission} yet. */
  public long inFlight() {
    return inFlight.sum();
  }

  /**
   * Waits until no admitted request is in progress, or {@code timeout} passed.
   *
   * @return whether none is in progress
   */
  public boolean awaitIdle(java.time.Duration timeout) {
    requireNonNull(timeout, "timeout");
    long timeoutNanos = timeout.compareTo(java.time.Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE
        : timeout.toNanos(); // longer than 292 years: as good as forever, not an overflow
    long start = System.nanoTime();
    synchronized (idle) {
      idleWaiters++; // before reading the count: a request that finishes after the read sees the waiter
      try {
        while (inFlight.sum() > 0) {
          long left = timeoutNanos - (System.nanoTime() - start);
          if (left <= 0) {
            return false;
          }
          try {
            idle.wait(Math.max(1, left / 1_000_000), 0);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
          }
        }
        return true;
      } finally {
        idleWaiters--;
      }
    }
  }

  private void done() {
    inFlight.decrement();
    if (draining || idleWaiters > 0) {
      synchronized (idle) {
        idle.notifyAll();
      }
    }
  }

  private Admission decide(String who, CallerSource source, @Nullable String deadlineHeader) {
    long deadlineMs = Deadlines.parseMillis(deadlineHeader);
    if (deadlineMs == 0) {
      return refused(504, null, "deadline of caller '" + who + "' already passed", who, source);
    }
    Bulkhead all = overall;
    if (all != null && !all.tryAcquire()) {
      return refused(503, overloadRetryAfter, "overloaded: " + config.maxConcurrent() + " requests in progress",
          who, source);
    }
    CallerLimits limits = config.perCallerPermits() > 0 || config.perCallerMaxConcurrent() > 0
        ? limitsOf(who) : null;
    if (limits != null && limits.rate != null && limits.rate.acquire(ticker.read(), 0) != 0) {
      release(all, null);
      return refused(429, rateRetryAfter, "caller '" + who + "' exceeded " + config.perCallerPermits()
          + " requests per " + config.perCallerPeriod().toMillis() + " ms", who, source);
    }
    Bulkhead mine = limits == null ? null : limits.concurrency;
    if (mine != null && !mine.tryAcquire()) {
      release(all, null);
      return refused(429, "1", "caller '" + who + "' has " + config.perCallerMaxConcurrent()
          + " requests in progress", who, source);
    }
    Deadlines.Scope scope = deadlineMs > 0 ? Deadlines.withRemaining(deadlineMs, ticker) : null;
    return new Admission(this, 0, null, "admitted", who, source, all, mine, scope, false);
  }

  private Admission refused(int status, @Nullable String retryAfter, String reason, String who,
      CallerSource source) {
    return new Admission(this, status, retryAfter, reason, who, source, null, null, null, false);
  }

  /**
   * The caller name a request counts as: trimmed and lower case; {@value #ANONYMOUS} when absent, too long or made
   * of characters no service name or SPIFFE id has.
   */
  public static String callerName(@Nullable String header) {
    return header == null ? ANONYMOUS : CallerNames.normalise(header);
  }

  /** The limiters of {@code who}; past the cap, the shared {@value #OTHER} ones (never evicting a tracked caller). */
  private CallerLimits limitsOf(String who) {
    CallerLimits mine = callers.getIfPresent(who);
    if (mine != null) {
      return mine;
    }
    if (callers.estimatedSize() >= config.maxTrackedCallers()) {
      callers.cleanUp();
      if (callers.estimatedSize() >= config.maxTrackedCallers()) {
        return callers.get(OTHER, newCaller);
      }
    }
    return callers.get(who, newCaller);
  }

  private static void release(@Nullable Bulkhead a, @Nullable Bulkhead b) {
    if (a != null) {
      a.release();
    }
    if (b != null) {
      b.release();
    }
  }

  private record CallerLimits(@Nullable RateLimiter rate, @Nullable Bulkhead concurrency) {}

  /** The decision about one request; close it when the request is done. */
  public static final class Admission implements AutoCloseable {
    private static final java.util.concurrent.atomic.AtomicIntegerFieldUpdater<Admission> CLOSED =
        java.util.concurrent.atomic.AtomicIntegerFieldUpdater.newUpdater(Admission.class, "closed");
    @SuppressWarnings("UnusedVariable") // read and written through CLOSED
    private volatile int closed;
    private final InboundGuard guard;
    private final boolean draining;
    private boolean counted;
    private final int status;
    private final @Nullable String retryAfter;
    private final String reason;
    private final String caller;
    private final CallerSource callerSource;
    private @Nullable Bulkhead overall;
    private @Nullable Bulkhead callerSlot;
    private Deadlines.@Nullable Scope scope;

    private Admission(InboundGuard guard, int status, @Nullable String retryAfter, String reason, String caller,
        CallerSource callerSource, @Nullable Bulkhead overall, @Nullable Bulkhead callerSlot, Deadlines.@Nullable Scope scope, boolean draining) {
      this.guard = guard;
      this.draining = draining;
      this.counted = status == 0;
      this.status = status;
      this.retryAfter = retryAfter;
      this.reason = reason;
      this.caller = caller;
      this.callerSource = callerSource;
      this.overall = overall;
      this.callerSlot = callerSlot;
      this.scope = scope;
    }

    /** Whether the request may be served. */
    public boolean admitted() {
      return status == 0;
    }

    /**
     * Whether the request was refused because the instance is draining: answer {@link #status()} with header
     * {@value MeshHeaders#DRAINING}{@code : true} and {@code Connection: close}.
     */
    public boolean draining() {
      return draining;
    }

    /**
     * 0 when admitted, else the status to answer: 403 (the access policy denies the caller), 429 (caller over its
     * limit), 503 (overload, draining), 504 (deadline passed).
     */
    public int status() {
      return status;
    }

    /** The {@code Retry-After} value in seconds for a rejection, or {@code null}. */
    public @Nullable String retryAfterSeconds() {
      return retryAfter;
    }

    /**
     * Who is calling, as established (see {@link InboundGuard}): a normalised caller name or SPIFFE id, or {@value
     * InboundGuard#ANONYMOUS}. For metrics, traces and the application (never the raw header).
     */
    public String caller() {
      return caller;
    }

    /** How {@link #caller()} was established. */
    public CallerSource callerSource() {
      return callerSource;
    }

    /** Why, for logs and the response body. */
    public String reason() {
      return reason;
    }

    /**
     * Releases the concurrency slots and restores the thread's previous deadline. Idempotent, also when two threads
     * close it at once (only one releases).
     */
    @Override
    public void close() {
      if (!CLOSED.compareAndSet(this, 0, 1)) {
        return; // closed already, perhaps on another thread (an async request's timeout and completion)
      }
      release(overall, callerSlot);
      overall = null;
      callerSlot = null;
      if (counted) {
        counted = false;
        guard.done();
      }
      Deadlines.Scope s = scope;
      scope = null;
      if (s != null) {
        s.close();
      }
    }
  }
}
