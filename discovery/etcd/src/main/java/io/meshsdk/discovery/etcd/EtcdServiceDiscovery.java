package io.meshsdk.discovery.etcd;

import static java.util.Objects.requireNonNull;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.meshsdk.core.common.ServiceNames;
import io.meshsdk.core.discovery.AbstractServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Discovery from etcd v3: every service under one key prefix, read with one range read and followed with ONE
 * watch on the prefix (not one per service), starting at the read's revision + 1.
 *
 * <p>Layout: {@code <prefix>/<service>/<instance-id>} holds an endpoint as JSON (see {@link EtcdEndpointCodec});
 * the optional <em>service key</em> {@code <prefix>/<service>} says the service exists. A service whose instance
 * keys are all gone keeps its last-known-good endpoints in the mesh (its watchers hear an empty list); it is
 * deleted only when its service key is deleted and no instance key is left, since that is the one change that
 * says "this service is gone" rather than "every instance is down right now".
 *
 * <p>Outages: a failed read or watch is reported with {@code reportError} (watchers keep their endpoints) and
 * retried with a backoff from 100 ms to 2 s. The watch resumes at the revision after the last one handled, and
 * events at or below it are ignored, so no change is missed or seen twice. If that revision was compacted in
 * the meantime, the prefix is read again and every watcher gets a full snapshot. A value that does not parse is
 * skipped with one WARN per key and value.
 *
 * <p>All state is kept on one thread ({@code mesh-etcd-discovery-<n>}); jetcd's callbacks hand over to it.
 */
public final class EtcdServiceDiscovery extends AbstractServiceDiscovery {

  private static final Logger log = LoggerFactory.getLogger(EtcdServiceDiscovery.class);
  private static final AtomicInteger SEQ = new AtomicInteger();
  static final Duration MIN_BACKOFF = Duration.ofMillis(100);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(2);

  private final EtcdConfig config;
  private final Client client;
  private final boolean ownsClient;
  private final ScheduledExecutorService loop;
  private final String watchPrefix;
  private final ByteSequence watchKey;

  // ---- state: touched on the loop thread only ----
  private final Map<String, ServiceState> state = new LinkedHashMap<>();
  private final Map<String, Long> warned = new HashMap<>();
  private long revision; // every event at or below it is in `state`
  private int generation; // bumped to disown a watcher's late callbacks
  private Watch.@Nullable Watcher watcher;
  private long backoffMillis = MIN_BACKOFF.toMillis();
  private volatile boolean closed;
  private final AtomicInteger listings = new AtomicInteger();
  private final AtomicInteger eventsApplied = new AtomicInteger();
  private final AtomicInteger warnings = new AtomicInteger();

  /** What the prefix holds for one service. */
  private static final class ServiceState {
    boolean serviceKey;
    final Map<String, Endpoint> instances = new LinkedHashMap<>(); // by full key
  }

