package io.meshsdk.demo;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/** Drives calls for a fixed time from a few threads and records what happened, per backend and outcome. */
final class Traffic {

  private final Map<String, List<Long>> latenciesByBackend = new ConcurrentHashMap<>();
  private final Map<String, Integer> outcomes = new ConcurrentHashMap<>();
  private volatile long calls;

  /**
   * Runs calls built by {@code request} on {@code threads} threads for {@code duration} (at most
   * {@code maxCalls} in all) and returns the record.
   */
  static Traffic run(OkHttpClient http, Supplier<Request> request, int threads, Duration duration, int maxCalls)
      throws InterruptedException {
    Traffic t = new Traffic();
    long end = System.nanoTime() + duration.toNanos();
    CountDownLatch done = new CountDownLatch(threads);
    java.util.concurrent.atomic.AtomicInteger budget = new java.util.concurrent.atomic.AtomicInteger(maxCalls);
    for (int i = 0; i < threads; i++) {
      Thread th = new Thread(() -> {
        try {
          while (System.nanoTime() < end && budget.getAndDecrement() > 0) {
            t.call(http, request.get());
          }
        } finally {
          done.countDown();
        }
      }, "demo-caller-" + i);
      th.setDaemon(true);
      th.start();
    }
    if (!done.await(duration.toMillis() + 30_000, TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("demo callers did not finish");
    }
    return t;
  }

  void call(OkHttpClient http, Request request) {
    long t0 = System.nanoTime();
    String backend;
    String outcome;
    try (Response r = http.newCall(request).execute()) {
      r.body().bytes();
      backend = String.valueOf(r.header("x-backend", "?"));
      outcome = r.code() + "";
    } catch (IOException e) {
      backend = "(no response)";
      outcome = e.getClass().getSimpleName();
    }
    long t1 = System.nanoTime();
    latenciesByBackend.computeIfAbsent(backend, k -> Collections.synchronizedList(new ArrayList<>()))
        .add(t1 - t0);
    outcomes.merge(outcome, 1, Integer::sum);
    synchronized (this) {
      calls++;
    }
  }

  long calls() {
    return calls;
  }

  Map<String, Integer> outcomes() {
    return new TreeMap<>(outcomes);
  }

  /** Calls per backend name. */
  Map<String, Integer> share() {
    Map<String, Integer> m = new TreeMap<>();
    latenciesByBackend.forEach((k, v) -> m.put(k, v.size()));
    return m;
  }

  /** A table: backend, calls, share, p50, p90, p99 (client-side latency). */
  String table() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "  %-22s %7s %7s %9s %9s %9s%n", "backend", "calls", "share", "p50 ms",
        "p90 ms", "p99 ms"));
    long total = calls;
    new TreeMap<>(latenciesByBackend).forEach((backend, list) -> {
      List<Long> sorted;
      synchronized (list) {
        sorted = new ArrayList<>(list);
      }
      Collections.sort(sorted);
      sb.append(String.format(Locale.ROOT, "  %-22s %7d %6.1f%% %9.2f %9.2f %9.2f%n", backend, sorted.size(),
          100.0 * sorted.size() / Math.max(1, total), pct(sorted, 0.50), pct(sorted, 0.90), pct(sorted, 0.99)));
    });
    sb.append("  outcomes: ").append(outcomes()).append('\n');
    return sb.toString();
  }

  private static double pct(List<Long> sorted, double p) {
    if (sorted.isEmpty()) {
      return 0;
    }
    int i = (int) Math.min(sorted.size() - 1, Math.ceil(p * sorted.size()) - 1);
    return sorted.get(Math.max(0, i)) / 1e6;
  }
}
