package io.meshsdk.core.sidecar;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.ConfigValues;
import io.meshsdk.core.registration.RegistrationStatus;
import io.meshsdk.core.registration.ServiceRegistration;
import io.meshsdk.core.registration.ServiceRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This instance's registration, flippable at run time between the application's own port and the local sidecar's
 * inbound port ({@link RegistrationPortPolicy}): the inbound side of a migration, and its rollback.
 *
 * <pre>{@code
 * InboundRegistration inbound = mesh.registerInbound(registry,
 *     ServiceRegistration.of("inventory", podIp, 8080), InboundMode.APPLICATION);
 * inbound.viaSidecar("ticket OPS-42");   // callers now connect to podIp:15006 (the sidecar), which forwards to 8080
 * inbound.direct("rollback");            // and back
 * }</pre>
 *
 * <p><b>Each flip is make-before-break.</b> (1) The target listener must accept a TCP connection ({@link
 * Builder#probe}), else {@link InboundFlipException}. (2) The target address is registered as a <em>second</em>
 * registry entry, with its own instance id, while the old entry stays. (3) The flip waits until the registry
 * acknowledges the new entry (its status is {@link RegistrationStatus#REGISTERED}: the ZooKeeper node was created,
 * the etcd key was written on its lease), at most {@link Builder#acknowledgeTimeout}; if it does not, the new entry
 * is withdrawn again and the flip fails with {@link InboundFlipException}: the old entry was never touched, so the
 * instance is never left with no entry. (4) Both entries stay registered for {@link Builder#overlap} (default
 * {@value #DEFAULT_OVERLAP_MILLIS} ms), so that callers that list a service and then read its entries, or whose
 * watches lag, see the new entry before the old one goes. (5) The old entry is withdrawn. The new address is
 * "visible" from step 3 plus the overlap. Neither listener is stopped by a flip: the application keeps its port
 * (the sidecar forwards to it), and the sidecar's inbound listener must keep serving after a flip back until
 * callers that cache instance lists (Spring Cloud LoadBalancer: 35 s) have refreshed.
 *
 * <p>Every entry carries the application registration's labels (so the same start time: callers do not ramp the
 * instance up again after a flip); sidecar entries also carry {@value RegistrationPortPolicy#INBOUND_LABEL} and
 * {@value RegistrationPortPolicy#APP_PORT_LABEL}. Each flip is recorded ({@link #transitions()}, the last
 * {@value InboundTransition#KEPT}) and logged at INFO. Flips are serialized; they block the calling thread for the
 * acknowledgement and the overlap. {@link #close()} withdraws every entry (also one a flip in progress made).
 */
public final class InboundRegistration implements AutoCloseable {

  /** Default time both entries stay registered after the new one is acknowledged: 2,000 ms. */
  public static final long DEFAULT_OVERLAP_MILLIS = 2_000;
  /** Default overlap. */
  public static final Duration DEFAULT_OVERLAP = Duration.ofMillis(DEFAULT_OVERLAP_MILLIS);
  /** Default time a flip waits for the registry to acknowledge the new entry: 10 s. */
  public static final Duration DEFAULT_ACKNOWLEDGE_TIMEOUT = Duration.ofSeconds(10);
  /** Default connect timeout of the probe of the target listener: 1 s. */
  public static final Duration DEFAULT_PROBE_TIMEOUT = Duration.ofSeconds(1);

  private static final Logger log = LoggerFactory.getLogger(InboundRegistration.class);

  /** Registers one entry: {@code ServiceRegistry::register}, or {@code Mesh}'s, which also tells its observers. */
  @FunctionalInterface
  public interface Registrar {
    /** Registers {@code registration}, telling {@code listener} of its status changes. */
    ServiceRegistry.Registration register(ServiceRegistration registration,
        ServiceRegistry.RegistrationListener listener);
  }

  private final ServiceRegistration application;
  private final Registrar registrar;
  private final String registryName;
  private final Supplier<@Nullable SidecarConfig> sidecar;
  private final Duration acknowledgeTimeout;
  private final Duration overlap;
  private final boolean probe;
  private final Duration probeTimeout;
  private final Clock clock;
  /** Serializes flips (a flip waits for the registry and the overlap: never on a call path). */
  private final ReentrantLock flipLock = new ReentrantLock();
  private final CountDownLatch closing = new CountDownLatch(1);
  // guarded by this
  private InboundMode mode;
  private ServiceRegistry.Registration current;
  private ServiceRegistry.@Nullable Registration pending;
  private boolean closed;
  private final ArrayDeque<InboundTransition> transitions = new ArrayDeque<>();

  private InboundRegistration(Builder b, Registrar registrar) {
    this.application = b.application;
    this.registrar = registrar;
    this.registryName = b.registryName;
    this.sidecar = b.sidecar;
    this.acknowledgeTimeout = b.acknowledgeTimeout;
    this.overlap = b.overlap;
    this.probe = b.probe;
    this.probeTimeout = b.probeTimeout;
    this.clock = b.clock;
    this.mode = b.mode;
    ServiceRegistration first = advertisedFor(b.mode); // ConfigException before anything is registered
    if (probe && b.mode == InboundMode.SIDECAR && !accepts(first)) {
      log.warn("inbound: registering {} via the sidecar, but nothing accepts connections on {} yet", first.service(),
          address(first));
    }
    this.current = registrar.register(first, ServiceRegistry.RegistrationListener.NONE);
  }

  /**
   * A builder for the registration of {@code application} (the application's own address and port, with its
   * labels).
   */
  public static Builder builder(ServiceRegistration application) {
    return new Builder(application);
  }

  /** The application's own registration (its port, its labels). */
  public ServiceRegistration application() {
    return application;
  }

  /** The mode in force. */
  public synchronized InboundMode mode() {
    return mode;
  }

  /** What is advertised now. */
  public synchronized ServiceRegistration advertised() {
    return current.registration();
  }

  /** The registry entry in force (replaced by each flip). */
  public synchronized ServiceRegistry.Registration current() {
    return current;
  }

  /** The last {@value InboundTransition#KEPT} flips, oldest first. */
  public synchronized List<InboundTransition> transitions() {
    return List.copyOf(transitions);
  }

  /** Flips to the sidecar's inbound port; see {@link #flip}. */
  public InboundMode viaSidecar(String reason) {
    return flip(InboundMode.SIDECAR, InboundTransition.BY_API, reason);
  }

  /** Flips back to the application's port; see {@link #flip}. */
  public InboundMode direct(String reason) {
    return flip(InboundMode.APPLICATION, InboundTransition.BY_API, reason);
  }

  /**
   * Flips the registration to {@code to}, make-before-break (see the class comment); returns when the old entry is
   * withdrawn. Nothing happens when {@code to} is in force already.
   *
   * @param by who or what flips it, for the audit trail ({@link InboundTransition#by()})
   * @param reason why, for the audit trail ("" for none)
   * @return the mode in force before
   * @throws io.meshsdk.core.common.ConfigException naming {@code sidecar.inbound-port} when flipping to the sidecar
   *     and no inbound port is configured
   * @throws InboundFlipException when the target listener does not accept connections or the registry does not
   *     acknowledge the new entry in time: the old entry stays
   * @throws IllegalStateException once closed
   */
  public InboundMode flip(InboundMode to, String by, String reason) {
    requireNonNull(to, "to");
    requireNonNull(by, "by");
    requireNonNull(reason, "reason");
    flipLock.lock();
    try {
      InboundMode from;
      ServiceRegistry.Registration old;
      synchronized (this) {
        checkOpen();
        from = mode;
        old = current;
      }
      if (from == to) {
        return from;
      }
      ServiceRegistration target = advertisedFor(to);
      ServiceRegistration before = old.registration();
      String stays = "; still registered as " + address(before) + " (" + from + ")";
      if (probe && !accepts(target)) {
        throw failed(to, target, "nothing accepts connections on " + address(target) + " (probed for "
            + probeTimeout.toMillis() + " ms)" + (to == InboundMode.SIDECAR ? ": is the sidecar's inbound listener up?"
            : "") + stays, null);
      }
      long start = System.nanoTime();
      CompletableFuture<String> acknowledged = new CompletableFuture<>();
      ServiceRegistry.Registration next;
      try {
        next = registrar.register(target, (r, status, detail) -> {
          if (status == RegistrationStatus.REGISTERED) {
            acknowledged.complete(detail);
          } else if (status == RegistrationStatus.DEREGISTERED) {
            acknowledged.completeExceptionally(new IllegalStateException("deregistered: " + detail));
          }
        });
      } catch (RuntimeException e) {
        throw failed(to, target, "the registry refused the new entry (" + e + ")" + stays, e);
      }
      synchronized (this) {
        if (closed) {
          next.close();
          throw new IllegalStateException("inbound registration of " + application.service() + " is closed");
        }
        pending = next;
      }
      try {
        acknowledged.get(acknowledgeTimeout.toNanos(), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        RegistrationStatus status = next.status();
        abandon(next);
        throw failed(to, target, registryName + " did not acknowledge the new entry within "
            + acknowledgeTimeout.toMillis() + " ms (its status: " + status + "); the new entry is withdrawn"
            + stays, null);
      } catch (ExecutionException e) {
        abandon(next);
        throw failed(to, target, "the new entry was withdrawn before " + registryName + " acknowledged it ("
            + e.getCause() + ")" + stays, e.getCause());
      } catch (InterruptedException e) {
        abandon(next);
        Thread.currentThread().interrupt();
        throw failed(to, target, "interrupted while waiting for " + registryName + stays, e);
      }
      awaitOverlap();
      synchronized (this) {
        pending = null;
        if (closed) { // close() withdrew both meanwhile
          next.close();
          throw new IllegalStateException("inbound registration of " + application.service() + " closed during a"
              + " flip");
        }
        current = next;
        mode = to;
      }
      old.close();
      long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      InboundTransition t = new InboundTransition(application.service(), clock.instant(), by, from, to,
          address(before), address(target), took, reason);
      synchronized (this) {
        if (transitions.size() == InboundTransition.KEPT) {
          transitions.removeFirst();
        }
        transitions.addLast(t);
      }
      log.info("inbound: {} flipped in {} from {} ({}) to {} ({}), {} ms, by {}{}", application.service(),
          registryName, from, address(before), to, address(target), took, by,
          reason.isEmpty() ? "" : " (" + reason + ")");
      return from;
    } finally {
      flipLock.unlock();
    }
  }

  /** Withdraws every entry (the one in force and one a flip in progress registered). Idempotent; never throws. */
  @Override
  public void close() {
    ServiceRegistry.Registration c;
    ServiceRegistry.@Nullable Registration p;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      c = current;
      p = pending;
    }
    closing.countDown();
    if (p != null) {
      p.close();
    }
    c.close();
  }

  @Override
  public String toString() {
    return "InboundRegistration{" + advertised() + " " + mode() + "}";
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("inbound registration of " + application.service() + " is closed");
    }
  }

  private ServiceRegistration advertisedFor(InboundMode m) {
    return m.policy(sidecar.get()).apply(application);
  }

  private void abandon(ServiceRegistry.Registration next) {
    synchronized (this) {
      if (pending == next) {
        pending = null;
      }
    }
    next.close();
  }

  private void awaitOverlap() {
    if (overlap.isZero()) {
      return;
    }
    try {
      var unused = closing.await(overlap.toNanos(), TimeUnit.NANOSECONDS); // close() ends the wait
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the new entry is acknowledged: finish the flip, the overlap cut short
    }
  }

  private InboundFlipException failed(InboundMode to, ServiceRegistration target, String why,
      @Nullable Throwable cause) {
    String message = "inbound flip of " + application.service() + " to " + to + " (" + address(target) + ") failed: "
        + why;
    log.warn(message);
    return cause == null ? new InboundFlipException(message) : new InboundFlipException(message, cause);
  }

  private boolean accepts(ServiceRegistration target) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(target.host(), target.port()), (int) Math.max(1, probeTimeout.toMillis()));
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static String address(ServiceRegistration r) {
    return (r.host().indexOf(':') >= 0 ? "[" + r.host() + "]" : r.host()) + ":" + r.port();
  }

  /** Builds an {@link InboundRegistration}; {@link #registry} or {@link #registrar} is required. */
  public static final class Builder {
    private final ServiceRegistration application;
    private @Nullable Registrar registrar;
    private String registryName = "the registry";
    private Supplier<@Nullable SidecarConfig> sidecar = () -> null;
    private InboundMode mode = InboundMode.APPLICATION;
    private Duration acknowledgeTimeout = DEFAULT_ACKNOWLEDGE_TIMEOUT;
    private Duration overlap = DEFAULT_OVERLAP;
    private boolean probe = true;
    private Duration probeTimeout = DEFAULT_PROBE_TIMEOUT;
    private Clock clock = Clock.systemUTC();

    private Builder(ServiceRegistration application) {
      this.application = requireNonNull(application, "application");
    }

    /** Registers each entry in {@code registry} directly. */
    public Builder registry(ServiceRegistry registry) {
      requireNonNull(registry, "registry");
      this.registrar = registry::register;
      this.registryName = registry.name();
      return this;
    }

    /**
     * Registers each entry through {@code registrar} (e.g. {@code Mesh}'s, so that its observers hear of each
     * entry and its drain withdraws them); {@code registryName} is for messages.
     */
    public Builder registrar(String registryName, Registrar registrar) {
      this.registryName = requireNonNull(registryName, "registryName");
      this.registrar = requireNonNull(registrar, "registrar");
      return this;
    }

    /** The sidecar whose {@link SidecarConfig#inboundPort()} a sidecar entry advertises (default none). */
    public Builder sidecar(@Nullable SidecarConfig sidecar) {
      this.sidecar = () -> sidecar;
      return this;
    }

    /** The sidecar, asked at each flip (e.g. the mesh's current one, replaceable at run time). */
    public Builder sidecar(Supplier<@Nullable SidecarConfig> sidecar) {
      this.sidecar = requireNonNull(sidecar, "sidecar");
      return this;
    }

    /** The mode registered first (default {@link InboundMode#APPLICATION}). */
    public Builder mode(InboundMode mode) {
      this.mode = requireNonNull(mode, "mode");
      return this;
    }

    /** How long a flip waits for the registry to acknowledge the new entry (default 10 s). */
    public Builder acknowledgeTimeout(Duration timeout) {
      this.acknowledgeTimeout = ConfigValues.requirePositive("registration.inbound-acknowledge-timeout", timeout);
      return this;
    }

    /**
     * How long both entries stay registered after the new one is acknowledged (default 2 s; zero allowed): cover
     * the time callers' discovery takes to see a new entry, and readers that list a service and then read each
     * entry.
     */
    public Builder overlap(Duration overlap) {
      this.overlap = ConfigValues.requireNonNegative("registration.inbound-overlap", overlap);
      return this;
    }

    /** Whether a flip first checks that the target listener accepts a TCP connection (default true). */
    public Builder probe(boolean probe) {
      this.probe = probe;
      return this;
    }

    /** The connect timeout of that check (default 1 s). */
    public Builder probeTimeout(Duration timeout) {
      this.probeTimeout = ConfigValues.requirePositive("registration.inbound-probe-timeout", timeout);
      return this;
    }

    /** The clock of the audit trail's timestamps (default UTC system clock). */
    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Registers the first entry (for the {@link #mode} chosen) and returns the handle. Like
     * {@link ServiceRegistry#register}, it returns at once; the registry keeps the entry registered.
     *
     * @throws io.meshsdk.core.common.ConfigException naming {@code sidecar.inbound-port} for the sidecar mode
     *     without an inbound port
     * @throws IllegalStateException without a registry or registrar
     */
    public InboundRegistration register() {
      Registrar r = registrar;
      if (r == null) {
        throw new IllegalStateException("InboundRegistration.builder(...): registry(...) or registrar(...) is"
            + " required");
      }
      return new InboundRegistration(this, r);
    }
  }
}
