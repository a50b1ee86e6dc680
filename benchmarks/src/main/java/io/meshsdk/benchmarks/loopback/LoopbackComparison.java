package io.meshsdk.benchmarks.loopback;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.sidecar.SidecarConfig;
import io.meshsdk.testing.sidecar.LocalSidecar;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.GarbageCollectorMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;

/**
 * End to end on loopback: a real HTTP server ({@link LoopbackServer}) in its own JVM, called through
 * <ul>
 *   <li>{@code raw okhttp}: a plain {@link OkHttpClient} to the server;
 *   <li>{@code mesh direct}: a mesh over one static endpoint (the server), product defaults, Micrometer metrics on;
 *   <li>{@code haproxy}, {@code nginx}: a plain client through a real proxy ({@link LocalSidecar}, Host routing);
 *   <li>{@code mesh via haproxy}, {@code mesh via nginx}: the mesh with the service in {@code route.mode=sidecar}.
 * </ul>
 * A path whose proxy is not installed is skipped and said so. Phases, each in interleaved rounds (every round
 * visits every path, in an order rotated round by round, so that drifts of a shared machine hit all paths alike):
 * <ol>
 *   <li>closed loop, one client thread: HdrHistogram per path, and per round p50/p99.9 whose ratios to the raw
 *       path's in the same round give the paired ratios (their median is reported); CPU per call of the client JVM,
 *       the server JVM and the proxy process (the sum of their threads' run time, {@link ProcessCpu});
 *   <li>peak throughput: N client threads calling as fast as they can for a fixed time per path;
 *   <li>open loop at 50 % and 80 % of the raw path's peak: calls scheduled at a fixed rate by a pool of workers,
 *       latency measured from each call's intended start (no coordinated omission); short slices (250 ms) in many
 *       rounds, so that the paired per-round ratios see the same machine, as in the closed loop.
 * </ol>
 * Prints tables and writes {@code <resultsDir>/loopback.json}.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.meshsdk.benchmarks.loopback.LoopbackComparison \
 *     [quick|full] [resultsDir]     # default: full, benchmarks/results/latest
 * </pre>
 *
 * <p>{@code quick} runs 12,000 closed-loop samples per path (1.5-2.5 min on 2 vCPUs under load), {@code full}
 * 150,000 (11 min at load average ~20 on 2 vCPUs; most of it the closed loop).
 * {@code -Dloopback.peakThreads=4,8,16} changes the peak phase's client thread counts (default 4 and 8).
 */
public final class LoopbackComparison {

  private static final String RAW = "raw okhttp";
  /**
   * {@code -Dloopback.shadow=shared} (or {@code true}): also the mesh in {@code shadow:10} and {@code shadow:100}
   * with HAProxy as the sidecar (the primary call direct, a copy of 10 % / every call via HAProxy to the same
   * server), for the shadow goal: primary p99 within 1.05x of {@code mesh direct}, paired round by round.
   * {@code spare}: the copies go through a second HAProxy to a second server JVM, both at the lowest CPU priority
   * ({@code nice 19}): they stand for a sidecar and a backend with spare capacity, so that what is left on the
   * primary is the copies' cost in the caller's JVM (the mesh's own part), not the contention of two HTTP
   * exchanges for two vCPUs.
   */
  private static final String SHADOW = shadowSetting(System.getProperty("loopback.shadow", ""));
  private static final String DIRECT = "mesh direct";
  private static final String SERVICE = "inventory";
  private static final String PATH = "/items/42";
  private static final long HIGHEST_NANOS = TimeUnit.SECONDS.toNanos(60);
  private static final int[] OPEN_LOOP_PCTS = {50, 80};
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private LoopbackComparison() {}