  private EtcdServiceDiscovery(EtcdConfig config, Client client, boolean ownsClient) {
    super(false);
    this.config = requireNonNull(config, "config");
    this.client = requireNonNull(client, "client");
    this.ownsClient = ownsClient;
    this.watchPrefix = config.prefix() + "/";
    this.watchKey = EtcdConfig.bytes(watchPrefix);
    int n = SEQ.incrementAndGet();
    this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "mesh-etcd-discovery-" + n);
      t.setDaemon(true);
      return t;
    });
    run(this::list);
  }

  /** Discovery over {@code config}, with its own etcd client (closed with it); starts reading at once. */
  public static EtcdServiceDiscovery create(EtcdConfig config) {
    requireNonNull(config, "config");
    return new EtcdServiceDiscovery(config, config.newClient(), true);
  }

  @Override
  public String name() {
    return "etcd";
  }

  /** The configuration. */
  public EtcdConfig config() {
    return config;
  }

  // ---- list, then watch ---------------------------------------------------------------------------------------

  private void list() {
    if (closed) {
      return;
    }
    var unused = client.getKVClient().get(watchKey, GetOption.builder().isPrefix(true).build())
        .orTimeout(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((response, failure) -> run(() -> {
          if (failure != null) {
            failed("read of " + watchPrefix, failure);
            schedule(this::list);
          } else {
            applyListing(response);
          }
        }));
  }

  private void applyListing(GetResponse response) {
    if (closed) {
      return;
    }
    Map<String, ServiceState> next = new LinkedHashMap<>();
    for (KeyValue kv : response.getKvs()) {
      apply(next, kv, true);
    }
    Map<String, List<Endpoint>> all = new LinkedHashMap<>();
    for (Map.Entry<String, ServiceState> e : state.entrySet()) {
      ServiceState before = e.getValue();
      if (!next.containsKey(e.getKey()) && !before.serviceKey) {
        next.put(e.getKey(), new ServiceState()); // every instance gone while away: keep last-known-good
      }
    }
    for (Map.Entry<String, ServiceState> e : next.entrySet()) {
      all.put(e.getKey(), List.copyOf(e.getValue().instances.values()));
    }
    boolean wasFailing = failing();
    state.clear();
    state.putAll(next);
    revision = response.getHeader().getRevision();
    listings.incrementAndGet();
    backoffMillis = MIN_BACKOFF.toMillis();
    replaceAll(all); // services whose service key went away while unwatched are deleted here
    if (wasFailing) {
      log.info("etcd discovery {}: connected again; {} services at revision {}", config, all.size(), revision);
    } else {
      log.info("etcd discovery {}: {} services at revision {}", config, all.size(), revision);
    }
    watch();
  }

  private void watch() {
    if (closed) {
      return;
    }
    int gen = ++generation;
    WatchOption option = WatchOption.builder().isPrefix(true).withRevision(revision + 1).withCreateNotify(true)
        .build();
    watcher = client.getWatchClient().watch(watchKey, option, Watch.listener(
        response -> run(() -> onWatch(gen, response)),
        failure -> run(() -> onWatchError(gen, failure)),
        () -> {}));
  }

  private void onWatch(int gen, WatchResponse response) {
    if (gen != generation || closed) {
      return;
    }
    if (response.isCreatedNotify()) {
      backoffMillis = MIN_BACKOFF.toMillis();
      if (failing()) {
        replaceAll(snapshot()); // clears the error; every watcher hears the current state again
        log.info("etcd discovery {}: watching again from revision {}", config, revision + 1);
      }
    }
    Set<String> touched = new LinkedHashSet<>();
    Set<String> serviceKeysDeleted = new LinkedHashSet<>();
    long last = revision;
    for (WatchEvent event : response.getEvents()) {
      KeyValue kv = event.getKeyValue();
      long rev = kv.getModRevision();
      if (rev <= revision) {
        continue; // already handled (a resumed watch may repeat what it sent before the break)
      }
      last = Math.max(last, rev);
      eventsApplied.incrementAndGet();
      String service = event.getEventType() == WatchEvent.EventType.DELETE
          ? delete(kv, serviceKeysDeleted)
          : apply(state, kv, false);
      if (service != null) {
        touched.add(service);
      }
    }
    revision = last;
    for (String service : touched) {
      publish(service, serviceKeysDeleted.contains(service));
    }
  }

  private void onWatchError(int gen, Throwable failure) {
    if (gen != generation || closed) {
      return;
    }
    generation++;
    closeWatcher();
    Throwable cause = unwrap(failure);
    if (cause instanceof CompactedException c) {
      log.warn("etcd discovery {}: revision {} was compacted (compacted up to {}); reading the prefix again",
          config, revision + 1, c.getCompactedRevision());
      run(this::list);
      return;
    }
    failed("watch of " + watchPrefix, cause);
    schedule(this::watch);
  }

  /** Reports a failure (watchers keep their endpoints) and logs it once per distinct message. */
  private void failed(String what, Throwable failure) {
    Throwable cause = unwrap(failure);
    EtcdUnavailableException e = new EtcdUnavailableException(
        "etcd " + what + " at " + config.endpoints() + " failed: " + cause, cause);
    if (reportError(e)) {
      log.warn("etcd discovery {}: {} failed, keeping the last-known endpoints and retrying: {}", config, what,
          String.valueOf(cause));
    }
  }

  // ---- applying keys ------------------------------------------------------------------------------------------

  /** Applies a PUT of {@code kv} to {@code target}; the service it belongs to, or null when skipped. */
  private @Nullable String apply(Map<String, ServiceState> target, KeyValue kv, boolean listing) {
    String key = kv.getKey().toString(StandardCharsets.UTF_8);
    String[] parts = split(key);
    if (parts == null) {
      warnOnce(key, kv.getModRevision(), "not <prefix>/<service>[/<instance-id>] with a lower-case service name");
      return null;
    }
    String service = parts[0];
    if (parts.length == 1) {
      target.computeIfAbsent(service, s -> new ServiceState()).serviceKey = true;
      return service;
    }
    Endpoint endpoint;
    try {
      endpoint = EtcdEndpointCodec.decode(service, parts[1], kv.getValue().toString(StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      warnOnce(key, kv.getModRevision(), e.getMessage());
      // a bad new value replaces a good old one: the instance is no longer usable as written
      ServiceState s = target.get(service);
      if (s != null && s.instances.remove(key) != null && !listing) {
        return service;
      }
      return null;
    }
    warned.remove(key);
    target.computeIfAbsent(service, s -> new ServiceState()).instances.put(key, endpoint);
    return service;
  }

  private @Nullable String delete(KeyValue kv, Set<String> serviceKeysDeleted) {
    String key = kv.getKey().toString(StandardCharsets.UTF_8);
    warned.remove(key);
    String[] parts = split(key);
    if (parts == null) {
      return null;
    }
    ServiceState s = state.get(parts[0]);
    if (s == null) {
      return null;
    }
    if (parts.length == 1) {
      s.serviceKey = false;
      serviceKeysDeleted.add(parts[0]);
      return parts[0];
    }
    return s.instances.remove(key) != null ? parts[0] : null;
  }

  private void publish(String service, boolean serviceKeyDeleted) {
    ServiceState s = state.get(service);
    if (s == null) {
      return;
    }
    if (s.instances.isEmpty() && !s.serviceKey && serviceKeyDeleted) {
      state.remove(service);
      log.info("etcd discovery {}: service {} deleted (its service key and every instance are gone)", config,
          service);
      deleteService(service);
      return;
    }
    setEndpoints(service, List.copyOf(s.instances.values()));
  }

  private Map<String, List<Endpoint>> snapshot() {
    Map<String, List<Endpoint>> all = new LinkedHashMap<>();
    state.forEach((service, s) -> all.put(service, List.copyOf(s.instances.values())));
    return all;
  }

  /** {@code [service]} or {@code [service, instance]} for a key under the prefix, or null when neither. */
  private String @Nullable [] split(String key) {
    if (!key.startsWith(watchPrefix)) {
      return null;
    }
    String rest = key.substring(watchPrefix.length());
    int slash = rest.indexOf('/');
    String service = slash < 0 ? rest : rest.substring(0, slash);
    if (!service.equals(ServiceNames.canonicalOrNull(service))) {
      return null;
    }
    if (slash < 0) {
      return new String[] {service};
    }
    String instance = rest.substring(slash + 1);
    if (instance.isEmpty() || instance.indexOf('/') >= 0) {
      return null;
    }
    return new String[] {service, instance};
  }

  private void warnOnce(String key, long modRevision, @Nullable String why) {
    Long before = warned.put(key, modRevision);
    if (before == null || before != modRevision) {
      warnings.incrementAndGet();
      log.warn("etcd discovery {}: skipping key {} (revision {}): {}", config, key, modRevision, why);
    }
  }

  // ---- plumbing -------------------------------------------------------------------------------------------

  private void run(Runnable task) {
    if (closed) {
      return;
    }
    try {
      loop.execute(() -> {
        try {
          task.run();
        } catch (RuntimeException e) {
          log.error("etcd discovery {}: unexpected failure", config, e);
          reportError(e);
          schedule(this::list);
        }
      });
    } catch (RejectedExecutionException e) {
      // closed meanwhile
    }
  }

  private void schedule(Runnable task) {
    if (closed) {
      return;
    }
    long delay = backoffMillis;
    backoffMillis = Math.min(MAX_BACKOFF.toMillis(), backoffMillis * 2);
    try {
      var unused = loop.schedule(() -> run(task), delay, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closed meanwhile
    }
  }

  private void closeWatcher() {
    Watch.Watcher w = watcher;
    watcher = null;
    if (w != null) {
      try {
        w.close();
      } catch (RuntimeException e) {
        log.debug("etcd discovery {}: closing a watcher failed", config, e);
      }
    }
  }

  static Throwable unwrap(Throwable t) {
    Throwable c = t;
    while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }

  /** How many full reads of the prefix finished (for tests). */
  int listings() {
    return listings.get();
  }

  /** How many watch events were applied, repeats excluded (for tests). */
  int eventsApplied() {
    return eventsApplied.get();
  }

  /** How many WARN lines about unusable keys were logged (for tests). */
  int warnings() {
    return warnings.get();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    super.close();
    try {
      loop.submit(() -> {
        generation++;
        closeWatcher();
      }).get(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | java.util.concurrent.TimeoutException | RejectedExecutionException e) {
      log.debug("etcd discovery {}: closing the watch failed", config, e);
    }
    loop.shutdownNow();
    if (ownsClient) {
      client.close();
    }
    try {
      loop.awaitTermination(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.info("etcd discovery {}: closed", config);
  }
}
