package io.meshsdk.discovery.kubernetes;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.meshsdk.core.common.ServiceNames;
import io.meshsdk.core.discovery.AbstractServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Discovery from the EndpointSlices ({@code discovery.k8s.io/v1}) of one namespace. Kubernetes owns registration;
 * this backend only reads.
 *
 * <p>One informer (list, then watch, with a periodic resync from its cache) follows every slice of the namespace
 * that carries the {@code kubernetes.io/service-name} label, whatever the number of services: one watch connection
 * and one cache per namespace rather than one per service, so 1,000 services cost the API server one watch, not
 * 1,000. A second, equally cheap informer follows the namespace's Services so that a Service's deletion is told
 * apart from a Service with no endpoints. Calls never touch the API server: the mesh reads what was pushed.
 *
 * <ul>
 *   <li>Endpoints of a service: the merge of all its slices (see {@link SliceTranslator} for ports, conditions,
 *       zones, ids and labels). Pod addresses only; a Service's ClusterIP is never used.
 *   <li>A service whose slices are all gone while its Service still exists: "no endpoints right now" (the mesh
 *       keeps its last-known-good endpoints). A service whose Service object is gone and whose slices are gone:
 *       deleted.
 *   <li>List or watch failures (API server unreachable, 403, 5xx): {@code reportError}, the informer retries by
 *       itself with back-off, and the mesh keeps its last-known-good endpoints; the next successful list replaces
 *       everything at once.
 * </ul>
 *
 * <p>Threads: one {@code mesh-k8s-discovery-<namespace>} worker applies every change in order; a client this class
 * builds itself runs its informers on {@code mesh-k8s-client-*} threads. All stop on {@link #close()}.
 */
public final class KubernetesServiceDiscovery extends AbstractServiceDiscovery {

  private static final Logger log = LoggerFactory.getLogger(KubernetesServiceDiscovery.class);
  private static final String BY_SERVICE = "mesh-service";
  private static final AtomicInteger CLIENT_THREADS = new AtomicInteger();

  private final KubernetesClient client;
  private final @Nullable ExecutorService ownedClientExecutor;
  private final KubernetesDiscoveryOptions options;
  private final Runnable beforeClose;
  private final ScheduledExecutorService worker;
  private volatile SharedIndexInformer<Service> serviceInformer;
  private volatile SharedIndexInformer<EndpointSlice> sliceInformer;
  // worker thread only: checks a watch has been down, and after how many it is restarted (doubling, capped)
  private int sliceDown;
  private int serviceDown;
  private int sliceRestartAt = RESTART_CHECKS;
  private int serviceRestartAt = RESTART_CHECKS;
  // worker thread only
  private final Set<String> known = new HashSet<>();
  private final Map<String, Set<String>> warned = new HashMap<>();
  // services with a recompute queued: a burst of slice events (a rolling update) costs one recompute per service
  private final Set<String> dirty = ConcurrentHashMap.newKeySet();
  private int notWatchingChecks; // worker thread only
  private volatile boolean watchedOnce; // written by the worker only
  private volatile boolean closed;

  /** How often the watches' liveness is checked; two failed checks in a row are reported as an outage. */
  static final long WATCH_CHECK_MILLIS = 500;
  /**
   * Checks after which a watch that was open and stays down is replaced by a new informer (a fresh list, then a
   * watch from its version), doubling up to {@link #MAX_RESTART_CHECKS}: fabric8's informer re-lists only on
   * "410 Gone" and otherwise retries the same watch forever, where client-go would list again.
   */
  private static final int RESTART_CHECKS = 6;
  private static final int MAX_RESTART_CHECKS = 120;
  private static final int FIRST_WATCH_CHECKS = 10;

  private KubernetesServiceDiscovery(KubernetesClient client, @Nullable ExecutorService ownedClientExecutor,
      KubernetesDiscoveryOptions options, Runnable beforeClose) {
    super(false);
    this.client = client;
    this.beforeClose = beforeClose;
    this.ownedClientExecutor = ownedClientExecutor;
    this.options = options;
    String threadName = "mesh-k8s-discovery-" + options.namespace();
    this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
      return t;
    });
    this.serviceInformer = newServiceInformer();
    this.sliceInformer = newSliceInformer();
  }

  private SharedIndexInformer<Service> newServiceInformer() {
    SharedIndexInformer<Service> informer = client.services().inNamespace(options.namespace())
        .runnableInformer(options.resyncPeriod().toMillis());
    informer.addEventHandler(new Handler<>(true));
    informer.exceptionHandler((started, failure) -> onFailure("services", failure));
    return informer;
  }

  private SharedIndexInformer<EndpointSlice> newSliceInformer() {
    String selector = SliceTranslator.SERVICE_NAME_LABEL
        + (options.labelSelector() == null ? "" : "," + options.labelSelector());
    SharedIndexInformer<EndpointSlice> informer = client.discovery().v1().endpointSlices()
        .inNamespace(options.namespace()).withLabelSelector(selector)
        .runnableInformer(options.resyncPeriod().toMillis());
    informer.addIndexers(Map.of(BY_SERVICE, s -> {
      String name = serviceOf(s);
      return name == null ? List.of() : List.of(name);
    }));
    informer.addEventHandler(new Handler<>(false));
    informer.exceptionHandler((started, failure) -> onFailure("endpointslices", failure));
    return informer;
  }

  /**
   * A backend on {@code config} (e.g. {@code new ConfigBuilder().build()}: in-cluster service account or
   * kubeconfig); it builds and owns its client and closes it with itself.
   */
  public static KubernetesServiceDiscovery create(Config config, KubernetesDiscoveryOptions options) {
    requireNonNull(config, "config");
    requireNonNull(options, "options");
    ExecutorService executor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "mesh-k8s-client-" + CLIENT_THREADS.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    KubernetesClient client;
    try {
      client = new KubernetesClientBuilder().withConfig(config).withTaskExecutor(executor).build();
    } catch (RuntimeException e) {
      executor.shutdownNow();
      throw e;
    }
    return start(new KubernetesServiceDiscovery(client, executor, options, () -> {}));
  }

  /** A backend on a client the caller owns (and closes after this backend). */
  public static KubernetesServiceDiscovery using(KubernetesClient client, KubernetesDiscoveryOptions options) {
    requireNonNull(client, "client");
    requireNonNull(options, "options");
    return using(client, options, () -> {});
  }

  /** For tests: as {@link #using(KubernetesClient, KubernetesDiscoveryOptions)}, running {@code beforeClose} first. */
  static KubernetesServiceDiscovery using(
      KubernetesClient client, KubernetesDiscoveryOptions options, Runnable beforeClose) {
    requireNonNull(client, "client");
    requireNonNull(options, "options");
    return start(new KubernetesServiceDiscovery(client, null, options, beforeClose));
  }

  private static KubernetesServiceDiscovery start(KubernetesServiceDiscovery d) {
    log.info("kubernetes discovery: following EndpointSlices of namespace '{}' at {} (port {}, selector {})",
        d.options.namespace(), d.client.getMasterUrl(),
        d.options.portName() == null ? "the only one or 'http'" : "'" + d.options.portName() + "'",
        d.options.labelSelector() == null ? "none" : "'" + d.options.labelSelector() + "'");
    // both start asynchronously and retry by themselves; failures arrive through the exception handlers
    d.serviceInformer.start();
    d.sliceInformer.start();
    var unused = d.worker.scheduleWithFixedDelay(d::checkWatchesSafely, WATCH_CHECK_MILLIS, WATCH_CHECK_MILLIS, TimeUnit.MILLISECONDS);
    return d;
  }

  @Override
  public String name() {
    return "kubernetes";
  }

  /** The options this backend follows. */
  public KubernetesDiscoveryOptions options() {
    return options;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    beforeClose.run();
    super.close();
    // the worker first: it may replace an informer, so the informers are stopped once it no longer runs
    worker.shutdownNow();
    try {
      worker.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    sliceInformer.stop();
    serviceInformer.stop();
    awaitStopped(sliceInformer);
    awaitStopped(serviceInformer);
    if (ownedClientExecutor != null) {
      client.close();
      ownedClientExecutor.shutdownNow();
      try {
        ownedClientExecutor.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    log.info("kubernetes discovery of namespace '{}' closed", options.namespace());
  }

  private static void awaitStopped(SharedIndexInformer<?> informer) {
    try {
      informer.stopped().toCompletableFuture().get(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // stopped with an error, or slow: the client is closed next anyway
    }
  }

  // ---- informer events, all applied on the worker ------------------------------------------------------------

  private final class Handler<T extends HasMetadata> implements ResourceEventHandler<T> {
    private final boolean services;

    Handler(boolean services) {
      this.services = services;
    }

    @Override
    public void onAdd(T obj) {
      if (!services) {
        checkName(obj);
        changed(serviceOf(obj));
      }
    }

    private void checkName(T slice) {
      Map<String, String> labels = slice.getMetadata().getLabels();
      String raw = labels == null ? null : labels.get(SliceTranslator.SERVICE_NAME_LABEL);
      if (raw != null && ServiceNames.canonicalOrNull(raw) == null) {
        String sliceName = String.valueOf(slice.getMetadata().getName());
        submit(() -> warnOnce(sliceName, "service-name", "slice '" + sliceName + "' names service '" + raw
            + "', which cannot be a mesh service (" + ServiceNames.EXPECTED + "); skipped"));
      }
    }

    @Override
    public void onUpdate(T oldObj, T newObj) {
      if (!services) {
        String before = serviceOf(oldObj);
        String after = serviceOf(newObj);
        checkName(newObj);
        if (before != null && !before.equals(after)) {
          changed(before);
        }
        changed(after);
      }
    }

    @Override
    public void onDelete(T obj, boolean deletedFinalStateUnknown) {
      if (services) {
        changed(ServiceNames.canonicalOrNull(String.valueOf(obj.getMetadata().getName())));
      } else {
        String sliceName = String.valueOf(obj.getMetadata().getName());
        String name = serviceOf(obj);
        submit(() -> warned.remove(sliceName));
        changed(name);
      }
    }

    @Override
    public void onList(String resourceVersion, boolean initial) {
      submit(() -> listed(services));
    }
  }

  private boolean onFailure(String what, Throwable failure) {
    if (closed) {
      return false;
    }
    submit(() -> {
      Exception e = new IllegalStateException("kubernetes API: listing or watching " + what + " in namespace '"
          + options.namespace() + "' at " + client.getMasterUrl() + " failed: " + failure, failure);
      if (reportError(e)) {
        log.warn("kubernetes discovery: {} (keeping the last-known-good endpoints; the informer retries)",
            e.getMessage());
      }
    });
    return true; // keep retrying, with the informer's back-off
  }

  private void changed(@Nullable String service) {
    if (service != null && dirty.add(service)) {
      submit(() -> {
        dirty.remove(service);
        if (failing()) {
          listed(false); // events flow again after an outage: the whole state at once, and the error cleared
        } else {
          recompute(service);
        }
      });
    }
  }

  private void submit(Runnable task) {
    if (closed) {
      return;
    }
    try {
      worker.execute(() -> {
        try {
          task.run();
        } catch (RuntimeException e) {
          log.error("kubernetes discovery of namespace '{}': applying a change failed", options.namespace(), e);
        }
      });
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  /**
   * A lost watch is re-established by the informer without telling anyone (its exception handler hears only about
   * failed lists), so liveness is checked here: a watch down at two checks in a row is an outage; both watches up
   * again after one clears it with the whole state from the caches.
   */
  private void checkWatchesSafely() {
    try {
      checkWatches();
    } catch (RuntimeException e) { // never let the periodic check die
      log.error("kubernetes discovery of namespace '{}': watch check failed", options.namespace(), e);
    }
  }

  private void checkWatches() {
    if (closed) {
      return;
    }
    boolean watching = sliceInformer.isWatching() && serviceInformer.isWatching();
    restartIfStuck();
    if (watching) {
      watchedOnce = true;
      notWatchingChecks = 0;
      if (failing() && sliceInformer.hasSynced()) {
        listed(false);
      }
      return;
    }
    // a watch that was open and is down at two checks in a row is an outage; one not open yet gets longer (a failed
    // first list is reported at once by the exception handler)
    if (++notWatchingChecks == (watchedOnce ? 2 : 2 * FIRST_WATCH_CHECKS)) {
      Exception e = new IllegalStateException("kubernetes API: the watch of namespace '" + options.namespace()
          + "' at " + client.getMasterUrl() + " is down (" + (sliceInformer.isWatching() ? "services"
          : "endpointslices") + "); reconnecting");
      if (reportError(e)) {
        log.warn("kubernetes discovery: {} (keeping the last-known-good endpoints)", e.getMessage());
      }
    }
  }

  private void restartIfStuck() {
    if (!watchedOnce || closed) {
      return;
    }
    if (sliceInformer.isWatching()) {
      sliceDown = 0;
      sliceRestartAt = RESTART_CHECKS;
    } else if (++sliceDown >= sliceRestartAt) {
      sliceDown = 0;
      sliceRestartAt = Math.min(MAX_RESTART_CHECKS, sliceRestartAt * 2);
      SharedIndexInformer<EndpointSlice> old = sliceInformer;
      log.info("kubernetes discovery: the endpointslices watch of namespace '{}' stays down; listing again",
          options.namespace());
      old.stop();
      sliceInformer = newSliceInformer();
      sliceInformer.start();
    }
    if (serviceInformer.isWatching()) {
      serviceDown = 0;
      serviceRestartAt = RESTART_CHECKS;
    } else if (++serviceDown >= serviceRestartAt) {
      serviceDown = 0;
      serviceRestartAt = Math.min(MAX_RESTART_CHECKS, serviceRestartAt * 2);
      SharedIndexInformer<Service> old = serviceInformer;
      log.info("kubernetes discovery: the services watch of namespace '{}' stays down; listing again",
          options.namespace());
      old.stop();
      serviceInformer = newServiceInformer();
      serviceInformer.start();
    }
  }

  /** A list completed: everything from the caches at once (also clears an error after an outage). */
  private void listed(boolean services) {
    if (!sliceInformer.hasSynced()) {
      return;
    }
    boolean wasFailing = failing();
    Map<String, List<Endpoint>> all = new LinkedHashMap<>();
    Set<String> names = new HashSet<>(known);
    for (EndpointSlice slice : sliceInformer.getStore().list()) {
      String name = serviceOf(slice);
      if (name != null) {
        names.add(name);
      }
    }
    for (String name : names) {
      List<Endpoint> now = compute(name);
      if (now != null) {
        all.put(name, now);
      }
    }
    known.clear();
    known.addAll(all.keySet());
    replaceAll(all);
    if (wasFailing) {
      log.info("kubernetes discovery: namespace '{}' listed again ({}), {} services", options.namespace(),
          services ? "services" : "endpointslices", all.size());
    }
  }

  private void recompute(@Nullable String service) {
    if (service == null) {
      return;
    }
    List<Endpoint> now = compute(service);
    if (now == null) {
      if (known.remove(service)) {
        log.info("kubernetes discovery: service '{}' in namespace '{}' deleted", service, options.namespace());
        deleteService(service);
      }
      return;
    }
    if (known.add(service)) {
      log.info("kubernetes discovery: service '{}' in namespace '{}' found", service, options.namespace());
    }
    setEndpoints(service, now);
  }

  /** The endpoints of {@code service} now, or {@code null} when it is gone (no slices and no Service). */
  private @Nullable List<Endpoint> compute(String service) {
    List<EndpointSlice> slices = sliceInformer.getIndexer().byIndex(BY_SERVICE, service);
    if (slices.isEmpty()) {
      return known.contains(service) && serviceExists(service) ? List.of() : null;
    }
    return SliceTranslator.endpoints(service, slices, options, this::warnOnce);
  }

  private boolean serviceExists(String service) {
    if (!serviceInformer.hasSynced()) {
      return true; // not known yet: never delete on a guess
    }
    return serviceInformer.getStore().getByKey(options.namespace() + "/" + service) != null;
  }

  private void warnOnce(String slice, String problem, String message) {
    if (warned.computeIfAbsent(slice, k -> new HashSet<>()).add(problem)) {
      log.warn("kubernetes discovery (namespace '{}'): {}", options.namespace(), message);
    }
  }

  private static @Nullable String serviceOf(HasMetadata slice) {
    Map<String, String> labels = slice.getMetadata().getLabels();
    String value = labels == null ? null : labels.get(SliceTranslator.SERVICE_NAME_LABEL);
    return value == null ? null : ServiceNames.canonicalOrNull(value);
  }

  /** For tests: the services this backend holds now. */
  Set<String> knownServices() {
    return services();
  }

  /** For tests: the problems warned about per slice. */
  List<String> warnedProblems() {
    List<String> out = new ArrayList<>();
    submitAndWait(() -> warned.forEach((slice, problems) -> problems.forEach(p -> out.add(slice + ": " + p))));
    return out;
  }

  /**
   * For tests: holds the worker until the result is closed, so that changes made meanwhile are applied as one
   * burst (as a fast burst of watch events is).
   */
  AutoCloseable hold() throws InterruptedException {
    java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    worker.execute(() -> {
      held.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    held.await();
    return release::countDown;
  }

  /** For tests: whether the liveness check has seen both watches open (outages are reported fast from then on). */
  boolean watchConfirmed() {
    return watchedOnce;
  }

  /** Whether {@link #close()} was called. */
  boolean isClosed() {
    return closed;
  }

  /** For tests: whether both informers have listed and have their watch open. */
  boolean watching() {
    return sliceInformer.hasSynced() && serviceInformer.hasSynced() && sliceInformer.isWatching()
        && serviceInformer.isWatching();
  }

  /** For tests: the number of endpoints (any condition) in the informer's cache for {@code service}. */
  int cachedEndpoints(String service) {
    int n = 0;
    for (EndpointSlice s : sliceInformer.getIndexer().byIndex(BY_SERVICE, service)) {
      n += s.getEndpoints() == null ? 0 : s.getEndpoints().size();
    }
    return n;
  }

  private void submitAndWait(Runnable task) {
    try {
      worker.submit(task).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("worker did not answer", e);
    }
  }
}
