package io.meshsdk.discovery.etcd;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.PutOption;
import io.meshsdk.core.discovery.DiscoveryListener;
import io.meshsdk.core.endpoint.Endpoint;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Measures etcd write → watcher has the new endpoint set, on loopback with the real etcd: each write adds one
 * instance and removes the oldest in one transaction (10 instances in the service), and the time runs until the
 * discovery's watcher receives a snapshot with the new instance. Not a test; run it with
 *
 * <pre>
 * ./mvnw -B -o -pl discovery/etcd test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.meshsdk.discovery.etcd.EtcdPropagation [-Dexec.args=1000]
 * </pre>
 */
public final class EtcdPropagation {

  private EtcdPropagation() {}

  /** Runs {@code args[0]} (default 500) measured writes after 50 warm-up writes and prints p50/p90/p99/max. */
  public static void main(String[] args) throws Exception {
    int writes = args.length > 0 ? Integer.parseInt(args[0]) : 500;
    int warmup = 50;
    EtcdServer etcd = EtcdServer.shared();
    String prefix = EtcdTestSupport.newPrefix();
    AtomicReference<String> expected = new AtomicReference<>("");
    AtomicReference<CountDownLatch> arrived = new AtomicReference<>(new CountDownLatch(1));
    DiscoveryListener listener = new DiscoveryListener() {
      @Override
      public void onEndpoints(List<Endpoint> endpoints) {
        String want = expected.get();
        for (Endpoint e : endpoints) {
          if (e.id().equals(want)) {
            arrived.get().countDown();
            return;
          }
        }
      }

      @Override
      public void onServiceDeleted() {}

      @Override
      public void onError(Throwable error) {
        System.err.println("discovery error: " + error);
      }
    };
    long[] nanos = new long[writes];
    try (Client admin = etcd.adminClient();
        EtcdServiceDiscovery d = EtcdServiceDiscovery.create(etcd.config(prefix, Duration.ofSeconds(10)))) {
      d.watch("bench", listener);
      ArrayDeque<Endpoint> live = new ArrayDeque<>();
      for (int i = 0; i < warmup + writes; i++) {
        Endpoint e = Endpoint.of("bench", "127.0.0.1", 10_000 + i);
        CountDownLatch latch = new CountDownLatch(1);
        arrived.set(latch);
        expected.set(e.id());
        Op put = Op.put(EtcdTestSupport.bytes(EtcdTestSupport.key(prefix, e)),
            EtcdTestSupport.bytes(EtcdTestSupport.json(e)), PutOption.DEFAULT);
        Op[] ops = live.size() >= 10
            ? new Op[] {put, Op.delete(EtcdTestSupport.bytes(EtcdTestSupport.key(prefix, live.removeFirst())),
                DeleteOption.DEFAULT)}
            : new Op[] {put};
        live.addLast(e);
        long start = System.nanoTime();
        var unused = admin.getKVClient().txn().Then(ops).commit(); // not waited for: the clock runs until the watcher has it
        if (!latch.await(10, TimeUnit.SECONDS)) {
          throw new IllegalStateException("write " + i + " did not reach the watcher in 10 s");
        }
        if (i >= warmup) {
          nanos[i - warmup] = System.nanoTime() - start;
        }
      }
    }
    Arrays.sort(nanos);
    System.out.printf(Locale.ROOT, "etcd put -> watcher snapshot, %d writes (after %d warm-up), 10 instances:"
            + " p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms%n", writes, warmup, ms(nanos, 0.50),
        ms(nanos, 0.90), ms(nanos, 0.99), nanos[nanos.length - 1] / 1e6);
    System.exit(0);
  }

  private static double ms(long[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
  }
}
