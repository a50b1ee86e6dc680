package io.meshsdk.sample.registry;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;

/**
 * The sample's registry: a real ZooKeeper 3.9 (curator-test's {@link TestingServer}) on 127.0.0.1, data in a
 * temporary directory deleted on close. Not for production: the point is that the sample needs nothing installed.
 */
public final class Registry {

  private Registry() {}

  /**
   * {@code registry [--port=22181]}: runs until the process is stopped.
   *
   * @param args {@code --port=N} (0: any free port)
   * @throws Exception if ZooKeeper does not start
   */
  public static void main(String[] args) throws Exception {
    int port = 22181;
    for (String arg : args) {
      if (arg.startsWith("--port=")) {
        port = Integer.parseInt(arg.substring("--port=".length()));
      }
    }
    TestingServer server = start(port);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.close();
      } catch (IOException e) {
        System.err.println("registry: " + e);
      }
      stopped.countDown();
    }, "registry-stop"));
    System.out.println("registry: ZooKeeper ready at " + server.getConnectString());
    stopped.await();
  }

  /**
   * Starts ZooKeeper on 127.0.0.1.
   *
   * @param port the client port, 0 for any free one
   * @return the running server ({@link TestingServer#getConnectString()}); close it to stop
   * @throws Exception if it does not start
   */
  public static TestingServer start(int port) throws Exception {
    if (System.getProperty("zookeeper.forceSync") == null) {
      System.setProperty("zookeeper.forceSync", "no");
    }
    Map<String, Object> props = Map.of("clientPortAddress", "127.0.0.1", "admin.enableServer", "false");
    return new TestingServer(
        new InstanceSpec(null, port == 0 ? -1 : port, -1, -1, true, -1, 200, -1, props, "127.0.0.1"), true);
  }
}
