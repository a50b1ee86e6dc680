package io.meshsdk.core.internal.engine;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.MeshHeaders;
import io.meshsdk.core.common.Ticker;
import io.meshsdk.core.observe.MeshObserver;
import io.meshsdk.core.sidecar.HandoffStyle;
import io.meshsdk.core.sidecar.SidecarConfig;
import io.meshsdk.core.transport.TransportCall;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
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

  private final Ticker ticker;
  private final MeshObserver observer;
  private final ThreadPoolExecutor workers;
  private final OkHttpClient client;

  ShadowTraffic(Ticker ticker, MeshObserver observer) {
    this.ticker = requireNonNull(ticker, "ticker");
    this.observer = requireNonNull(observer, "observer");
    AtomicInteger threads = new AtomicInteger();
    this.workers = new ThreadPoolExecutor(0, MAX_THREADS, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
      Thread t = new Thread(r, "mesh-shadow-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
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