  static String shadowSetting(String value) {
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "", "false" -> "";
      case "true", "shared" -> "shared";
      case "spare" -> "spare";
      default -> throw new IllegalArgumentException("loopback.shadow=" + value
          + ": expected shared (or true), spare or false");
    };
  }

  /** How much of each phase a mode runs. */
  static final class Settings {
    final String mode;
    final int warmupCalls;
    final int rounds;
    final int callsPerRound;
    final List<Integer> peakThreads;
    final int peakRounds;
    final long peakSliceMillis;
    final int openRounds;
    final long openSliceMillis;
    final int openWorkers;

    private Settings(String mode, int warmupCalls, int rounds, int callsPerRound, List<Integer> peakThreads,
        int peakRounds, long peakSliceMillis, int openRounds, long openSliceMillis, int openWorkers) {
      this.mode = mode;
      this.warmupCalls = warmupCalls;
      this.rounds = rounds;
      this.callsPerRound = callsPerRound;
      this.peakThreads = peakThreads;
      this.peakRounds = peakRounds;
      this.peakSliceMillis = peakSliceMillis;
      this.openRounds = openRounds;
      this.openSliceMillis = openSliceMillis;
      this.openWorkers = openWorkers;
    }

    static Settings of(String mode) {
      Settings s = defaults(mode);
      String threads = System.getProperty("loopback.peakThreads");
      if (threads == null) {
        return s;
      }
      List<Integer> t = new ArrayList<>();
      for (String x : threads.split(",", -1)) {
        t.add(Integer.parseInt(x.trim()));
      }
      return new Settings(s.mode, s.warmupCalls, s.rounds, s.callsPerRound, List.copyOf(t), s.peakRounds,
          s.peakSliceMillis, s.openRounds, s.openSliceMillis, s.openWorkers);
    }

    private static Settings defaults(String mode) {
      return switch (mode) {
        // quick: a smoke run of every phase (the suite's quick mode stays under 3 minutes); full gives the figures
        case "quick" -> new Settings(mode, 3_000, 12, 1_000, List.of(4, 8), 1, 1_000, 4, 250, 32);
        case "full" -> new Settings(mode, 10_000, 60, 2_500, List.of(4, 8), 3, 2_000, 32, 250, 32);
        default -> throw new IllegalArgumentException("mode: " + mode + " (expected: quick or full)");
      };
    }

    int samplesPerPath() {
      return rounds * callsPerRound;
    }
  }

  /** One way of calling the server, and what was measured on it. */
  static final class PathUnderTest {
    final String name;
    final OkHttpClient client;
    final Request request;
    final long sidecarPid;
    /** A shadow path's meters: the copies sent and shed, over the whole run. */
    @Nullable SimpleMeterRegistry registry;

    final Histogram closed = histogram();
    final Histogram closedRound = histogram();
    final double[] roundP50;
    final double[] roundP99;
    final double[] roundP999;
    long cpuCalls;
    long cpuClient;
    long cpuCallerThread;
    long allocatedBytes;
    long gcCount;
    long gcMillis;
    long cpuServer;
    long cpuSidecar;

    final double[][] peakRps; // [thread count][round]
    long peakCalls;
    long peakCpuClient;
    long peakCpuServer;
    long peakCpuSidecar;

    final Histogram[] open = {histogram(), histogram()};
    final double[][] openRoundP50;
    final double[][] openRoundP99;
    final long[] openCompleted = new long[OPEN_LOOP_PCTS.length];
    final long[] openNanos = new long[OPEN_LOOP_PCTS.length];
    final long[] openMissed = new long[OPEN_LOOP_PCTS.length];

    PathUnderTest(String name, OkHttpClient client, Request request, long sidecarPid, Settings s) {
      this.name = name;
      this.client = client;
      this.request = request;
      this.sidecarPid = sidecarPid;
      this.roundP50 = new double[s.rounds];
      this.roundP99 = new double[s.rounds];
      this.roundP999 = new double[s.rounds];
      this.peakRps = new double[s.peakThreads.size()][s.peakRounds];
      this.openRoundP50 = new double[OPEN_LOOP_PCTS.length][s.openRounds];
      this.openRoundP99 = new double[OPEN_LOOP_PCTS.length][s.openRounds];
    }

    double peak() {
      double best = 0;
      for (double[] rounds : peakRps) {
        best = Math.max(best, median(rounds));
      }
      return best;
    }
  }

  /** Runs the comparison: {@code [quick|full] [resultsDir]}. */
  public static void main(String[] args) throws Exception {
    Settings s = Settings.of(args.length > 0 ? args[0] : "full");
    Path resultsDir = Paths.get(args.length > 1 ? args[1] : "benchmarks/results/latest");
    PrintStream out = System.out;
    List<Double> loads = new ArrayList<>();
    loads.add(loadAverage());
    Instant date = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    out.printf(Locale.ROOT, "loopback end to end, %s mode, %s; JDK %s, %d CPUs, load average %.2f%n", s.mode, date,
        System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), loads.get(0));
    List<AutoCloseable> closeables = new ArrayList<>();
    ExecutorService pool = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "loopback-client");
      t.setDaemon(true);
      return t;
    });
    try {
      ServerProcess server = ServerProcess.start(16, List.of("-Xms256m", "-Xmx256m"));
      closeables.add(server);
      out.printf(Locale.ROOT, "server JVM pid %d on 127.0.0.1:%d (JDK HttpServer, 16 threads, %d-byte body)%n",
          server.pid(), server.port(), LoopbackServer.BODY_BYTES);
      List<PathUnderTest> paths = paths(s, server, closeables, out);

      out.printf(Locale.ROOT, "%nwarm-up: %,d calls per path%n", s.warmupCalls);
      for (PathUnderTest p : paths) {
        for (int i = 0; i < s.warmupCalls; i++) {
          call(p);
        }
      }
      closedLoop(s, paths, server.pid());
      loads.add(loadAverage());
      peak(s, paths, server.pid(), pool);
      loads.add(loadAverage());
      openLoop(s, paths, pool);
      loads.add(loadAverage());

      double load = loads.stream().mapToDouble(Double::doubleValue).average().orElse(0);
      report(s, paths, out);
      out.printf(Locale.ROOT, "%nload average at start and after each phase: %s%n", loads);
      Files.createDirectories(resultsDir);
      Path json = resultsDir.resolve("loopback.json");
      Files.writeString(json, json(s, paths, date, load), StandardCharsets.UTF_8);
      out.println("wrote " + json);
    } finally {
      pool.shutdownNow();
      for (int i = closeables.size() - 1; i >= 0; i--) {
        try {
          closeables.get(i).close();
        } catch (Exception e) {
          System.err.println("close failed: " + e);
        }
      }
    }
  }

  private static List<PathUnderTest> paths(Settings s, ServerProcess server, List<AutoCloseable> closeables,
      PrintStream out) throws IOException {
    List<PathUnderTest> paths = new ArrayList<>();
    String direct = "http://127.0.0.1:" + server.port() + PATH;
    paths.add(new PathUnderTest(RAW, client(), new Request.Builder().url(direct).build(), -1, s));
    Mesh directMesh = mesh(server.port(), null, "direct");
    closeables.add(directMesh);
    Request meshRequest = new Request.Builder().url("http://" + SERVICE + PATH).build();
    paths.add(new PathUnderTest(DIRECT, directMesh.newOkHttpClient(), meshRequest, -1, s));
    List<PathUnderTest> viaMesh = new ArrayList<>();
    // -Dloopback.proxies=false, with -Dloopback.shadow=spare only: raw, mesh direct and the spare shadow paths (a
    // shorter run for the shadow goal); ignored otherwise
    boolean proxies = !SHADOW.equals("spare") || !"false".equals(System.getProperty("loopback.proxies"));
    for (LocalSidecar sidecar : proxies ? List.of(LocalSidecar.haproxy(), LocalSidecar.nginx())
        : List.<LocalSidecar>of()) {
      if (sidecar.binary() == null) {
        out.println(sidecar.name() + " is not installed (apt-get install " + sidecar.debianPackage()
            + "): its paths are skipped");
        continue;
      }
      sidecar.routeToPorts(SERVICE, server.port()).start();
      closeables.add(sidecar);
      out.printf(Locale.ROOT, "%s pid %d on 127.0.0.1:%d%n", sidecar.name(), sidecar.pid(), sidecar.port());
      Request viaProxy = new Request.Builder().url("http://127.0.0.1:" + sidecar.port() + PATH)
          .header("Host", SERVICE).build();
      paths.add(new PathUnderTest(sidecar.name(), client(), viaProxy, sidecar.pid(), s));
      SidecarConfig sc = SidecarConfig.builder()
          .address(sidecar.host(), sidecar.port()).readyUrl(sidecar.readyUrl()).build();
      Mesh m = mesh(server.port(), sc, "sidecar");
      closeables.add(m);
      viaMesh.add(new PathUnderTest("mesh via " + sidecar.name(), m.newOkHttpClient(), meshRequest, sidecar.pid(),
          s));
      if (SHADOW.equals("shared") && sidecar.name().equals("haproxy")) { // primary direct, copies via the sidecar
        for (String mode : List.of("shadow:10", "shadow:100")) {
          SimpleMeterRegistry registry = new SimpleMeterRegistry();
          Mesh sm = mesh(server.port(), sc, mode, registry);
          closeables.add(sm);
          PathUnderTest p = new PathUnderTest("mesh " + mode + " via " + sidecar.name(), sm.newOkHttpClient(),
              meshRequest, sidecar.pid(), s);
          p.registry = registry;
          paths.add(p);
        }
      }
    }
    if (SHADOW.equals("spare")) {
      paths.addAll(spareShadowPaths(s, server, closeables, out));
    }
    paths.addAll(viaMesh);
    return paths;
  }

  /**
   * The shadow paths of {@code -Dloopback.shadow=spare}: the primary call direct to {@code server}, the copies
   * through a second HAProxy to a second server JVM, both at nice 19.
   */
  private static List<PathUnderTest> spareShadowPaths(Settings s, ServerProcess server,
      List<AutoCloseable> closeables, PrintStream out) throws IOException {
    LocalSidecar haproxy = LocalSidecar.haproxy();
    if (haproxy.binary() == null) {
      out.println("haproxy is not installed (apt-get install haproxy): the shadow paths are skipped");
      return List.of();
    }
    ServerProcess shadowServer = ServerProcess.start(16, List.of("-Xms256m", "-Xmx256m"), true);
    closeables.add(shadowServer);
    haproxy.routeToPorts(SERVICE, shadowServer.port()).start();
    closeables.add(haproxy);
    lowestPriority(haproxy.pid());
    out.printf(Locale.ROOT, "shadow copies: haproxy pid %d on 127.0.0.1:%d to a second server JVM pid %d on"
        + " 127.0.0.1:%d, both at nice 19%n", haproxy.pid(), haproxy.port(), shadowServer.pid(),
        shadowServer.port());
    SidecarConfig sc = SidecarConfig.builder()
        .address(haproxy.host(), haproxy.port()).readyUrl(haproxy.readyUrl()).build();
    Request meshRequest = new Request.Builder().url("http://" + SERVICE + PATH).build();
    List<PathUnderTest> paths = new ArrayList<>();
    for (String mode : List.of("shadow:10", "shadow:100")) {
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      Mesh sm = mesh(server.port(), sc, mode, registry);
      closeables.add(sm);
      PathUnderTest p = new PathUnderTest("mesh " + mode + " (spare)", sm.newOkHttpClient(), meshRequest,
          haproxy.pid(), s);
      p.registry = registry;
      paths.add(p);
    }
    return paths;
  }

  /** Sets every thread of process {@code pid} to nice 19 ({@code renice}; no privilege needed to lower one's own). */
  private static void lowestPriority(long pid) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("renice", "-n", "19", "-p"));
    try (var tasks = Files.list(Paths.get("/proc", Long.toString(pid), "task"))) {
      tasks.forEach(t -> cmd.add(t.getFileName().toString()));
    }
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (p.waitFor() != 0) {
        throw new IOException("renice of " + pid + " failed: " + output.trim());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while renicing " + pid, e);
    }
  }

  /** A client with its own connection pool, large enough for the peak and open-loop phases' connections. */
  private static OkHttpClient client() {
    return new OkHttpClient.Builder().connectionPool(new ConnectionPool(64, 5, TimeUnit.MINUTES)).build();
  }

  private static Mesh mesh(int port, @Nullable SidecarConfig sidecar, String mode) {
    return mesh(port, sidecar, mode, new SimpleMeterRegistry());
  }

  /**
   * A mesh in {@code mode}; a shadow mode takes {@code route.shadow-max-cpu} from {@code -Dloopback.shadowMaxCpu}
   * (default: the product's default).
   */
  private static Mesh mesh(int port, @Nullable SidecarConfig sidecar, String mode, SimpleMeterRegistry registry) {
    String maxCpu = System.getProperty("loopback.shadowMaxCpu");
    MeshConfig config = sidecar == null
        ? MeshConfig.builder().build()
        : MeshConfig.builder().service(SERVICE, c -> {
          c.set("route.mode", mode);
          if (maxCpu != null && mode.startsWith("shadow:")) {
            c.set("route.shadow-max-cpu", maxCpu);
          }
        }).build();
    return Mesh.builder()
        .discovery(StaticServiceDiscovery.of(Endpoint.of(SERVICE, "127.0.0.1", port)))
        .config(config)
        .meterRegistry(registry)
        .httpClient(client())
        .sidecar(sidecar)
        .build();
  }

  private static void call(PathUnderTest p) throws IOException {
    try (Response r = p.client.newCall(p.request).execute()) {
      if (r.code() != 200) {
        throw new IOException(p.name + ": unexpected status " + r.code());
      }
      if (r.body().bytes().length != LoopbackServer.BODY_BYTES) {
        throw new IOException(p.name + ": unexpected body length");
      }
    }
  }

  // ---------------------------------------------------------------------------------------------- closed loop

  private static void closedLoop(Settings s, List<PathUnderTest> paths, long serverPid) throws IOException {
    System.out.printf(Locale.ROOT, "closed loop: %d rounds x %,d calls per path, one thread%n", s.rounds,
        s.callsPerRound);
    long self = ProcessHandle.current().pid();
    int n = paths.size();
    for (int r = 0; r < s.rounds; r++) {
      for (int k = 0; k < n; k++) {
        PathUnderTest p = paths.get((r + k) % n);
        Histogram h = p.closedRound;
        h.reset();
        long c0 = ProcessCpu.nanos(self);
        long s0 = ProcessCpu.nanos(serverPid);
        long x0 = p.sidecarPid > 0 ? ProcessCpu.nanos(p.sidecarPid) : 0;
        long t0 = THREADS.getCurrentThreadCpuTime();
        long a0 = THREADS.getCurrentThreadAllocatedBytes();
        long[] gc0 = gc();
        for (int i = 0; i < s.callsPerRound; i++) {
          long start = System.nanoTime();
          call(p);
          h.recordValue(System.nanoTime() - start);
        }
        p.cpuCallerThread += THREADS.getCurrentThreadCpuTime() - t0;
        p.allocatedBytes += THREADS.getCurrentThreadAllocatedBytes() - a0;
        long[] gc1 = gc();
        p.gcCount += gc1[0] - gc0[0];
        p.gcMillis += gc1[1] - gc0[1];
        p.cpuClient += ProcessCpu.nanos(self) - c0;
        p.cpuServer += ProcessCpu.nanos(serverPid) - s0;
        p.cpuSidecar += p.sidecarPid > 0 ? ProcessCpu.nanos(p.sidecarPid) - x0 : 0;
        p.cpuCalls += s.callsPerRound;
        p.closed.add(h);
        p.roundP50[r] = h.getValueAtPercentile(50);
        p.roundP99[r] = h.getValueAtPercentile(99);
        p.roundP999[r] = h.getValueAtPercentile(99.9);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------- peak

  private static void peak(Settings s, List<PathUnderTest> paths, long serverPid, ExecutorService pool)
      throws Exception {
    int maxThreads = s.peakThreads.stream().mapToInt(Integer::intValue).max().orElse(1);
    System.out.printf(Locale.ROOT, "peak throughput: %s client threads, %d rounds x %,d ms per path%n",
        s.peakThreads, s.peakRounds, s.peakSliceMillis);
    for (PathUnderTest p : paths) { // open the connections, warm the concurrent paths
      runFor(p, maxThreads, 500, pool);
    }
    long self = ProcessHandle.current().pid();
    int n = paths.size();
    for (int t = 0; t < s.peakThreads.size(); t++) {
      for (int r = 0; r < s.peakRounds; r++) {
        for (int k = 0; k < n; k++) {
          PathUnderTest p = paths.get((r + k) % n);
          long c0 = ProcessCpu.nanos(self);
          long s0 = ProcessCpu.nanos(serverPid);
          long x0 = p.sidecarPid > 0 ? ProcessCpu.nanos(p.sidecarPid) : 0;
          long t0 = System.nanoTime();
          long calls = runFor(p, s.peakThreads.get(t), s.peakSliceMillis, pool);
          long elapsed = System.nanoTime() - t0;
          p.peakCpuClient += ProcessCpu.nanos(self) - c0;
          p.peakCpuServer += ProcessCpu.nanos(serverPid) - s0;
          p.peakCpuSidecar += p.sidecarPid > 0 ? ProcessCpu.nanos(p.sidecarPid) - x0 : 0;
          p.peakCalls += calls;
          p.peakRps[t][r] = calls * 1e9 / elapsed;
        }
      }
    }
  }

  /** {@code threads} threads call {@code p} back to back for {@code millis}; returns the calls completed. */
  private static long runFor(PathUnderTest p, int threads, long millis, ExecutorService pool) throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    AtomicLong deadline = new AtomicLong();
    List<Future<Long>> futures = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      futures.add(pool.submit(() -> {
        go.await();
        long end = deadline.get();
        long calls = 0;
        while (System.nanoTime() < end) {
          call(p);
          calls++;
        }
        return calls;
      }));
    }
    deadline.set(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis));
    go.countDown();
    long calls = 0;
    for (Future<Long> f : futures) {
      calls += get(f);
    }
    return calls;
  }

  // ---------------------------------------------------------------------------------------------- open loop

  private static void openLoop(Settings s, List<PathUnderTest> paths, ExecutorService pool) throws Exception {
    double rawPeak = paths.get(0).peak();
    System.out.printf(Locale.ROOT, "open loop: %s %% of raw peak (%,.0f/s), %d rounds x %,d ms per path, %d workers"
        + "%n", Arrays.toString(OPEN_LOOP_PCTS), rawPeak, s.openRounds, s.openSliceMillis, s.openWorkers);
    Histogram[] workers = new Histogram[s.openWorkers];
    for (int i = 0; i < workers.length; i++) {
      workers[i] = histogram();
    }
    Histogram round = histogram();
    int n = paths.size();
    for (int pct = 0; pct < OPEN_LOOP_PCTS.length; pct++) {
      double rate = rawPeak * OPEN_LOOP_PCTS[pct] / 100.0;
      for (int r = 0; r < s.openRounds; r++) {
        for (int k = 0; k < n; k++) {
          PathUnderTest p = paths.get((r + k) % n);
          long[] result = runAtRate(p, rate, s.openSliceMillis, workers, pool);
          round.reset();
          for (Histogram w : workers) {
            round.add(w);
          }
          p.open[pct].add(round);
          p.openRoundP50[pct][r] = round.getValueAtPercentile(50);
          p.openRoundP99[pct][r] = round.getValueAtPercentile(99);
          p.openCompleted[pct] += result[0];
          p.openNanos[pct] += result[1];
          p.openMissed[pct] += result[2];
        }
      }
    }
  }

  /**
   * Calls {@code p} at {@code rate} per second for {@code millis}: call i is due at start + i / rate; a worker
   * claims the next call, waits until it is due and records its latency from that due time, so that a call held up
   * by slow earlier ones counts its wait. Calls not started within three times the slice are not made (counted as
   * missed). Returns {completed, nanos from start to the last completion, missed}.
   */
  private static long[] runAtRate(PathUnderTest p, double rate, long millis, Histogram[] workers,
      ExecutorService pool) throws Exception {
    long count = Math.max(1, Math.round(rate * millis / 1000.0));
    double period = 1e9 / rate;
    AtomicLong next = new AtomicLong();
    AtomicLong missed = new AtomicLong();
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1);
    long cutoff = start + TimeUnit.MILLISECONDS.toNanos(3 * millis);
    List<Future<Long>> futures = new ArrayList<>();
    for (Histogram w : workers) {
      w.reset();
      futures.add(pool.submit(() -> {
        long last = start;
        long i;
        while ((i = next.getAndIncrement()) < count) {
          long due = start + (long) (i * period);
          long now;
          while ((now = System.nanoTime()) < due) {
            LockSupport.parkNanos(due - now);
          }
          if (now > cutoff) {
            missed.incrementAndGet();
            continue;
          }
          call(p);
          last = System.nanoTime();
          w.recordValue(last - due);
        }
        return last;
      }));
    }
    long last = start;
    for (Future<Long> f : futures) {
      last = Math.max(last, get(f));
    }
    return new long[] {count - missed.get(), last - start, missed.get()};
  }

  // ---------------------------------------------------------------------------------------------- report

  private static void report(Settings s, List<PathUnderTest> paths, PrintStream out) {
    PathUnderTest raw = paths.get(0);
    out.printf(Locale.ROOT, "%nclosed loop, one thread, %,d samples per path (%d interleaved rounds); µs%n",
        s.samplesPerPath(), s.rounds);
    out.printf(Locale.ROOT, "%-17s %8s %8s %8s %8s %9s | %9s %9s%n", "path", "p50", "p90", "p99", "p99.9", "max",
        "p50 x raw", "p99.9 x raw");
    for (PathUnderTest p : paths) {
      Histogram h = p.closed;
      out.printf(Locale.ROOT, "%-17s %8.1f %8.1f %8.1f %8.1f %9.1f | %9.3f %11.3f%n", p.name, us(h, 50), us(h, 90),
          us(h, 99), us(h, 99.9), h.getMaxValue() / 1e3, pairedMedian(p.roundP50, raw.roundP50),
          pairedMedian(p.roundP999, raw.roundP999));
    }
    out.printf(Locale.ROOT, "(x raw: median over rounds of this path's round percentile / raw's in the same round)%n");

    out.printf(Locale.ROOT, "%nCPU per call, closed loop (µs of CPU per call, summed over each process's threads)%n");
    out.printf(Locale.ROOT, "%-17s %8s %8s %8s %8s %8s | peak phase: %7s %8s %8s %8s%n", "path", "caller", "client",
        "server", "sidecar", "total", "client", "server", "sidecar", "total");
    for (PathUnderTest p : paths) {
      double caller = p.cpuCallerThread / 1e3 / p.cpuCalls;
      double c = p.cpuClient / 1e3 / p.cpuCalls;
      double sv = p.cpuServer / 1e3 / p.cpuCalls;
      double x = p.cpuSidecar / 1e3 / p.cpuCalls;
      double pc = p.peakCpuClient / 1e3 / Math.max(1, p.peakCalls);
      double ps = p.peakCpuServer / 1e3 / Math.max(1, p.peakCalls);
      double px = p.peakCpuSidecar / 1e3 / Math.max(1, p.peakCalls);
      out.printf(Locale.ROOT, "%-17s %8.1f %8.1f %8.1f %8.1f %8.1f |             %7.1f %8.1f %8.1f %8.1f%n", p.name,
          caller, c, sv, x, c + sv + x, pc, ps, px, pc + ps + px);
    }
    out.printf(Locale.ROOT, "(caller: the calling thread alone, part of client, which is the whole client JVM)%n");
    out.printf(Locale.ROOT, "%nclient JVM, closed loop: bytes allocated per call by the calling thread, collections%n");
    out.printf(Locale.ROOT, "%-17s %9s %12s %14s%n", "path", "B/call", "GCs/10k calls", "GC ms/10k calls");
    for (PathUnderTest p : paths) {
      out.printf(Locale.ROOT, "%-17s %,9.0f %12.2f %14.2f%n", p.name, p.allocatedBytes / (double) p.cpuCalls,
          p.gcCount * 1e4 / p.cpuCalls, p.gcMillis * 1e4 / p.cpuCalls);
    }

    out.printf(Locale.ROOT, "%npeak throughput, calls/s (median over %d rounds; x raw: median of per-round ratios)%n",
        s.peakRounds);
    StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-17s", "path"));
    for (int t : s.peakThreads) {
      head.append(String.format(Locale.ROOT, " %9s %7s", t + " thr", "x raw"));
    }
    out.println(head.append(String.format(Locale.ROOT, " %9s", "peak")));
    for (PathUnderTest p : paths) {
      StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-17s", p.name));
      for (int t = 0; t < s.peakThreads.size(); t++) {
        row.append(String.format(Locale.ROOT, " %,9.0f %7.3f", median(p.peakRps[t]),
            pairedMedian(p.peakRps[t], raw.peakRps[t])));
      }
      out.println(row.append(String.format(Locale.ROOT, " %,9.0f", p.peak())));
    }

    double rawPeak = raw.peak();
    for (int pct = 0; pct < OPEN_LOOP_PCTS.length; pct++) {
      out.printf(Locale.ROOT, "%nopen loop at %d %% of raw peak = %,.0f calls/s offered; latency from the intended"
          + " start, µs%n", OPEN_LOOP_PCTS[pct], rawPeak * OPEN_LOOP_PCTS[pct] / 100.0);
      out.printf(Locale.ROOT, "%-17s %9s %8s %8s %8s %9s %9s | %9s %9s%n", "path", "achieved", "missed", "p50",
          "p99", "p99.9", "max", "p50 x raw", "p99 x raw");
      for (PathUnderTest p : paths) {
        Histogram h = p.open[pct];
        out.printf(Locale.ROOT, "%-17s %,9.0f %8d %8.1f %8.1f %8.1f %9.1f | %9.3f %9.3f%n", p.name,
            achieved(p, pct), p.openMissed[pct], us(h, 50), us(h, 99), us(h, 99.9), h.getMaxValue() / 1e3,
            pairedMedian(p.openRoundP50[pct], raw.openRoundP50[pct]),
            pairedMedian(p.openRoundP99[pct], raw.openRoundP99[pct]));
      }
    }
    reportShadow(paths, out);
  }

  /** The shadow paths against {@code mesh direct}, paired round by round (the goal: p99 at most 1.05x). */
  private static void reportShadow(List<PathUnderTest> paths, PrintStream out) {
    PathUnderTest direct = paths.stream().filter(p -> p.name.equals(DIRECT)).findFirst().orElseThrow();
    List<PathUnderTest> shadow = paths.stream().filter(p -> p.name.contains("shadow:")).toList();
    if (shadow.isEmpty()) {
      return;
    }
    out.printf(Locale.ROOT, "%nshadow paths x %s, paired (median over rounds of the path's round percentile /"
        + " %s's in the same round)%n", DIRECT, DIRECT);
    StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-26s %9s %9s %9s", "path", "closed p50",
        "closed p99", "p99.9"));
    for (int pct : OPEN_LOOP_PCTS) {
      head.append(String.format(Locale.ROOT, " %11s %11s", "open" + pct + " p50", "open" + pct + " p99"));
    }
    out.println(head);
    for (PathUnderTest p : shadow) {
      StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-26s %9.3f %9.3f %9.3f", p.name,
          pairedMedian(p.roundP50, direct.roundP50), pairedMedian(p.roundP99, direct.roundP99),
          pairedMedian(p.roundP999, direct.roundP999)));
      for (int pct = 0; pct < OPEN_LOOP_PCTS.length; pct++) {
        row.append(String.format(Locale.ROOT, " %11.3f %11.3f",
            pairedMedian(p.openRoundP50[pct], direct.openRoundP50[pct]),
            pairedMedian(p.openRoundP99[pct], direct.openRoundP99[pct])));
      }
      out.println(row);
    }
    out.printf(Locale.ROOT, "copies over the whole run (route.shadow-max-cpu %s): sent / dropped by reason%n",
        System.getProperty("loopback.shadowMaxCpu", "default"));
    for (PathUnderTest p : shadow) {
      SimpleMeterRegistry r = p.registry;
      if (r == null) {
        continue;
      }
      StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-26s sent %,.0f", p.name,
          r.find("mesh.client.shadow.sent").counters().stream().mapToDouble(c -> c.count()).sum()));
      r.find("mesh.client.shadow.dropped").counters().forEach(c -> row.append(String.format(Locale.ROOT,
          ", dropped %s %,.0f", c.getId().getTag("reason"), c.count())));
      out.println(row);
    }
    out.printf(Locale.ROOT, "pooled percentiles x %s (all rounds together):%n", DIRECT);
    for (PathUnderTest p : shadow) {
      StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-26s %9.3f %9.3f %9.3f", p.name,
          us(p.closed, 50) / us(direct.closed, 50), us(p.closed, 99) / us(direct.closed, 99),
          us(p.closed, 99.9) / us(direct.closed, 99.9)));
      for (int pct = 0; pct < OPEN_LOOP_PCTS.length; pct++) {
        row.append(String.format(Locale.ROOT, " %11.3f %11.3f", us(p.open[pct], 50) / us(direct.open[pct], 50),
            us(p.open[pct], 99) / us(direct.open[pct], 99)));
      }
      out.println(row);
    }
  }

  private static double achieved(PathUnderTest p, int pct) {
    return p.openNanos[pct] == 0 ? 0 : p.openCompleted[pct] * 1e9 / p.openNanos[pct];
  }

  private static String json(Settings s, List<PathUnderTest> paths, Instant date, double load) {
    PathUnderTest raw = paths.get(0);
    StringBuilder j = new StringBuilder(4096);
    j.append("{\n");
    j.append("  \"kind\": \"loopback\",\n");
    j.append("  \"date\": \"").append(date).append("\", \"jdk\": \"").append(System.getProperty("java.version"))
        .append("\", \"cpus\": ").append(Runtime.getRuntime().availableProcessors()).append(", \"loadAverage\": ")
        .append(num(load, 2)).append(",\n");
    j.append("  \"samplesPerPath\": ").append(s.samplesPerPath()).append(", \"rounds\": ").append(s.rounds)
        .append(",\n");
    j.append("  \"paths\": [\n");
    for (int i = 0; i < paths.size(); i++) {
      PathUnderTest p = paths.get(i);
      Histogram h = p.closed;
      j.append("    { \"name\": \"").append(p.name).append("\",\n");
      j.append("      \"closedLoop\": { \"samples\": ").append(h.getTotalCount())
          .append(", \"p50Us\": ").append(num(us(h, 50), 1))
          .append(", \"p90Us\": ").append(num(us(h, 90), 1))
          .append(", \"p99Us\": ").append(num(us(h, 99), 1))
          .append(", \"p999Us\": ").append(num(us(h, 99.9), 1))
          .append(", \"maxUs\": ").append(num(h.getMaxValue() / 1e3, 1)).append(" },\n");
      j.append("      \"pairedVsRaw\": { \"p50RatioMedian\": ").append(num(pairedMedian(p.roundP50, raw.roundP50), 4))
          .append(", \"p999RatioMedian\": ").append(num(pairedMedian(p.roundP999, raw.roundP999), 4)).append(" },\n");
      j.append("      \"peakRps\": ").append(num(p.peak(), 1)).append(",\n");
      j.append("      \"openLoop\": [");
      for (int pct = 0; pct < OPEN_LOOP_PCTS.length; pct++) {
        Histogram o = p.open[pct];
        j.append(pct == 0 ? " " : ",\n                   ");
        j.append("{ \"targetPctOfRawPeak\": ").append(OPEN_LOOP_PCTS[pct])
            .append(", \"rps\": ").append(num(achieved(p, pct), 1))
            .append(", \"p50Us\": ").append(num(us(o, 50), 1))
            .append(", \"p99Us\": ").append(num(us(o, 99), 1))
            .append(", \"p999Us\": ").append(num(us(o, 99.9), 1)).append(" }");
      }
      j.append(" ],\n");
      j.append("      \"cpuNsPerCall\": { \"client\": ").append(num(p.cpuClient / (double) p.cpuCalls, 1))
          .append(", \"server\": ").append(num(p.cpuServer / (double) p.cpuCalls, 1))
          .append(", \"sidecar\": ").append(num(p.cpuSidecar / (double) p.cpuCalls, 1)).append(" }\n");
      j.append("    }").append(i < paths.size() - 1 ? "," : "").append('\n');
    }
    j.append("  ]\n}\n");
    return j.toString();
  }

  // ---------------------------------------------------------------------------------------------- helpers

  private static Histogram histogram() {
    return new Histogram(HIGHEST_NANOS, 3);
  }

  private static double us(Histogram h, double percentile) {
    return h.getValueAtPercentile(percentile) / 1e3;
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    return n == 0 ? Double.NaN : n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  /** The median over rounds of {@code path[r] / raw[r]}. */
  private static double pairedMedian(double[] path, double[] raw) {
    double[] ratios = new double[path.length];
    for (int r = 0; r < path.length; r++) {
      ratios[r] = path[r] / raw[r];
    }
    return median(ratios);
  }

  private static String num(double v, int decimals) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return "null";
    }
    return String.format(Locale.ROOT, "%." + decimals + "f", v);
  }

  /** Collections and milliseconds spent in them so far, over this JVM's collectors. */
  private static long[] gc() {
    long[] r = new long[2];
    for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
      r[0] += Math.max(0, b.getCollectionCount());
      r[1] += Math.max(0, b.getCollectionTime());
    }
    return r;
  }

  private static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  private static long get(Future<Long> f) throws Exception {
    try {
      return f.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof Exception ex ? ex : e;
    }
  }
}
