package io.meshsdk.testing;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A real HTTP server on 127.0.0.1 (an ephemeral port) with switchable fault modes: healthy, slow, failing
 * with a status (always or at random with a seeded generator), resetting the connection, or hanging. It
 * counts requests and keeps the headers of recent ones, so tests can check what really arrived.
 *
 * <p>Responses carry {@code x-backend: <name>} and echo the request path in the body.
 */
public final class LoopbackBackend implements AutoCloseable {

  static {
    // The JDK server writes headers and body separately; without TCP_NODELAY, Nagle plus the client's
    // delayed ACK adds ~40 ms to every keep-alive response. Read once, before the first server starts.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  /** What the backend does with a request. */
  public sealed interface Mode {
    /** Answers 200 at once. */
    record Healthy() implements Mode {}

    /** Answers 200 after {@code delayMillis}. */
    record Slow(long delayMillis) implements Mode {}

    /** Answers {@code status} with probability {@code probability} (seeded), else 200. */
    record Failing(int status, double probability) implements Mode {}

    /** Closes the connection without a response. */
    record Reset() implements Mode {}

    /** Never answers until the mode changes or the backend closes. */
    record Hang() implements Mode {}
  }

  /** Healthy mode. */
  public static Mode healthy() {
    return new Mode.Healthy();
  }

  /** Slow mode. */
  public static Mode slow(long delayMillis) {
    return new Mode.Slow(delayMillis);
  }

  /** Always answers {@code status}. */
  public static Mode failing(int status) {
    return new Mode.Failing(status, 1.0);
  }

  /** Answers {@code status} with the given probability. */
  public static Mode flaky(int status, double probability) {
    return new Mode.Failing(status, probability);
  }

  /** Reset mode. */
  public static Mode reset() {
    return new Mode.Reset();
  }

  /** Hang mode. */
  public static Mode hang() {
    return new Mode.Hang();
  }

  private final String name;
  private final HttpServer server;
  private final ExecutorService executor;
  private volatile Mode mode = healthy();
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final ConcurrentLinkedQueue<Map<String, List<String>>> recentHeaders = new ConcurrentLinkedQueue<>();
  private final SplittableRandom random;
  private volatile CountDownLatch hangRelease = new CountDownLatch(1);
  private volatile @Nullable Map<String, String> extraResponseHeaders;
  private volatile @Nullable Gate gate;

  private LoopbackBackend(String name, long seed, int port) throws IOException {
    this.name = requireNonNull(name, "name");
    this.random = new SplittableRandom(seed);
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 256);
    this.executor = Executors.newFixedThreadPool(32, r -> {
      Thread t = new Thread(r, "backend-" + name);
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** Starts a healthy backend on an ephemeral loopback port. */
  public static LoopbackBackend start(String name) {
    return start(name, 42L);
  }

  /** Starts a healthy backend whose random faults use {@code seed}. */
  public static LoopbackBackend start(String name, long seed) {
    return startOnPort(name, seed, 0);
  }

  /** Starts a backend on a given port (0 = ephemeral), e.g. to bring one back where it was. */
  public static LoopbackBackend startOnPort(String name, long seed, int port) {
    try {
      return new LoopbackBackend(name, seed, port);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start loopback backend '" + name + "' on port " + port, e);
    }
  }

  /** A loopback port nothing listens on (bound then released), for "port closed" faults. */
  public static int closedPort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("cannot find a free loopback port", e);
    }
  }

  /** The name given at start (also sent as {@code x-backend}). */
  public String name() {
    return name;
  }

  /** {@code 127.0.0.1}. */
  public String host() {
    return server.getAddress().getAddress().getHostAddress();
  }

  /** The port the server listens on. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String baseUrl() {
    return "http://" + host() + ":" + port();
  }

  /** Switches the fault mode; releases requests that were hanging. */
  public LoopbackBackend mode(Mode newMode) {
    this.mode = requireNonNull(newMode, "newMode");
    CountDownLatch old = hangRelease;
    hangRelease = new CountDownLatch(1);
    old.countDown();
    return this;
  }

  /** The current fault mode. */
  public Mode mode() {
    return mode;
  }

  /**
   * Decides about each request before it is served, as a server-side filter would (e.g. the mesh's inbound guard);
   * {@code null} removes it.
   */
  public LoopbackBackend gate(@Nullable Gate newGate) {
    this.gate = newGate;
    return this;
  }

  /** A server-side filter in front of the handler. */
  @FunctionalInterface
  public interface Gate {
    /**
     * Decides about one request from its method and headers (names in lower case).
     *
     * @return {@link Decision#serve(Runnable)} to serve it, or {@link Decision#refuse} to answer at once
     */
    Decision enter(String method, java.util.function.Function<String, @Nullable String> header);
  }

  /**
   * What a {@link Gate} decided.
   *
   * @param status 0 to serve, else the status to answer without serving
   * @param headers headers of the refusal
   * @param done run once the request is over (served or refused)
   */
  public record Decision(int status, Map<String, String> headers, Runnable done) {
    /** Serve; run {@code done} after the response. */
    public static Decision serve(Runnable done) {
      return new Decision(0, Map.of(), done);
    }

    /** Answer {@code status} with {@code headers} without serving. */
    public static Decision refuse(int status, Map<String, String> headers) {
      return new Decision(status, Map.copyOf(headers), () -> { });
    }
  }

  /** Adds headers to every response (e.g. {@code Retry-After}). */
  public LoopbackBackend responseHeaders(Map<String, String> headers) {
    this.extraResponseHeaders = Map.copyOf(headers);
    return this;
  }

  /** Requests received so far (including failed ones). */
  public long requests() {
    return requests.get();
  }

  /** Requests answered with an error status or a reset. */
  public long errors() {
    return errors.get();
  }

  /** Resets the counters and the recorded headers. */
  public void resetCounters() {
    requests.set(0);
    errors.set(0);
    recentHeaders.clear();
  }

  /** Headers (lower-case names) of the most recent requests, oldest first, at most 1,000. */
  public List<Map<String, List<String>>> recentHeaders() {
    return List.copyOf(recentHeaders);
  }

  /** The value of header {@code name} in the most recent request, or {@code null}. */
  public @Nullable String lastHeader(String name) {
    Map<String, List<String>> last = null;
    for (Map<String, List<String>> h : recentHeaders) {
      last = h;
    }
    if (last == null) {
      return null;
    }
    List<String> v = last.get(name.toLowerCase(java.util.Locale.ROOT));
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  private void handle(HttpExchange exchange) throws IOException {
    Gate g = gate;
    if (g == null) {
      serve(exchange);
      return;
    }
    Headers in = exchange.getRequestHeaders();
    Decision d = g.enter(exchange.getRequestMethod(), name -> in.getFirst(name));
    try {
      if (d.status() != 0) {
        d.headers().forEach(exchange.getResponseHeaders()::add);
        exchange.getResponseHeaders().add("x-backend", name);
        exchange.sendResponseHeaders(d.status(), -1);
        exchange.close();
        return;
      }
      serve(exchange);
    } finally {
      d.done().run();
    }
  }

  private void serve(HttpExchange exchange) throws IOException {
    requests.incrementAndGet();
    record(exchange.getRequestHeaders());
    try (InputStream in = exchange.getRequestBody()) {
      in.readAllBytes();
    }
    Mode m = mode;
    try {
      if (m instanceof Mode.Hang) {
        CountDownLatch release = hangRelease;
        while (mode instanceof Mode.Hang && !release.await(100, TimeUnit.MILLISECONDS)) {
          // wait for a mode change or close
        }
        m = mode;
      }
      if (m instanceof Mode.Slow slow) {
        Thread.sleep(slow.delayMillis()); // simulated service time of a slow backend, not a test wait
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      exchange.close();
      return;
    }
    if (m instanceof Mode.Reset) {
      errors.incrementAndGet();
      exchange.getResponseHeaders().add("Connection", "close");
      exchange.close(); // no response: the client sees an unexpected end of stream
      return;
    }
    int status = 200;
    if (m instanceof Mode.Failing f) {
      boolean fail;
      synchronized (random) {
        fail = f.probability() >= 1.0 || random.nextDouble() < f.probability();
      }
      if (fail) {
        status = f.status();
        errors.incrementAndGet();
      }
    }
    byte[] body = (name + " " + exchange.getRequestMethod() + " " + exchange.getRequestURI() + "\n")
        .getBytes(StandardCharsets.UTF_8);
    Headers rh = exchange.getResponseHeaders();
    rh.add("x-backend", name);
    rh.add("content-type", "text/plain; charset=utf-8");
    Map<String, String> extra = extraResponseHeaders;
    if (extra != null) {
      extra.forEach(rh::add);
    }
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private void record(Headers headers) {
    Map<String, List<String>> copy = new java.util.TreeMap<>();
    headers.forEach((k, v) -> copy.put(k.toLowerCase(java.util.Locale.ROOT), List.copyOf(v)));
    recentHeaders.add(copy);
    while (recentHeaders.size() > 1000) {
      recentHeaders.poll();
    }
  }

  /** Stops the server at once and releases hanging requests. */
  @Override
  public void close() {
    mode(healthy());
    server.stop(0);
    executor.shutdownNow();
  }

  @Override
  public String toString() {
    return name + "@" + host() + ":" + port() + " " + mode;
  }
}
