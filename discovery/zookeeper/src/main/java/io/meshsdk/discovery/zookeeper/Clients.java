package io.meshsdk.discovery.zookeeper;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;

/** Builds the Curator clients of this module and names their threads. */
final class Clients {

  /** The prefix of every thread this module starts. */
  static final String THREAD_PREFIX = "mesh-zookeeper-";

  private static final AtomicInteger CLIENTS = new AtomicInteger();

  private Clients() {}

  /** A new, not yet started client for {@code settings}, its threads named {@code mesh-zookeeper-<role>-<n>}. */
  static CuratorFramework newClient(ZookeeperSettings settings, String role) {
    return CuratorFrameworkFactory.builder()
        .connectString(settings.connectString())
        .sessionTimeoutMs(Math.toIntExact(settings.sessionTimeout().toMillis()))
        .connectionTimeoutMs(Math.toIntExact(settings.connectionTimeout().toMillis()))
        .retryPolicy(new ExponentialBackoffRetry(Math.toIntExact(settings.retryBaseSleep().toMillis()),
            settings.retryMaxRetries(), Math.toIntExact(settings.retryMaxSleep().toMillis())))
        .threadFactory(threads(role))
        .build();
  }

  /** A factory of daemon threads named {@code mesh-zookeeper-<role>-<client>-<n>}. */
  static ThreadFactory threads(String role) {
    String prefix = THREAD_PREFIX + role + "-" + CLIENTS.incrementAndGet() + "-";
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
