package io.meshsdk.core.internal.engine;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.MeshHeaders;
import io.meshsdk.core.common.Ticker;
import io.meshsdk.core.observe.MeshObserver;
import io.meshsdk.core.sidecar.HandoffStyle;
import io.meshsdk.core.sidecar.SidecarConfig;
import io.meshsdk.core.transport.TransportCall;
import io.meshsdk.core.internal.concurrent.MeshScheduler;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.DoubleSupplier;
import okhttp3.Call;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the shadow copies of {@code route.mode=shadow:N} services: fire and forget, on its own daemon threads
 * ({@code mesh-shadow-N}) and its own HTTP client (own connection pool and dispatcher), so that a copy never
 * takes a thread, a connection or a lock of the primary path. One per mesh, created when a shadow route is first
 * compiled, closed with the mesh.
 *
 * <p>On the caller's thread: the service's permit is taken with a CAS (no permit: the copy is dropped and counted,
 * never queued), the copy's request is built from the application's headers, and handed to an idle worker (a
 * {@link SynchronousQueue} hand-off; a new thread only when none is idle). On the worker: one attempt, no retry,
 * no redirect, bounded by {@code route.shadow-timeout} from connect to the end of the body, of which at most
 * {@value #DRAIN_LIMIT} bytes are read (so the connection can be reused) before it is closed; then the permit
 * is returned and the pair (direct answer, shadow answer) is compared once both ended. Nothing of a copy reaches
 * the service's breaker, limiter, bulkhead, retry budget, endpoint statistics or call metrics.
 */
final class ShadowTraffic implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ShadowTraffic.class);

  /** At most this many bytes of a shadow answer's body are read (then it is closed). */
  static final long DRAIN_LIMIT = 64 * 1024;
  /** At most this many copies in flight over all services (each service also has its own bound). */
  static final int MAX_THREADS = 1024;

  /** How often the host's CPU use is sampled for {@code route.shadow-max-cpu}. */
  static final long CPU_SAMPLE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

  private static final AtomicInteger THREADS = new AtomicInteger();

  private final Ticker ticker;
  private final MeshObserver observer;
  private final ThreadPoolExecutor workers;
  private final OkHttpClient client;
  private final @Nullable ScheduledFuture<?> cpuSampler;
  private volatile DoubleSupplier cpuLoad;
  /** The host's CPU use in %, sampled every {@link #CPU_SAMPLE_NANOS}; 0 while unknown. */
  private volatile int cpuPercent;
  private boolean cpuUnknownLogged; // sampler thread only

  /**
   * A sender whose {@code route.shadow-max-cpu} check reads {@code cpuLoad} (the host's CPU use, 0 to 1; negative
   * when unknown) every {@link #CPU_SAMPLE_NANOS} on {@code scheduler}.
   */
  ShadowTraffic(Ticker ticker, MeshObserver observer, MeshScheduler scheduler, DoubleSupplier cpuLoad) {
    this.ticker = requireNonNull(ticker, "ticker");
    this.observer = requireNonNull(observer, "observer");
    this.cpuLoad = requireNonNull(cpuLoad, "cpuLoad");
    this.workers = new ThreadPoolExecutor(0, MAX_THREADS, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
        ShadowTraffic::newWorker);
    this.client = new OkHttpClient.Builder()
        .proxy(Proxy.NO_PROXY)
        .dispatcher(new Dispatcher())
        .connectionPool(new ConnectionPool(16, 30, TimeUnit.SECONDS))
        .retryOnConnectionFailure(false)
        .followRedirects(false)
        .followSslRedirects(false)
        .connectTimeout(0, TimeUnit.MILLISECONDS) // the call timeout (route.shadow-timeout) bounds everything
        .readTimeout(0, TimeUnit.MILLISECONDS)
        .writeTimeout(0, TimeUnit.MILLISECONDS)
        .build();
    sampleCpu();
    this.cpuSampler = scheduler.every(CPU_SAMPLE_NANOS, "shadow CPU sample", this::sampleCpu);
  }

  /**
   * The host's recent CPU use, 0 to 1, as the JVM sees it (the container's share when it has a CPU limit); negative
   * when the platform does not tell.
   */
  static double hostCpuLoad() {
    java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getCpuLoad() : -1;
  }

  /** Reads the CPU use now (the sampler's task; tests call it to apply a new {@link #cpuLoad} at once). */
  void sampleCpu() {
    double load;
    try {
      load = cpuLoad.getAsDouble();
    } catch (RuntimeException e) {
      load = -1;
    }
    if (!(load >= 0)) { // negative or NaN: unknown, so nothing is shed for CPU
      if (!cpuUnknownLogged) {
        cpuUnknownLogged = true;
        log.info("the host's CPU use is not available here: route.shadow-max-cpu sheds no shadow copy");
      }
      cpuPercent = 0;
      return;
    }
    cpuPercent = (int) Math.ceil(Math.min(1, load) * 100); // 75.2 % is above a ceiling of 75
  }

  /** The host's CPU use in % at the last sample (0 while unknown). Caller's thread: one volatile read. */
  int cpuPercent() {
    return cpuPercent;
  }

  /** Replaces the CPU source: for tests (then {@link #sampleCpu()} to apply it). */
  void cpuLoad(DoubleSupplier source) {
    this.cpuLoad = requireNonNull(source, "source");
  }

  /**
   * A copy's thread: a daemon at {@link Thread#MIN_PRIORITY}, which Linux honours only with
   * {@code -XX:ThreadPriorityPolicy=1} (then at nice 4, or 19 with {@code -XX:JavaPriority1_To_OSPriority=19}).
   * Correctness never depends on it. It is not recommended on its own (docs/migration.md, section 11): a copy's
   * thread shares a few locks with the calls (Okio's timeout watchdog), and at a very low priority a preempted
   * holder can delay them.
   */
  @SuppressWarnings("ThreadPriorityCheck") // a CPU share for best-effort work, on purpose
  private static Thread newWorker(Runnable r) {
    Thread t = new Thread(r, "mesh-shadow-" + THREADS.incrementAndGet());
    t.setDaemon(true);
    t.setPriority(Thread.MIN_PRIORITY);
    return t;
  }

  /** Whether copies of {@code method} may be sent: only safe methods (RFC 9110, 9.2.1), never a write. */
  static boolean isSafe(String method) {
    return switch (method) {
      case "GET", "HEAD", "OPTIONS" -> true;
      default -> false;
    };
  }

  /** The client for copies to {@code sidecar}: as a forward proxy in the http-proxy style; shares the pool. */
  OkHttpClient clientFor(SidecarConfig sidecar) {
    if (sidecar.style() != HandoffStyle.HTTP_PROXY) {
      return client;
    }
    return client.newBuilder()
        .proxy(new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(sidecar.host(), sidecar.port())))
        .build();
  }

  /** Workers running a copy now: for tests. */
  int activeWorkers() {
    return workers.getActiveCount();
  }

  /** The most workers that ever ran at once: for tests. */
  int largestPoolSize() {
    return workers.getLargestPoolSize();
  }

  /** The pool the copies' connections live in: for tests. */
  ConnectionPool connectionPool() {
    return client.connectionPool();
  }

  /**
   * Builds {@code call}'s copy and hands it to a worker; the caller took a permit of {@code stats} and the copy
   * returns it. Caller's thread.
   *
   * @return the copy (to tell it the direct answer), or {@code null} when no worker took it (the permit is
   *     returned; count it as dropped)
   */
  @Nullable Copy send(CompiledRoute route, ShadowStats stats, TransportCall<?> call, long start,
      @Nullable String caller, String marker) {
    Headers.Builder headers = new Headers.Builder();
    call.forEachHeader((name, value) -> {
      if (!MeshHeaders.isHopByHopOrFraming(name) && !name.equalsIgnoreCase(MeshHeaders.CALLER)
          && !name.equalsIgnoreCase(MeshHeaders.DEADLINE) && !name.equalsIgnoreCase(marker)
          && !name.equalsIgnoreCase(MeshHeaders.SHADOW)) {
        try {
          headers.addUnsafeNonAscii(name, value);
        } catch (IllegalArgumentException e) {
          // a header name OkHttp cannot send: the copy goes without it
        }
      }
    });
    if (route.hostHeaderStyle) {
      headers.set("Host", route.authority);
    }
    if (caller != null) {
      headers.set(MeshHeaders.CALLER, caller);
    }
    headers.set(MeshHeaders.DEADLINE, Long.toString(route.shadowTimeoutNanos / 1_000_000L));
    headers.set(marker, "sidecar");
    headers.set(MeshHeaders.SHADOW, "1");
    HttpUrl url = requireNonNull(route.sidecarTarget, "sidecar target").urlFor(call.url());
    Request request = new Request.Builder().url(url).headers(headers.build()).method(call.method(), null).build();
    Copy copy = new Copy(this, route, stats, requireNonNull(route.shadowClient, "shadow client"), request, start);
    try {
      workers.execute(copy);
    } catch (RejectedExecutionException e) { // closed, or MAX_THREADS copies in flight
      stats.release();
      return null;
    }
    return copy;
  }

  @Override
  public void close() {
    ScheduledFuture<?> s = cpuSampler;
    if (s != null) {
      s.cancel(false);
    }
    workers.shutdownNow();
    client.connectionPool().evictAll();
  }

  /**
   * One shadow copy: sent on a worker, then compared with its call's direct answer once both ended, by whichever
   * side ends last.
   */
  static final class Copy implements Runnable {

    private static final AtomicIntegerFieldUpdater<Copy> SIDES =
        AtomicIntegerFieldUpdater.newUpdater(Copy.class, "sides");

    private final ShadowTraffic owner;
    private final CompiledRoute route;
    private final ShadowStats stats;
    private final OkHttpClient client;
    private final Request request;
    private final long start;
    // each written once by its side before the SIDES increment that publishes it
    private int directStatus;
    private long directNanos;
    private int shadowStatus;
    private long shadowNanos;
    @SuppressWarnings("UnusedVariable") // read and written through SIDES
    private volatile int sides;

    Copy(ShadowTraffic owner, CompiledRoute route, ShadowStats stats, OkHttpClient client, Request request,
        long start) {
      this.owner = owner;
      this.route = route;
      this.stats = stats;
      this.client = client;
      this.request = request;
      this.start = start;
    }

    @Override
    public void run() {
      int status = -1;
      try {
        Call call = client.newCall(request);
        call.timeout().timeout(route.shadowTimeoutNanos, TimeUnit.NANOSECONDS);
        try (Response response = call.execute()) {
          drain(response.body());
          status = response.code(); // a body that fails or times out makes the copy a failure
        }
      } catch (IOException | RuntimeException e) {
        log.trace("shadow copy to {} failed", request.url(), e);
      } finally {
        stats.release();
      }
      long end = owner.ticker.read();
      shadowStatus = status;
      shadowNanos = end - start;
      if (SIDES.incrementAndGet(this) == 2) {
        compare(end);
      }
    }

    private static void drain(@Nullable ResponseBody body) throws IOException {
      if (body == null) {
        return;
      }
      BufferedSource source = body.source();
      Buffer sink = new Buffer();
      long left = DRAIN_LIMIT;
      while (left > 0) {
        long n = source.read(sink, Math.min(8192, left));
        if (n < 0) {
          return;
        }
        sink.clear();
        left -= n;
      }
    }

    /** The call's direct side ended with {@code status} (-1: failed without one) after {@code nanos}. */
    void directEnded(int status, long nanos, long now) {
      directStatus = status;
      directNanos = nanos;
      if (SIDES.incrementAndGet(this) == 2) {
        compare(now);
      }
    }

    private void compare(long now) {
      stats.pair(directStatus, directNanos, shadowStatus, shadowNanos, now);
      if (directStatus != shadowStatus) {
        try {
          owner.observer.onShadowMismatch(route.service, directStatus, shadowStatus);
        } catch (RuntimeException e) {
          log.warn("MeshObserver.onShadowMismatch threw", e);
        }
      }
    }
  }
}
