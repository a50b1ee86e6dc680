package io.meshsdk.discovery.zookeeper;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.ServiceNames;
import io.meshsdk.core.discovery.AbstractServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.WatcherRemoveCuratorFramework;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.curator.framework.api.CuratorWatcher;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher.Event.EventType;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Discovery from ZooKeeper in Spring Cloud Zookeeper's layout: every child {@code <service>} of the base path is a
 * service, every child of a service an instance whose data is curator-x-discovery {@code ServiceInstance} JSON
 * (see {@link ZookeeperServiceRegistry} for what is written).
 *
 * <p>It follows every service under the base path (as Spring Cloud Zookeeper's own watch does), with ZooKeeper
 * watches on the base path's children, each service's children and each instance's data, so that new and deleted
 * services, new and gone instances and metadata changes (draining: {@code instance_status} not {@code UP}) arrive
 * within one round trip. One thread ({@code mesh-zookeeper-discovery-*}) reads ZooKeeper; callers never wait for it.
 *
 * <ul>
 *   <li>An instance is an endpoint with the instance's {@code id}, its {@code address}, its {@code sslPort} (https)
 *       or else its {@code port}, the payload's {@code metadata} as labels, {@code zone} from the metadata
 *       {@code zone} and weight from {@code weight}. An instance whose {@code instance_status} is not {@code UP}, or
 *       that is disabled, is left out.
 *   <li>A node this backend cannot read (empty, truncated, not JSON, another payload class, a service name that can
 *       never be a mesh host) is skipped with one WARN line per node version; its siblings are served.
 *   <li>A service with no instances is reported as "none right now" (the mesh keeps its last-known-good endpoints);
 *       a deleted service node as deleted.
 *   <li>When the connection is suspended or lost, every watcher is told of the error and keeps its last-known-good
 *       endpoints; once reconnected, everything is read again and fresh snapshots are pushed.
 * </ul>
 */
public final class ZookeeperServiceDiscovery extends AbstractServiceDiscovery {

  private static final Logger log = LoggerFactory.getLogger(ZookeeperServiceDiscovery.class);
  private static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(1);

  private final WatcherRemoveCuratorFramework client;
  private final @Nullable CuratorFramework ownedClient;
  private final String basePath;
  private final String basePrefix;
  private final Duration readTimeout;
  private final ScheduledExecutorService worker;
  private final CuratorWatcher watcher = this::onWatchedEvent;
  private final ConnectionStateListener stateListener = (c, state) -> onState(state);

  private final Object lock = new Object();
  // guarded by lock: what the worker has to read
  private boolean resync;
  private boolean namesDirty;
  private final Set<String> dirtyServices = new LinkedHashSet<>();
  private final Set<String> dirtyNodes = new LinkedHashSet<>();
  private boolean scheduled;
  private boolean stopped;
  private volatile boolean everConnected;
  private final java.util.concurrent.atomic.AtomicInteger warnings = new java.util.concurrent.atomic.AtomicInteger();

  // worker thread only: ZooKeeper service name -> node name -> what the node held
  private final Map<String, Map<String, Node>> model = new HashMap<>();
  private final Set<String> warnedNames = new HashSet<>();

  /** What one instance node held, at the data version {@code mzxid}. */
  private record Node(long mzxid, InstanceJson.Parsed parsed) {}

  private ZookeeperServiceDiscovery(CuratorFramework client, boolean owned, String basePath,
      Duration connectionTimeout) {
    super(false);
    this.ownedClient = owned ? client : null;
    this.client = client.newWatcherRemoveCuratorFramework();
    this.basePath = basePath;
    this.basePrefix = basePath + "/";
    this.readTimeout = connectionTimeout.multipliedBy(2).compareTo(Duration.ofSeconds(30)) > 0
        ? connectionTimeout.multipliedBy(2) : Duration.ofSeconds(30);
    this.worker = Executors.newSingleThreadScheduledExecutor(Clients.threads("discovery"));
    client.getConnectionStateListenable().addListener(stateListener);
    if (owned) {
      client.start();
    } else if (client.getZookeeperClient().isConnected()) {
      everConnected = true;
      requestResync();
    }
    var unused = worker.schedule(() -> {
      if (!everConnected) {
        failed(new IOException("cannot connect to ZooKeeper at " + client.getZookeeperClient()
            .getCurrentConnectionString() + " within " + connectionTimeout.toMillis() + "ms"), false);
      }
    }, connectionTimeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** A backend with its own Curator client for {@code settings}; closing the backend closes the client. */
  public static ZookeeperServiceDiscovery create(ZookeeperSettings settings) {
    requireNonNull(settings, "settings");
    return new ZookeeperServiceDiscovery(Clients.newClient(settings, "discovery-client"), true, settings.basePath(),
        settings.connectionTimeout());
  }

  /**
   * A backend on a Curator client the application already has (e.g. Spring Cloud Zookeeper's): the client must be
   * started; closing the backend removes its watches but leaves the client open.
   */
  public static ZookeeperServiceDiscovery using(CuratorFramework client, String basePath) {
    requireNonNull(client, "client");
    requireNonNull(basePath, "basePath");
    ZookeeperSettings checked = ZookeeperSettings.of("unused:1", basePath);
    return new ZookeeperServiceDiscovery(client, false, checked.basePath(),
        Duration.ofMillis(client.getZookeeperClient().getConnectionTimeoutMs()));
  }

  @Override
  public String name() {
    return "zookeeper";
  }

  /** The base path whose children are the services. */
  public String basePath() {
    return basePath;
  }

  // ---- events ------------------------------------------------------------------------------------------------

  private void onState(ConnectionState state) {
    switch (state) {
      case CONNECTED, RECONNECTED -> {
        everConnected = true;
        log.info("zookeeper discovery {}: {}, reading every service again", basePath, state);
        requestResync();
      }
      case SUSPENDED, LOST -> {
        if (reportError(new IOException("ZooKeeper connection " + state + " (" + basePath + ")"))) {
          log.warn("zookeeper discovery {}: connection {}, keeping the last-known endpoints", basePath, state);
        }
      }
      default -> { }
    }
  }

  private void onWatchedEvent(WatchedEvent event) {
    log.debug("zookeeper discovery {}: {}", basePath, event);
    String path = event.getPath();
    if (path == null || event.getType() == EventType.None) {
      return;
    }
    synchronized (lock) {
      if (path.equals(basePath)) {
        namesDirty = true;
      } else if (path.startsWith(basePrefix)) {
        String rest = path.substring(basePrefix.length());
        int slash = rest.indexOf('/');
        if (slash < 0) {
          dirtyServices.add(rest);
          if (event.getType() != EventType.NodeChildrenChanged) {
            namesDirty = true;
          }
        } else if (rest.indexOf('/', slash + 1) < 0) {
          if (event.getType() == EventType.NodeDataChanged) {
            dirtyNodes.add(path);
          } else {
            dirtyServices.add(rest.substring(0, slash));
          }
        }
      }
    }
    schedule();
  }

  private void requestResync() {
    synchronized (lock) {
      resync = true;
    }
    schedule();
  }

  private void schedule() {
    synchronized (lock) {
      if (stopped || scheduled) {
        return;
      }
      scheduled = true;
    }
    try {
      worker.execute(this::drain);
    } catch (RejectedExecutionException e) {
      // closed meanwhile
    }
  }

  // ---- the worker --------------------------------------------------------------------------------------------

  private void drain() {
    while (true) {
      boolean doResync;
      boolean doNames;
      List<String> services;
      List<String> nodes;
      synchronized (lock) {
        doResync = resync;
        doNames = namesDirty;
        services = new ArrayList<>(dirtyServices);
        nodes = new ArrayList<>(dirtyNodes);
        resync = false;
        namesDirty = false;
        dirtyServices.clear();
        dirtyNodes.clear();
        if (stopped || (!doResync && !doNames && services.isEmpty() && nodes.isEmpty())) {
          scheduled = false;
          return;
        }
      }
      try {
        if (doResync) {
          fullResync();
        } else {
          if (doNames) {
            readNames();
          }
          for (String s : services) {
            readService(s);
          }
          for (String p : nodes) {
            readNode(p);
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        synchronized (lock) {
          scheduled = false;
        }
        return;
      } catch (Exception e) {
        failed(e, true);
      }
    }
  }

  private void failed(Exception e, boolean retry) {
    synchronized (lock) {
      if (stopped) {
        return;
      }
    }
    if (reportError(e)) {
      log.warn("zookeeper discovery {}: reading ZooKeeper failed, keeping the last-known endpoints: {}", basePath,
          e.toString());
    }
    if (retry) {
      try {
        var unused = worker.schedule(this::requestResync, RETRY_AFTER_FAILURE.toMillis(), TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException closed) {
        // closed meanwhile
      }
    }
  }

  /** Reads everything again (after a (re)connect or a failure), re-arming every watch, and replaces all. */
  private void fullResync() throws Exception {
    List<String> names = childrenOf(basePath);
    Map<String, Map<String, Node>> next = new HashMap<>();
    if (names != null) {
      for (String name : names) {
        if (canonical(name) == null) {
          continue;
        }
        Map<String, Node> nodes = readNodes(name, model.get(name), true);
        if (nodes != null) {
          next.put(name, nodes);
        }
      }
    }
    model.clear();
    model.putAll(next);
    warnedNames.retainAll(names == null ? Set.of() : new HashSet<>(names));
    Map<String, List<Endpoint>> all = new LinkedHashMap<>();
    for (String name : model.keySet()) {
      String c = canonical(name);
      if (c != null) {
        all.computeIfAbsent(c, this::group);
      }
    }
    replaceAll(all);
  }

  private void readNames() throws Exception {
    List<String> names = childrenOf(basePath);
    Set<String> now = names == null ? Set.of() : new HashSet<>(names);
    for (String gone : new ArrayList<>(model.keySet())) {
      if (!now.contains(gone)) {
        model.remove(gone);
        publish(gone);
      }
    }
    warnedNames.retainAll(now);
    for (String name : now) {
      if (!model.containsKey(name)) {
        readService(name);
      }
    }
  }

  private void readService(String name) throws Exception {
    if (canonical(name) == null) {
      return;
    }
    Map<String, Node> nodes = readNodes(name, model.get(name), false);
    if (nodes == null) {
      if (model.remove(name) != null) {
        publish(name);
      }
      return;
    }
    model.put(name, nodes);
    publish(name);
  }

  private void readNode(String path) throws Exception {
    ZKPaths.PathAndNode pn = ZKPaths.getPathAndNode(path);
    String name = pn.getPath().substring(basePrefix.length());
    Map<String, Node> nodes = model.get(name);
    String canonical = canonical(name);
    if (nodes == null || canonical == null) {
      return; // not followed (yet): the service read will see it
    }
    Node node = readData(canonical, path, pn.getNode(), nodes.get(pn.getNode()));
    Map<String, Node> copy = new HashMap<>(nodes);
    if (node == null) {
      copy.remove(pn.getNode());
    } else {
      copy.put(pn.getNode(), node);
    }
    model.put(name, copy);
    publish(name);
  }

  /**
   * The instances of service node {@code name}, or {@code null} when the node is gone. Known instances are read
   * again only when {@code reread} (a resync, after which watches must be set again).
   */
  private @Nullable Map<String, Node> readNodes(String name, @Nullable Map<String, Node> known, boolean reread)
      throws Exception {
    String canonical = requireNonNull(canonical(name), "canonical");
    String servicePath = basePrefix + name;
    List<String> children = childrenOf(servicePath);
    if (children == null) {
      return null;
    }
    Map<String, Node> out = new HashMap<>(Math.max(4, children.size() * 2));
    List<String> toRead = new ArrayList<>();
    for (String child : children) {
      Node old = known == null ? null : known.get(child);
      if (old != null && !reread) {
        out.put(child, old);
      } else {
        toRead.add(child);
      }
    }
    if (toRead.size() == 1) {
      String child = toRead.get(0);
      Node node = readData(canonical, servicePath + "/" + child, child, known == null ? null : known.get(child));
      if (node != null) {
        out.put(child, node);
      }
    } else if (!toRead.isEmpty()) {
      readPipelined(canonical, servicePath, toRead, known, out);
    }
    return out;
  }

  /**
   * Reads many instance nodes at once (setting data watches): all requests are sent before the first answer is
   * awaited, so a service of 1,000 instances costs about one round trip, not 1,000.
   */
  private void readPipelined(String canonical, String servicePath, List<String> children,
      @Nullable Map<String, Node> known, Map<String, Node> out) throws Exception {
    int n = children.size();
    CountDownLatch done = new CountDownLatch(n);
    CuratorEvent[] results = new CuratorEvent[n];
    for (int i = 0; i < n; i++) {
      int index = i;
      client.getData().usingWatcher(watcher).inBackground((c, event) -> {
        results[index] = event;
        done.countDown();
      }).forPath(servicePath + "/" + children.get(i));
    }
    if (!done.await(readTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IOException("reading " + n + " instances of " + servicePath + " took over " + readTimeout.toMillis()
          + "ms");
    }
    for (int i = 0; i < n; i++) {
      CuratorEvent e = results[i];
      String child = children.get(i);
      int rc = e.getResultCode();
      if (rc == KeeperException.Code.NONODE.intValue()) {
        continue;
      }
      if (rc != KeeperException.Code.OK.intValue()) {
        throw KeeperException.create(KeeperException.Code.get(rc), servicePath + "/" + child);
      }
      out.put(child, parsed(canonical, servicePath + "/" + child, child, e.getData(), e.getStat(),
          known == null ? null : known.get(child)));
    }
  }

  /** Reads one instance node (setting a data watch), or {@code null} when it is gone. */
  private @Nullable Node readData(String canonical, String path, String child, @Nullable Node old)
      throws Exception {
    Stat stat = new Stat();
    byte[] data;
    try {
      data = client.getData().storingStatIn(stat).usingWatcher(watcher).forPath(path);
    } catch (KeeperException.NoNodeException e) {
      return null;
    }
    return parsed(canonical, path, child, data, stat, old);
  }

  /** What {@code data} (at {@code stat}) means; an unchanged version keeps its old result (and its one WARN). */
  private Node parsed(String canonical, String path, String child, byte @Nullable [] data, Stat stat,
      @Nullable Node old) {
    if (old != null && old.mzxid() == stat.getMzxid()) {
      return old;
    }
    InstanceJson.Parsed parsed = InstanceJson.parse(canonical, child, data);
    if (parsed instanceof InstanceJson.Unreadable u) {
      warnings.incrementAndGet();
      log.warn("zookeeper discovery: skipping instance node {} (version {}): {}", path, stat.getVersion(),
          u.reason());
    } else if (parsed instanceof InstanceJson.Excluded x) {
      log.debug("zookeeper discovery: instance node {} takes no traffic: {}", path, x.reason());
    }
    return new Node(stat.getMzxid(), parsed);
  }

  /** The children of {@code path} (setting a child watch), or {@code null} when it does not exist (watching it). */
  private @Nullable List<String> childrenOf(String path) throws Exception {
    try {
      return client.getChildren().usingWatcher(watcher).forPath(path);
    } catch (KeeperException.NoNodeException e) {
      if (client.checkExists().usingWatcher(watcher).forPath(path) != null) {
        return childrenOf(path); // created between the two calls
      }
      return null;
    }
  }

  /** Reports the endpoints of the mesh service that ZooKeeper service {@code name} belongs to. */
  private void publish(String name) {
    String c = canonical(name);
    if (c == null) {
      return;
    }
    boolean present = false;
    for (String other : model.keySet()) {
      if (c.equals(canonical(other))) {
        present = true;
        break;
      }
    }
    if (present) {
      setEndpoints(c, group(c));
    } else {
      deleteService(c);
    }
  }

  /** The endpoints of mesh service {@code canonical}: of every ZooKeeper service with that canonical name. */
  private List<Endpoint> group(String canonical) {
    List<Endpoint> out = new ArrayList<>();
    for (Map.Entry<String, Map<String, Node>> e : model.entrySet()) {
      if (canonical.equals(canonical(e.getKey()))) {
        for (Node n : e.getValue().values()) {
          if (n.parsed() instanceof InstanceJson.Usable u) {
            out.add(u.endpoint());
          }
        }
      }
    }
    return out;
  }

  private @Nullable String canonical(String name) {
    String c = ServiceNames.canonicalOrNull(name);
    if (c == null && warnedNames.add(name)) {
      warnings.incrementAndGet();
      log.warn("zookeeper discovery: skipping service node {}{}: {}", basePrefix, name, ServiceNames.EXPECTED);
    }
    return c;
  }

  /** How many WARN lines about unreadable nodes and names this backend logged (for tests). */
  int warningsLogged() {
    return warnings.get();
  }

  @Override
  public void close() {
    synchronized (lock) {
      if (stopped) {
        return;
      }
      stopped = true;
    }
    super.close();
    client.getConnectionStateListenable().removeListener(stateListener);
    worker.shutdownNow();
    try {
      client.removeWatchers();
    } catch (RuntimeException e) {
      log.debug("zookeeper discovery {}: removing watches failed", basePath, e);
    }
    if (ownedClient != null) {
      ownedClient.getConnectionStateListenable().removeListener(stateListener);
      ownedClient.close();
    }
  }
}
