package io.meshsdk.testing.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.discovery.ServiceDiscovery;
import io.meshsdk.core.registration.ServiceRegistry;
import io.meshsdk.core.snapshot.ServiceSnapshot;
import io.meshsdk.testing.provider.MeshProvider;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/**
 * A rolling restart under load must fail no call: three instances of a service, registered in the registry under
 * test, are restarted one after the other at the same address (drain, stop, start, register) while a caller that
 * discovers them through the same registry sends 500 calls a second, GETs and POSTs. Extend it with the registry and
 * a discovery backend over the same source.
 */
public abstract class AbstractRollingRestartTest {

  /** Calls per second the caller sends. */
  protected static final int RATE = 500;

  /** A new registry on the source under test. */
  protected abstract ServiceRegistry newRegistry() throws Exception;

  /** A new discovery backend over the same source. */
  protected abstract ServiceDiscovery newDiscovery() throws Exception;

  /** The longest time a registration change takes to reach a watcher (the providers' drain delay). */
  protected Duration propagation() {
    return Duration.ofSeconds(1);
  }

  @Test
  void aRollingRestartOfThreeProvidersUnderLoadFailsNoCall() throws Exception {
    String service = "rolling-" + Long.toHexString(System.nanoTime());
    ServiceRegistry registry = newRegistry();
    List<MeshProvider> providers = new ArrayList<>();
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
    ExecutorService callers = Executors.newFixedThreadPool(32);
    Map<String, AtomicLong> failures = new ConcurrentHashMap<>();
    AtomicLong calls = new AtomicLong();
    AtomicLong byInstance = new AtomicLong();
    try (Mesh caller = Mesh.builder().discovery(newDiscovery()).discoveryWait(Duration.ofSeconds(10)).build()) {
      for (int i = 0; i < 3; i++) {
        providers.add(MeshProvider.start(service, "p" + i, 0, registry, propagation()));
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> serving(caller, service) == 3);
      OkHttpClient client = caller.newOkHttpClient();
      MediaType text = MediaType.get("text/plain");
      var load = ticker.scheduleAtFixedRate(() -> callers.execute(() -> {
        long n = calls.incrementAndGet();
        boolean post = (n & 1) == 0;
        Request.Builder rb = new Request.Builder().url("http://" + service + "/item/" + n);
        Request request = post ? rb.post(RequestBody.create("order " + n, text)).build() : rb.get().build();
        try (Response r = client.newCall(request).execute()) {
          r.body().string();
          if (r.code() != 200) {
            failures.computeIfAbsent(request.method() + " " + r.code(), k -> new AtomicLong()).incrementAndGet();
          } else {
            byInstance.incrementAndGet();
          }
        } catch (IOException | RuntimeException e) {
          failures.computeIfAbsent(request.method() + " " + e, k -> new AtomicLong()).incrementAndGet();
        }
      }), 0, 1_000_000 / RATE, TimeUnit.MICROSECONDS);
      await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() > RATE / 2);

      for (int i = 0; i < 3; i++) {
        MeshProvider old = providers.get(i);
        int port = old.backend().port();
        old.close(); // drain: deregister, serve for the propagation time, refuse new requests, finish, stop
        MeshProvider restarted = MeshProvider.start(service, "p" + i + "-restarted", port, registry, propagation());
        providers.set(i, restarted);
        String name = "p" + i + "-restarted";
        await().atMost(Duration.ofSeconds(30)).until(() -> serving(caller, service) == 3
            && instances(caller, service).contains(name));
        long before = restarted.backend().requests();
        await().atMost(Duration.ofSeconds(30)).failFast("failed calls: " + failures, () -> !failures.isEmpty())
            .until(() -> restarted.backend().requests() > before);
      }
      long sent = calls.get();
      await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() > sent + RATE / 2);
      load.cancel(false);
      ticker.shutdown();
      assertThat(ticker.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      callers.shutdown();
      assertThat(callers.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
      assertThat(failures).as("failed calls out of %d", calls.get()).isEmpty();
      assertThat(byInstance.get()).isEqualTo(calls.get());
    } finally {
      ticker.shutdownNow();
      callers.shutdownNow();
      for (MeshProvider p : providers) {
        p.close();
      }
      registry.close();
    }
  }

  private static long serving(Mesh mesh, String service) {
    ServiceSnapshot s = mesh.snapshot().service(service);
    return s == null ? 0 : s.endpoints().size();
  }

  private static List<String> instances(Mesh mesh, String service) {
    ServiceSnapshot s = mesh.snapshot().service(service);
    return s == null ? List.of()
        : s.endpoints().stream().map(e -> String.valueOf(e.endpoint().labels().get("instance"))).toList();
  }
}
