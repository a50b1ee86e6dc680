package io.meshsdk.discovery.zookeeper;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryForever;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real ZooKeeper server (curator-test's in-process {@link TestingServer}, ZooKeeper 3.9) on 127.0.0.1 and an
 * ephemeral port, started once per test JVM by this JUnit extension (kept in the root store, closed at the end of
 * the run). Each test uses its own base path ({@link #basePath}). Session timeouts up to 60 s are honoured, so
 * sessions survive a quick {@link #stop()}/{@link #restart()}.
 */
public final class ZkServer implements BeforeAllCallback {

  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(ZkServer.class);
  private static final AtomicInteger PATHS = new AtomicInteger();
  private static volatile TestingServer server;

  @Override
  public void beforeAll(ExtensionContext context) {
    context.getRoot().getStore(NS).computeIfAbsent("server", k -> running(), Running.class);
  }

  private static Running running() {
    TestingServer s = start();
    server = s;
    return new Running(s);
  }

  /** The server of this run, closed with the root store. */
  private record Running(TestingServer testingServer) implements AutoCloseable {
    @Override
    public void close() throws Exception {
      server = null;
      testingServer.close();
    }
  }

  /** Starts a server (also for the propagation measurement, outside JUnit). */
  static TestingServer start() {
    if (System.getProperty("zookeeper.forceSync") == null) {
      // the tests' disk is shared with other builds: no fsync per write (a real server, without durability)
      System.setProperty("zookeeper.forceSync", "no");
    }
    try {
      Map<String, Object> props = Map.of("clientPortAddress", "127.0.0.1", "maxSessionTimeout", "60000",
          "admin.enableServer", "false");
      InstanceSpec spec = new InstanceSpec(null, -1, -1, -1, true, -1, 100, -1, props, "127.0.0.1");
      return new TestingServer(spec, true);
    } catch (Exception e) {
      throw new IllegalStateException("cannot start ZooKeeper", e);
    }
  }

  /** The connect string, {@code 127.0.0.1:<port>}. */
  static String connectString() {
    return server.getConnectString();
  }

  /** Stops the server (sessions are kept on disk and resume after {@link #restart()}). */
  static void stop() throws Exception {
    server.stop();
  }

  /** Starts the stopped server again on the same port and data. */
  static void restart() throws Exception {
    server.restart();
  }

  /** A base path no other test uses. */
  static String basePath(String what) {
    return "/t" + PATHS.incrementAndGet() + "-" + what;
  }

  /** Settings for {@code basePath} with a 10 s session and short timeouts for tests. */
  static ZookeeperSettings settings(String basePath) {
    return ZookeeperSettings.of(connectString(), basePath).withSessionTimeout(Duration.ofSeconds(10))
        .withConnectionTimeout(Duration.ofSeconds(5));
  }

  /** A started client that retries for ever (for the test's own writes), to close after the test. */
  static CuratorFramework client() {
    CuratorFramework c = CuratorFrameworkFactory.builder().connectString(connectString())
        .sessionTimeoutMs(10_000).connectionTimeoutMs(5_000).retryPolicy(new RetryForever(50)).build();
    c.start();
    return c;
  }
}
