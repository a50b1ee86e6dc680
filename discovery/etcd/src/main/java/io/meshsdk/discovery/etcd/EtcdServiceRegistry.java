package io.meshsdk.discovery.etcd;

import static java.util.Objects.requireNonNull;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdException;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import io.meshsdk.core.registration.RegistrationStatus;
import io.meshsdk.core.registration.ServiceRegistration;
import io.meshsdk.core.registration.ServiceRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers instances in etcd: each registration is the key {@code <prefix>/<service>/<uuid>} holding its endpoint
 * as JSON, attached to its own lease ({@code lease-ttl}, default 10 s) that is kept alive every
 * {@code keep-alive-interval} (default a third of the TTL). The first registration of a service also creates the
 * service key {@code <prefix>/<service>} (no lease) if it is absent, so that the service stays known when its
 * last instance leaves.
 *
 * <p>Status: PENDING until the first write succeeds, then REGISTERED. The registration becomes LOST when etcd
 * says its lease is gone (expired, revoked, etcd's data lost) or when no keep-alive succeeded for a whole TTL
 * (etcd unreachable); it is then written again on a new lease (or, when the old lease turns out to be alive, on
 * that one) and is REGISTERED again. {@link Registration#update} rewrites the value on the same lease;
 * {@link Registration#close} revokes the lease, which deletes the key; if etcd is unreachable then, the key goes
 * when the lease expires.
 *
 * <p>Each registration's work runs on the registry's one thread ({@code mesh-etcd-registry-<n>}), which also
 * calls the listeners: calls for one registration are serialized and made without locks held.
 */
public final class EtcdServiceRegistry implements ServiceRegistry {

  private static final Logger log = LoggerFactory.getLogger(EtcdServiceRegistry.class);
  private static final AtomicInteger SEQ = new AtomicInteger();

  private final EtcdConfig config;
  private final Client client;
  private final ScheduledThreadPoolExecutor loop;
  private final Set<Reg> registrations = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private EtcdServiceRegistry(EtcdConfig config, Client client) {
    this.config = requireNonNull(config, "config");
    this.client = requireNonNull(client, "client");
    int n = SEQ.incrementAndGet();
    this.loop = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "mesh-etcd-registry-" + n);
      t.setDaemon(true);
      return t;
    });
    loop.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    loop.setRemoveOnCancelPolicy(true);
  }

  /** A registry over {@code config} with its own etcd client (closed with it). */
  public static EtcdServiceRegistry create(EtcdConfig config) {
    requireNonNull(config, "config");
    return new EtcdServiceRegistry(config, config.newClient());
  }

  @Override
  public String name() {
    return "etcd";
  }

  /** The configuration. */
  public EtcdConfig config() {
    return config;
  }

  @Override
  public Registration register(ServiceRegistration registration, RegistrationListener listener) {
    requireNonNull(registration, "registration");
    requireNonNull(listener, "listener");
    Reg reg = new Reg(registration, listener, UUID.randomUUID().toString());
    if (closed) {
      reg.status = RegistrationStatus.DEREGISTERED;
      return reg;
    }
    registrations.add(reg);
    run(reg::write);
    return reg;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<CompletableFuture<Void>> revokes = registrations.stream().map(Reg::deregister).toList();
    try {
      CompletableFuture.allOf(revokes.toArray(CompletableFuture[]::new))
          .get(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("etcd registry {}: not every lease could be revoked; their keys go when the leases expire: {}",
          config, String.valueOf(e));
    }
    loop.shutdown();
    try {
      loop.awaitTermination(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    loop.shutdownNow();
    client.close();
  }

  private void run(Runnable task) {
    try {
      loop.execute(() -> {
        try {
          task.run();
        } catch (RuntimeException e) {
          log.error("etcd registry {}: unexpected failure", config, e);
        }
      });
    } catch (RejectedExecutionException e) {
      // closed
    }
  }

  private void schedule(Runnable task, long millis) {
    try {
      var unused = loop.schedule(() -> run(task), millis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closed
    }
  }

  private <T> CompletableFuture<T> timed(CompletableFuture<T> f) {
    return f.orTimeout(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Whether {@code failure} says the lease does not exist (any more). */
  static boolean leaseGone(Throwable failure) {
    Throwable c = EtcdServiceDiscovery.unwrap(failure);
    while (c != null) {
      if (c instanceof EtcdException e && e.getErrorCode() == ErrorCode.NOT_FOUND) {
        return true;
      }
      String m = c.getMessage();
      if (m != null && m.contains("lease not found")) {
        return true;
      }
      c = c.getCause();
    }
    return false;
  }

  /** One registration; its fields are touched on the loop thread, except the volatile ones. */
  private final class Reg implements Registration {
    private final RegistrationListener listener;
    private final String key;
    private final String id;
    private volatile ServiceRegistration current;
    private volatile RegistrationStatus status = RegistrationStatus.PENDING;
    private volatile boolean deregistered;
    private long leaseId;
    private long lastKeepAliveNanos;
    private long retryMillis = EtcdServiceDiscovery.MIN_BACKOFF.toMillis();
    private int keepAliveToken; // only the newest scheduled keep-alive runs
    private int version; // bumped by update(); a write of an older version is written again

    Reg(ServiceRegistration registration, RegistrationListener listener, String id) {
      this.current = registration;
      this.listener = listener;
      this.id = id;
      this.key = config.serviceDirectory(registration.service()) + id;
    }

    @Override
    public ServiceRegistration registration() {
      return current;
    }

    @Override
    public RegistrationStatus status() {
      return status;
    }

    @Override
    public void update(ServiceRegistration updated) {
      requireNonNull(updated, "updated");
      ServiceRegistration now = current;
      if (!updated.service().equals(now.service()) || !updated.host().equals(now.host())
          || updated.port() != now.port()) {
        throw new IllegalArgumentException("updated: " + updated + " (expected: the same service, host and port as "
            + now + "; only labels change)");
      }
      current = updated;
      run(() -> {
        version++;
        if (!deregistered && leaseId != 0 && status == RegistrationStatus.REGISTERED) {
          put(leaseId, version, false);
        }
      });
    }

    @Override
    public void close() {
      if (deregistered) {
        return;
      }
      registrations.remove(this);
      CompletableFuture<Void> done = deregister();
      if (!Thread.currentThread().getName().startsWith("mesh-etcd-registry-")) {
        try {
          done.get(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
          log.debug("etcd registry {}: revoking the lease of {} did not finish", config, current, e);
        }
      }
    }

    /** Revokes the lease (deleting the key); completes when done or failed. */
    CompletableFuture<Void> deregister() {
      CompletableFuture<Void> done = new CompletableFuture<>();
      if (deregistered) {
        done.complete(null);
        return done;
      }
      deregistered = true;
      status = RegistrationStatus.DEREGISTERED;
      run(() -> {
        keepAliveToken++;
        long lease = leaseId;
        leaseId = 0;
        CompletableFuture<?> revoke = lease == 0 ? CompletableFuture.completedFuture(null)
            : timed(client.getLeaseClient().revoke(lease));
        var unused = revoke.whenComplete((r, failure) -> {
          if (failure != null && !leaseGone(failure)) {
            log.warn("etcd registry {}: could not revoke the lease of {} ({}); its key goes when the lease expires",
                config, current, String.valueOf(EtcdServiceDiscovery.unwrap(failure)));
          } else {
            log.info("etcd registry {}: deregistered {}", config, current);
          }
          run(() -> notify(RegistrationStatus.DEREGISTERED, "closed"));
          done.complete(null);
        });
      });
      if (loop.isShutdown()) {
        done.complete(null);
      }
      return done;
    }

    /** Grants a lease and writes the key (and the service key when absent). */
    void write() {
      if (deregistered) {
        return;
      }
      var unused = timed(client.getLeaseClient().grant(config.leaseTtl().toSeconds()))
          .whenComplete((grant, failure) -> run(() -> {
        if (deregistered) {
          if (grant != null) {
            var unusedRevoke = client.getLeaseClient().revoke(grant.getID());
          }
          return;
        }
        if (failure != null) {
          retry("granting a lease", failure);
          return;
        }
        leaseId = grant.getID();
        lastKeepAliveNanos = System.nanoTime();
        put(leaseId, version, true);
      }));
    }

    /** Writes the key on {@code lease}; {@code fresh} when the lease was just granted or found alive again. */
    void put(long lease, int writtenVersion, boolean fresh) {
      ServiceRegistration reg = current;
      ByteSequence k = EtcdConfig.bytes(key);
      ByteSequence v = EtcdConfig.bytes(EtcdEndpointCodec.encode(id, reg));
      ByteSequence serviceKey = EtcdConfig.bytes(config.serviceKey(reg.service()));
      ByteSequence serviceValue = EtcdConfig.bytes("{\"service\":\"" + reg.service() + "\"}");
      PutOption onLease = PutOption.builder().withLeaseId(lease).build();
      CompletableFuture<?> write = fresh
          ? timed(client.getKVClient().txn()
              .If(new Cmp(serviceKey, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
              .Then(Op.put(serviceKey, serviceValue, PutOption.DEFAULT), Op.put(k, v, onLease))
              .Else(Op.put(k, v, onLease))
              .commit())
          : timed(client.getKVClient().put(k, v, onLease));
      var unused = write.whenComplete((r, failure) -> run(() -> {
        if (deregistered || lease != leaseId) {
          return;
        }
        if (failure != null) {
          if (leaseGone(failure)) {
            lost("etcd no longer has the lease");
            leaseId = 0;
            write();
          } else {
            retryPut(failure, lease, fresh);
          }
          return;
        }
        retryMillis = EtcdServiceDiscovery.MIN_BACKOFF.toMillis();
        if (writtenVersion != version) {
          put(lease, version, false); // labels changed while writing
          return;
        }
        if (status != RegistrationStatus.REGISTERED) {
          log.info("etcd registry {}: registered {} as {} (lease {})", config, reg, key, Long.toHexString(lease));
          notify(RegistrationStatus.REGISTERED, "written on lease " + Long.toHexString(lease));
        }
        if (fresh) {
          scheduleKeepAlive();
        }
      }));
    }

    private void scheduleKeepAlive() {
      scheduleKeepAlive(config.keepAliveInterval().toMillis());
    }

    private void scheduleKeepAlive(long millis) {
      int token = ++keepAliveToken;
      schedule(() -> keepAlive(token), millis);
    }

    void keepAlive(int token) {
      if (deregistered || leaseId == 0 || token != keepAliveToken) {
        return;
      }
      long lease = leaseId;
      var unused = timed(client.getLeaseClient().keepAliveOnce(lease))
          .whenComplete((response, failure) -> run(() -> {
        if (deregistered || lease != leaseId) {
          return;
        }
        if (failure == null && response.getTTL() > 0) {
          lastKeepAliveNanos = System.nanoTime();
          if (status == RegistrationStatus.LOST) {
            put(lease, version, true); // the lease outlived the outage: make sure the key is there, as written now
            return;
          }
          scheduleKeepAlive();
          return;
        }
        if (failure == null || leaseGone(failure)) {
          lost("etcd no longer has lease " + Long.toHexString(lease));
          leaseId = 0;
          write();
          return;
        }
        Duration silent = Duration.ofNanos(System.nanoTime() - lastKeepAliveNanos);
        if (silent.compareTo(config.leaseTtl()) >= 0) {
          lost("no keep-alive succeeded for " + silent.toMillis() + " ms (lease-ttl " + config.leaseTtl().toSeconds()
              + "s): " + EtcdServiceDiscovery.unwrap(failure));
        }
        scheduleKeepAlive(Math.min(config.keepAliveInterval().toMillis(), nextRetry()));
      }));
    }

    private void retry(String what, Throwable failure) {
      log.debug("etcd registry {}: {} for {} failed: {}", config, what, current, String.valueOf(failure));
      if (status == RegistrationStatus.REGISTERED) {
        lost(what + " failed: " + EtcdServiceDiscovery.unwrap(failure));
      }
      schedule(this::write, nextRetry());
    }

    private void retryPut(Throwable failure, long lease, boolean fresh) {
      log.debug("etcd registry {}: writing {} failed: {}", config, key, String.valueOf(failure));
      schedule(() -> {
        if (!deregistered && lease == leaseId) {
          put(lease, version, fresh);
        }
      }, nextRetry());
    }

    private long nextRetry() {
      long r = retryMillis;
      retryMillis = Math.min(EtcdServiceDiscovery.MAX_BACKOFF.toMillis(), retryMillis * 2);
      return r;
    }

    private void lost(String why) {
      if (status == RegistrationStatus.LOST) {
        return;
      }
      log.warn("etcd registry {}: registration {} LOST, registering again: {}", config, current, why);
      notify(RegistrationStatus.LOST, why);
    }

    private void notify(RegistrationStatus s, String detail) {
      if (s != RegistrationStatus.DEREGISTERED && deregistered) {
        return;
      }
      status = s;
      try {
        listener.onStatus(current, s, detail);
      } catch (RuntimeException e) {
        log.warn("etcd registry {}: listener of {} failed", config, current, e);
      }
    }
  }
}
