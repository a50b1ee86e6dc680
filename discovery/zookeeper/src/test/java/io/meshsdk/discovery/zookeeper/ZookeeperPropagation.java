package io.meshsdk.discovery.zookeeper;

import io.meshsdk.core.discovery.DiscoveryListener;
import io.meshsdk.core.discovery.ServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.registration.ServiceRegistration;
import io.meshsdk.core.registration.ServiceRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.curator.test.TestingServer;

/**
 * Measures propagation on loopback: from a registry write (register = create, update = set data, close = delete)
 * to the moment a watcher of the same service holds the new endpoint set, over a real in-process ZooKeeper, both
 * sides in this JVM (separate sessions). Not a test; run it with
 *
 * <pre>
 * ./mvnw -B -pl discovery/zookeeper test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.meshsdk.discovery.zookeeper.ZookeeperPropagation [-Dexec.args="200 yes"]
 * </pre>
 *
 * <p>Arguments: writes per kind (default 200, so 600 writes), and whether the server fsyncs each write
 * ({@code yes}, the default, as a production server does; {@code no} for a tmpfs-like server).
 */
public final class ZookeeperPropagation {

  private ZookeeperPropagation() {}

  /** One snapshot with the time it arrived. */
  private record Seen(long nanos, List<Endpoint> endpoints) {}

  /** Runs the measurement and prints p50/p99/max per kind of write. */
  public static void main(String[] args) throws Exception {
    int perKind = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    String fsync = args.length > 1 ? args[1] : "yes";
    System.setProperty("zookeeper.forceSync", fsync);
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    LinkedBlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
    try (TestingServer server = ZkServer.start()) {
      ZookeeperSettings settings = ZookeeperSettings.of(server.getConnectString(), "/propagation")
          .withSessionTimeout(Duration.ofSeconds(30));
      try (ZookeeperServiceRegistry registry = ZookeeperServiceRegistry.create(settings);
          ServiceDiscovery discovery = ZookeeperServiceDiscovery.create(settings)) {
        ServiceDiscovery.Subscription sub = discovery.watch("probe", new DiscoveryListener() {
          @Override
          public void onEndpoints(List<Endpoint> endpoints) {
            seen.add(new Seen(System.nanoTime(), endpoints));
          }

          @Override
          public void onServiceDeleted() {}

          @Override
          public void onError(Throwable error) {}
        });
        ServiceRegistry.Registration anchor = registry.register(
            ServiceRegistration.of("probe", "127.0.0.1", 1), ServiceRegistry.RegistrationListener.NONE);
        await(seen, l -> l.size() == 1);

        // warm-up, not measured
        for (int i = 0; i < 50; i++) {
          anchor.update(anchor.registration().withLabel("seq", "w" + i));
          String want = "w" + i;
          await(seen, l -> want.equals(l.get(0).labels().get("seq")));
        }

        long[] create = new long[perKind];
        long[] update = new long[perKind];
        long[] delete = new long[perKind];
        List<ServiceRegistry.Registration> added = new ArrayList<>();
        for (int i = 0; i < perKind; i++) {
          int size = added.size() + 2;
          long t0 = System.nanoTime();
          added.add(registry.register(ServiceRegistration.of("probe", "127.0.0.1", 10_000 + i),
              ServiceRegistry.RegistrationListener.NONE));
          create[i] = await(seen, l -> l.size() == size) - t0;

          String want = "m" + i;
          t0 = System.nanoTime();
          anchor.update(anchor.registration().withLabel("seq", want));
          update[i] = await(seen, l -> l.stream().anyMatch(e -> e.port() == 1
              && want.equals(e.labels().get("seq")))) - t0;
        }
        for (int i = 0; i < perKind; i++) {
          int size = added.size();
          long t0 = System.nanoTime();
          added.remove(added.size() - 1).close();
          delete[i] = await(seen, l -> l.size() == size) - t0;
        }
        sub.close();
        System.out.printf(Locale.ROOT, "ZooKeeper propagation, loopback, fsync=%s, %d writes per kind%n", fsync,
            perKind);
        print("register (create)", create);
        print("update (set data)", update);
        print("deregister (delete)", delete);
        long[] all = new long[perKind * 3];
        System.arraycopy(create, 0, all, 0, perKind);
        System.arraycopy(update, 0, all, perKind, perKind);
        System.arraycopy(delete, 0, all, 2 * perKind, perKind);
        print("all writes", all);
      }
    }
  }

  /** Waits for a snapshot that satisfies {@code done}; returns when it arrived. */
  private static long await(LinkedBlockingQueue<Seen> seen, Predicate<List<Endpoint>> done)
      throws InterruptedException {
    while (true) {
      Seen s = seen.poll(30, TimeUnit.SECONDS);
      if (s == null) {
        throw new IllegalStateException("no snapshot within 30 s");
      }
      if (done.test(s.endpoints())) {
        return s.nanos();
      }
    }
  }

  private static void print(String what, long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    System.out.printf(Locale.ROOT, "  %-22s n=%4d  p50=%7.2f ms  p99=%7.2f ms  max=%7.2f ms%n", what,
        sorted.length, ms(sorted, 0.50), ms(sorted, 0.99), sorted[sorted.length - 1] / 1e6);
  }

  private static double ms(long[] sorted, double q) {
    int i = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
  }
}
