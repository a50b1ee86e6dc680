package io.meshsdk.discovery.zookeeper;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.SerialExecutor;
import io.meshsdk.core.registration.RegistrationStatus;
import io.meshsdk.core.registration.ServiceRegistration;
import io.meshsdk.core.registration.ServiceRegistry;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.curator.framework.api.CuratorWatcher;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher.Event.EventType;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registration in ZooKeeper exactly as Spring Cloud Zookeeper Discovery registers an application, so that Spring
 * callers (which fail for a whole service when one instance does not parse) and this SDK's discovery both see it:
 * an ephemeral node {@code <basePath>/<service>/<random UUID>} holding curator-x-discovery {@code ServiceInstance}
 * JSON:
 *
 * <pre>{@code
 * {"name":"inventory","id":"<uuid>","address":"10.0.0.7","port":8080,"sslPort":null,
 *  "payload":{"@class":"org.springframework.cloud.zookeeper.discovery.ZookeeperInstance",
 *             "id":"inventory","name":"inventory","metadata":{"instance_status":"UP","version":"v2"}},
 *  "registrationTimeUTC":1764640000000,"serviceType":"DYNAMIC",
 *  "uriSpec":{"parts":[{"value":"scheme","variable":true},{"value":"://","variable":false},...]}}
 * }</pre>
 *
 * <p>The registration's labels are the metadata; {@code instance_status} is {@code UP} unless a label says otherwise
 * ({@code update()} with {@code instance_status=OUT_OF_SERVICE} drains the instance for Spring callers and this SDK
 * alike). Everything is asynchronous: {@link #register} returns at once. The node is created again whenever it
 * goes away while registered (session expiry, deletion by someone else, a server that lost it), and the listener
 * hears {@code LOST} when the session is lost and {@code REGISTERED} when the node is back. Closing a registration
 * deletes its node; closing the registry closes its session, which deletes every node it still had.
 */
public final class ZookeeperServiceRegistry implements ServiceRegistry {

  private static final Logger log = LoggerFactory.getLogger(ZookeeperServiceRegistry.class);

  private final CuratorFramework client;
  private final boolean ownsClient;
  private final String basePath;
  private final String uriSpec;
  private final Set<Handle> handles = ConcurrentHashMap.newKeySet();
  private final ConnectionStateListener stateListener = (c, state) -> onState(state);
  private volatile boolean closed;

  private ZookeeperServiceRegistry(CuratorFramework client, boolean owns, String basePath, String uriSpec) {
    this.client = client;
    this.ownsClient = owns;
    this.basePath = basePath;
    this.uriSpec = uriSpec;
    client.getConnectionStateListenable().addListener(stateListener);
    if (owns) {
      client.start();
    }
  }

  /** A registry with its own Curator client (its own session) for {@code settings}. */
  public static ZookeeperServiceRegistry create(ZookeeperSettings settings) {
    requireNonNull(settings, "settings");
    return new ZookeeperServiceRegistry(Clients.newClient(settings, "registry-client"), true, settings.basePath(),
        settings.uriSpec());
  }

  /**
   * A registry on a started Curator client the application already has; closing the registry deregisters what it
   * registered but leaves the client open.
   */
  public static ZookeeperServiceRegistry using(CuratorFramework client, String basePath) {
    requireNonNull(client, "client");
    requireNonNull(basePath, "basePath");
    ZookeeperSettings checked = ZookeeperSettings.of("unused:1", basePath);
    return new ZookeeperServiceRegistry(client, false, checked.basePath(), checked.uriSpec());
  }

  @Override
  public String name() {
    return "zookeeper";
  }

  /** The Curator client (for tests). */
  CuratorFramework client() {
    return client;
  }

  @Override
  public Registration register(ServiceRegistration registration, RegistrationListener listener) {
    requireNonNull(registration, "registration");
    requireNonNull(listener, "listener");
    Handle h = new Handle(registration, listener);
    if (closed) {
      h.close();
      return h;
    }
    handles.add(h);
    h.announce(RegistrationStatus.PENDING, "registering at " + h.path);
    h.ensure();
    return h;
  }

  private void onState(ConnectionState state) {
    switch (state) {
      case LOST -> {
        log.warn("zookeeper registry {}: session lost, {} registration(s) will be created again", basePath,
            handles.size());
        handles.forEach(Handle::lost);
      }
      case CONNECTED, RECONNECTED -> handles.forEach(Handle::ensure);
      default -> { }
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    client.getConnectionStateListenable().removeListener(stateListener);
    for (Handle h : List.copyOf(handles)) {
      h.close();
    }
    if (ownsClient) {
      client.close(); // closes the session: the server deletes every ephemeral node it still had
    }
  }

  private static boolean isConnectionProblem(int rc) {
    return rc == KeeperException.Code.CONNECTIONLOSS.intValue()
        || rc == KeeperException.Code.SESSIONEXPIRED.intValue()
        || rc == KeeperException.Code.OPERATIONTIMEOUT.intValue()
        || rc == KeeperException.Code.SESSIONMOVED.intValue();
  }

  /** One registration: its node, its data and its status. */
  private final class Handle implements Registration {
    final String id = UUID.randomUUID().toString();
    final String path;
    final long registrationTime = System.currentTimeMillis();
    final RegistrationListener listener;
    final SerialExecutor events = new SerialExecutor("zookeeper registration", Runnable::run);
    final CuratorWatcher nodeWatcher = this::onNodeEvent;
    // guarded by this
    ServiceRegistration current;
    byte[] data;
    long generation;
    RegistrationStatus status = RegistrationStatus.PENDING;
    boolean handleClosed;

    Handle(ServiceRegistration registration, RegistrationListener listener) {
      this.current = registration;
      this.listener = listener;
      this.path = basePath + "/" + registration.service() + "/" + id;
      this.data = InstanceJson.write(registration, id, registrationTime, uriSpec);
    }

    @Override
    public synchronized ServiceRegistration registration() {
      return current;
    }

    @Override
    public synchronized RegistrationStatus status() {
      return status;
    }

    @Override
    public void update(ServiceRegistration updated) {
      requireNonNull(updated, "updated");
      byte[] bytes;
      boolean write;
      synchronized (this) {
        if (!updated.service().equals(current.service()) || !updated.host().equals(current.host())
            || updated.port() != current.port()) {
          throw new IllegalArgumentException("update: " + updated + " (expected: the same service, host and port as "
              + current + ")");
        }
        if (handleClosed) {
          return;
        }
        current = updated;
        data = InstanceJson.write(updated, id, registrationTime, uriSpec);
        generation++;
        bytes = data;
        write = status == RegistrationStatus.REGISTERED;
      }
      if (write) {
        setData(bytes);
      } // else the pending create writes the new data
    }

    /** Creates the node unless it is there with our session: then makes sure it holds the current data. */
    void ensure() {
      byte[] bytes;
      long gen;
      synchronized (this) {
        if (handleClosed) {
          return;
        }
        bytes = data;
        gen = generation;
      }
      try {
        client.create().creatingParentContainersIfNeeded().withMode(CreateMode.EPHEMERAL)
            .inBackground((c, event) -> created(event, gen)).forPath(path, bytes);
      } catch (Exception e) {
        log.warn("zookeeper registry: creating {} failed: {}", path, e.toString());
      }
    }

    private void created(CuratorEvent event, long gen) throws Exception {
      int rc = event.getResultCode();
      if (rc == KeeperException.Code.OK.intValue()) {
        boolean deleteNow;
        boolean rewrite;
        byte[] bytes;
        synchronized (this) {
          deleteNow = handleClosed;
          rewrite = generation != gen;
          bytes = data;
        }
        if (deleteNow) {
          client.delete().guaranteed().inBackground().forPath(path);
          return;
        }
        registered("created " + path);
        watchNode();
        if (rewrite) {
          setData(bytes);
        }
      } else if (rc == KeeperException.Code.NODEEXISTS.intValue()) {
        client.checkExists().inBackground((c, e) -> exists(e.getStat())).forPath(path);
      } else if (isConnectionProblem(rc)) {
        log.debug("zookeeper registry: creating {} waits for the connection ({})", path, KeeperException.Code.get(rc));
      } else {
        String why = "creating " + path + " failed: " + KeeperException.Code.get(rc);
        log.warn("zookeeper registry: {}", why);
        lostBecause(why);
      }
    }

    /** The node exists: ours (same session) gets the current data; a stale one (an old session's) is replaced. */
    private void exists(@Nullable Stat stat) throws Exception {
      if (stat == null) {
        ensure();
        return;
      }
      long session = client.getZookeeperClient().getZooKeeper().getSessionId();
      if (stat.getEphemeralOwner() == session) {
        byte[] bytes;
        synchronized (this) {
          bytes = data;
        }
        client.setData().inBackground((c, e) -> {
          if (e.getResultCode() == KeeperException.Code.OK.intValue()) {
            registered("node " + path + " is there");
            watchNode();
          } else if (e.getResultCode() == KeeperException.Code.NONODE.intValue()) {
            ensure();
          }
        }).forPath(path, bytes);
      } else {
        log.info("zookeeper registry: replacing {} left by an old session", path);
        client.delete().withVersion(stat.getVersion()).inBackground((c, e) -> ensure()).forPath(path);
      }
    }

    private void setData(byte[] bytes) {
      try {
        client.setData().inBackground((c, e) -> {
          if (e.getResultCode() == KeeperException.Code.NONODE.intValue()) {
            ensure();
          }
        }).forPath(path, bytes);
      } catch (Exception e) {
        log.warn("zookeeper registry: updating {} failed: {}", path, e.toString());
      }
    }

    private void watchNode() throws Exception {
      client.checkExists().usingWatcher(nodeWatcher).inBackground((c, e) -> {
        if (e.getResultCode() == KeeperException.Code.NONODE.intValue()) {
          lostBecause("node " + path + " is gone");
          ensure();
        }
      }).forPath(path);
    }

    private void onNodeEvent(WatchedEvent event) throws Exception {
      synchronized (this) {
        if (handleClosed) {
          return;
        }
      }
      if (event.getType() == EventType.NodeDeleted) {
        lostBecause("node " + path + " was deleted");
        ensure();
      } else if (event.getType() != EventType.None) {
        watchNode();
      }
    }

    void lost() {
      lostBecause("ZooKeeper session lost");
    }

    private void lostBecause(String why) {
      synchronized (this) {
        if (handleClosed || status == RegistrationStatus.LOST) {
          return;
        }
        status = RegistrationStatus.LOST;
        announceLocked(RegistrationStatus.LOST, why);
      }
      events.flush();
    }

    private void registered(String why) {
      synchronized (this) {
        if (handleClosed || status == RegistrationStatus.REGISTERED) {
          return;
        }
        status = RegistrationStatus.REGISTERED;
        announceLocked(RegistrationStatus.REGISTERED, why);
      }
      log.info("zookeeper registry: {} registered ({})", current, why);
      events.flush();
    }

    void announce(RegistrationStatus s, String detail) {
      synchronized (this) {
        announceLocked(s, detail);
      }
      events.flush();
    }

    private void announceLocked(RegistrationStatus s, String detail) {
      ServiceRegistration r = current;
      events.enqueue(() -> {
        try {
          listener.onStatus(r, s, detail);
        } catch (RuntimeException e) {
          log.warn("zookeeper registry: a registration listener threw", e);
        }
      });
    }

    @Override
    public void close() {
      synchronized (this) {
        if (handleClosed) {
          return;
        }
        handleClosed = true;
        status = RegistrationStatus.DEREGISTERED;
        announceLocked(RegistrationStatus.DEREGISTERED, "deregistered");
      }
      events.flush();
      handles.remove(this);
      try {
        client.delete().guaranteed().inBackground().forPath(path);
      } catch (Exception e) {
        log.debug("zookeeper registry: deleting {} failed", path, e);
      }
      log.info("zookeeper registry: {} deregistered", current);
    }
  }
}
