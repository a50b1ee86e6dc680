package io.meshsdk.benchmarks;

import io.meshsdk.core.Mesh;
import io.meshsdk.core.common.Ticker;
import io.meshsdk.core.config.MeshConfig;
import io.meshsdk.core.discovery.StaticServiceDiscovery;
import io.meshsdk.core.endpoint.Endpoint;
import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.endpoint.EndpointState;
import io.meshsdk.core.internal.directory.ServiceDirectory;
import io.meshsdk.core.internal.directory.TrackedEndpoint;
import io.meshsdk.core.loadbalancer.LoadBalancer;
import io.meshsdk.core.loadbalancer.LoadBalancerConfig;
import io.meshsdk.core.loadbalancer.LoadBalancerProvider;
import io.meshsdk.core.loadbalancer.LoadBalancers;
import io.meshsdk.core.loadbalancer.PickContext;
import io.meshsdk.core.loadbalancer.Picker;
import io.meshsdk.core.transport.AttemptRequest;
import io.meshsdk.core.transport.BodyCompletion;
import io.meshsdk.core.transport.TransportCall;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import okhttp3.HttpUrl;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;

/**
 * A full snapshot of one 10,000-endpoint service applied while calls keep picking from it on another thread.
 *
 * <p>One mesh, built as a user builds it ({@code StaticServiceDiscovery} with service {@code catalog} of 10,000
 * endpoints: own IP and port, zone, {@code version} label). The swapper (the main thread) calls
 * {@code StaticServiceDiscovery.set("catalog", list)} with a freshly built list (new {@link Endpoint} objects for
 * every endpoint, as a registry client decoding a response gives them) in which 10 % of the endpoints are new
 * (1,000 leave, 1,000 arrive): the backend's bookkeeping, the directory's apply (carry-over by id, new tracked
 * records) and the pipeline's picker rebuild all run on that thread before {@code set} returns. A caller thread
 * meanwhile makes mesh calls without pause ({@link Mesh#execute} with a transport that answers 204 at once: host
 * lookup, admission, the pick, URL rewrite, statistics, no I/O) and records every call's latency.
 *
 * <p>Why a main and not JMH: the swaps must be paced (a registry pushes a few times a second at most, not back
 * to back, which on 2 vCPUs would give the swapper a whole core) and every call recorded in two histograms in
 * the same run, "a swap window" vs "a quiet window", interleaved in rounds so both see the same machine drift;
 * and the end-to-end swap time needs timestamps taken on both threads (when {@code set} started, when the first
 * call used the new picker). JMH's {@code @Group} runs both threads flat out, and its sample mode keeps a sample of
 * the calls, not the exact maximum.
 *
 * <p>The service's policy is {@code swap-probe} ({@link ProbeProvider}, registered through {@code
 * META-INF/services}): least-request (the default, {@code -Dprobe.policy} to change it) wrapped to time each
 * {@code newPicker} and to stamp the first call that uses each new picker; its {@code pick} adds one field read.
 *
 * <pre>
 * java -Xms1g -Xmx1g -cp benchmarks/target/benchmarks.jar io.meshsdk.benchmarks.SnapshotSwap \
 *     [rounds=10] [swapsPerRound=25] [swapIntervalMs=40] [endpoints=10000] [changedPercent=10]
 * </pre>
 */
public final class SnapshotSwap {

  static final String SERVICE = "catalog";
  private static final long HIGHEST = TimeUnit.HOURS.toNanos(1);
  /** Bytes allocated by the swapper thread per measured {@code set()}. */
  private static final Histogram ALLOCATED = histogram();
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private SnapshotSwap() {}

  /** Runs warm-up, the interleaved rounds, then the directory alone; prints the tables. */
  public static void main(String[] args) throws Exception {
    int rounds = arg(args, 0, 10);
    int swapsPerRound = arg(args, 1, 25);
    int intervalMs = arg(args, 2, 40);
    int size = arg(args, 3, 10_000);
    int changedPercent = arg(args, 4, 10);
    int windowMs = swapsPerRound * intervalMs;

    StaticServiceDiscovery discovery = StaticServiceDiscovery.of(list(size, changedPercent, 0));
    Mesh mesh = Mesh.builder()
        .discovery(discovery)
        .config(MeshConfig.builder().service(SERVICE, s -> s.set("lb.policy", ProbeProvider.NAME)).build())
        .build();
    Caller caller = new Caller(mesh);
    Thread callerThread = new Thread(caller, "caller");
    callerThread.setDaemon(true);
    callerThread.start();
    caller.threadId = callerThread.getId();

    Histogram swapTotal = histogram();
    Histogram swapCpu = histogram();
    Histogram swapBuild = histogram();
    Histogram swapRest = histogram();
    Histogram swapFirstUse = histogram();
    long[] gcQuiet = new long[2];
    long[] gcSwap = new long[2];
    long quietNanos = 0;
    long swapNanos = 0;
    long inSetNanos = 0;
    int variant = 0;

    // warm-up: two rounds' worth of swaps and calls, not recorded
    caller.phase = Caller.DISCARD;
    for (int i = 0; i < 2 * swapsPerRound; i++) {
      swap(discovery, list(size, changedPercent, ++variant & 1), caller, null, null, null, null, null);
      sleepMillis(intervalMs);
    }

    for (int r = 0; r < rounds; r++) {
      caller.phase = Caller.DISCARD;
      List<List<Endpoint>> lists = new ArrayList<>(swapsPerRound);
      for (int i = 0; i < swapsPerRound; i++) {
        lists.add(list(size, changedPercent, ++variant & 1));
      }
      System.gc(); // both windows start from the same heap state
      sleepMillis(100);

      long[] gc0 = gc();
      long c0 = caller.cpuNanos();
      long t0 = System.nanoTime();
      caller.phase = Caller.QUIET;
      sleepMillis(windowMs);
      caller.phase = Caller.DISCARD;
      long t1 = System.nanoTime();
      long c1 = caller.cpuNanos();
      long[] gc1 = gc();
      caller.quietCpu += c1 - c0;
      quietNanos += t1 - t0;
      gcQuiet[0] += gc1[0] - gc0[0];
      gcQuiet[1] += gc1[1] - gc0[1];

      long s0 = System.nanoTime();
      caller.phase = Caller.SWAPPING;
      long next = s0;
      for (List<Endpoint> l : lists) {
        inSetNanos += swap(discovery, l, caller, swapTotal, swapCpu, swapBuild, swapRest, swapFirstUse);
        next += TimeUnit.MILLISECONDS.toNanos(intervalMs);
        LockSupport.parkNanos(next - System.nanoTime());
      }
      caller.phase = Caller.DISCARD;
      long s1 = System.nanoTime();
      caller.swapWindowCpu += caller.cpuNanos() - c1;
      long[] gc2 = gc();
      swapNanos += s1 - s0;
      gcSwap[0] += gc2[0] - gc1[0];
      gcSwap[1] += gc2[1] - gc1[1];
      lists.clear();
    }
    caller.stop = true;
    callerThread.join(5_000);

    // the same applies without the mesh, nothing else running: the backend alone (no watcher), the backend and a
    // ServiceDirectory (Entry.onEndpoints, no pipeline), and the tracked records the directory creates for the
    // endpoints that arrive (each parses its base URL)
    int n = 2 * swapsPerRound + rounds * swapsPerRound;
    Histogram backendAlone = histogram();
    StaticServiceDiscovery unwatched = StaticServiceDiscovery.of(list(size, changedPercent, 0));
    for (int i = 0; i < n; i++) {
      List<Endpoint> l = list(size, changedPercent, ++variant & 1);
      long a = System.nanoTime();
      unwatched.set(SERVICE, l);
      long b = System.nanoTime();
      if (i >= 2 * swapsPerRound) {
        record(backendAlone, b - a);
      }
    }
    unwatched.close();
    Histogram directoryAlone = histogram();
    StaticServiceDiscovery bare = StaticServiceDiscovery.of(list(size, changedPercent, 0));
    try (ServiceDirectory directory = new ServiceDirectory(bare, Ticker.SYSTEM)) {
      directory.watch(SERVICE);
      for (int i = 0; i < n; i++) {
        List<Endpoint> l = list(size, changedPercent, ++variant & 1);
        long a = System.nanoTime();
        bare.set(SERVICE, l);
        long b = System.nanoTime();
        if (i >= 2 * swapsPerRound) {
          record(directoryAlone, b - a);
        }
      }
      if (requireEntry(directory).snapshot().size() != size) {
        throw new IllegalStateException("directory did not apply the snapshots");
      }
    }
    bare.close();
    Histogram newRecords = histogram();
    int every = Math.max(1, 100 / Math.max(1, changedPercent));
    long sink = 0;
    for (int i = 0; i < n; i++) {
      List<Endpoint> l = list(size, changedPercent, ++variant & 1);
      long now = System.nanoTime();
      long a = System.nanoTime();
      for (int k = 0; k < l.size(); k += every) {
        sink += new TrackedEndpoint(l.get(k), now).baseUrl().port();
      }
      long b = System.nanoTime();
      if (i >= 2 * swapsPerRound) {
        record(newRecords, b - a);
      }
    }
    if (sink == 42) {
      System.out.println();
    }

    System.out.printf(Locale.ROOT, "%n%s, %s; %d CPUs; %,d endpoints, %d %% changed per swap; %d rounds x %d swaps,"
        + " one every %d ms; policy %s%n", System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"),
        Runtime.getRuntime().availableProcessors(), size, changedPercent, rounds, swapsPerRound, intervalMs,
        ProbeProvider.delegatePolicy());
    System.out.printf(Locale.ROOT, "%nswap, from set() until the new picker is in place (%d swaps), ms:%n",
        swapTotal.getTotalCount());
    System.out.printf(Locale.ROOT, "%-58s %8s %8s %8s %8s%n", "", "p50", "p99", "max", "mean");
    msRow("set() returns: new picker in place (end to end)", swapTotal);
    msRow("  set()'s CPU time on the swapper thread", swapCpu);
    msRow("  of which LoadBalancer.newPicker (wall)", swapBuild);
    msRow("  of which the rest (backend, directory, pipeline; wall)", swapRest);
    msRow("set() start -> first call served by the new picker", swapFirstUse);
    System.out.printf(Locale.ROOT, "%-58s %8.2f %8.2f %8.2f %8.2f%n", "set() allocates (MB, swapper thread)",
        ALLOCATED.getValueAtPercentile(50) / 1e6, ALLOCATED.getValueAtPercentile(99) / 1e6,
        ALLOCATED.getMaxValue() / 1e6, ALLOCATED.getMean() / 1e6);
    System.out.printf(Locale.ROOT, "the same apply without the mesh (%d swaps each, nothing else running), ms:%n",
        directoryAlone.getTotalCount());
    msRow("backend alone: StaticServiceDiscovery.set, no watcher", backendAlone);
    msRow("backend + ServiceDirectory (Entry.onEndpoints), no pipeline", directoryAlone);
    msRow("new TrackedEndpoint for the arriving endpoints only", newRecords);

    System.out.printf(Locale.ROOT, "%ncall latency on the caller thread (Mesh.execute, no I/O), ns:%n");
    System.out.printf(Locale.ROOT, "%-18s %12s %9s %7s %7s %8s %8s %9s %10s %6s %8s %7s%n", "window", "calls",
        "calls/s", "p50", "p99", "p99.9", "p99.99", "max", ">100us", "GCs", "GC ms", "on-CPU");
    callRow("quiet (no swaps)", caller.quiet, quietNanos, gcQuiet, caller.quietCpu);
    callRow("swap windows", caller.swapping, swapNanos - inSetNanos, gcSwap,
        caller.swapWindowCpu - caller.inSetCpu);
    callRow(" started in set()", caller.inSet, Math.max(1, inSetNanos), new long[2], caller.inSetCpu);
    System.out.printf(Locale.ROOT, "(\"swap windows\": the calls that started between swaps; \"started in set()\":"
        + " those that started while set() ran, calls/s over the time set() ran; GCs counted per window; on-CPU: the caller thread's CPU time over the"
        + " window's wall time)%n");

    mesh.close();
    discovery.close();
    bare.close();
  }

  private static ServiceDirectory.Entry requireEntry(ServiceDirectory d) {
    ServiceDirectory.Entry e = d.entry(SERVICE);
    if (e == null) {
      throw new IllegalStateException("not watched");
    }
    return e;
  }

  /**
   * One swap: {@code set()}, then checks that exactly one new picker was built before it returned, and waits
   * (at most 1 s) for the first call that uses it. While {@code set()} runs, the caller records into its
   * {@code inSet} histogram. Returns how long {@code set()} took.
   */
  private static long swap(StaticServiceDiscovery discovery, List<Endpoint> next, Caller caller,
      @Nullable Histogram total, @Nullable Histogram cpu, @Nullable Histogram build,
      @Nullable Histogram rest, @Nullable Histogram firstUse) {
    int generation = ProbeProvider.generation;
    int phase = caller.phase;
    caller.phase = phase == Caller.SWAPPING ? Caller.IN_SET : phase;
    long callerCpu0 = caller.cpuNanos();
    long cpu0 = THREADS.getCurrentThreadCpuTime();
    long bytes0 = THREADS.getCurrentThreadAllocatedBytes();
    long t0 = System.nanoTime();
    discovery.set(SERVICE, next);
    long t1 = System.nanoTime();
    long cpu1 = THREADS.getCurrentThreadCpuTime();
    long bytes1 = THREADS.getCurrentThreadAllocatedBytes();
    caller.phase = phase;
    if (phase == Caller.SWAPPING) {
      caller.inSetCpu += caller.cpuNanos() - callerCpu0;
    }
    ProbePicker p = ProbeProvider.latest;
    if (ProbeProvider.generation != generation + 1 || p == null || p.size != next.size()) {
      throw new IllegalStateException("set() returned without exactly one new picker over " + next.size()
          + " endpoints (generations " + generation + " -> " + ProbeProvider.generation + ")");
    }
    long deadline = t1 + TimeUnit.SECONDS.toNanos(1);
    while (p.firstUseNanos == 0 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    if (total != null && cpu != null && build != null && rest != null && firstUse != null) {
      record(total, t1 - t0);
      record(cpu, cpu1 - cpu0);
      record(ALLOCATED, bytes1 - bytes0);
      record(build, p.buildNanos);
      record(rest, t1 - t0 - p.buildNanos);
      if (p.firstUseNanos != 0) {
        record(firstUse, p.firstUseNanos - t0);
      }
    }
    return t1 - t0;
  }

  /**
   * {@code size} endpoints of {@link #SERVICE}, all new objects: {@code 10.0.x.y}, ports 8080-8099, zones a/b/c,
   * {@code version} v1 or v2 (10 %). In variant 1 the endpoints whose index is a multiple of {@code 100 /
   * changedPercent} are at {@code 10.1.x.y} instead: variants 0 and 1 differ by {@code changedPercent} %.
   */
  static List<Endpoint> list(int size, int changedPercent, int variant) {
    int every = Math.max(1, 100 / Math.max(1, changedPercent));
    List<Endpoint> out = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      int net = variant == 1 && i % every == 0 ? 1 : 0;
      out.add(Endpoint.builder(SERVICE, "10." + net + "." + (i >> 8 & 255) + "." + (i & 255), 8080 + i % 20)
          .zone(new String("zone-" + "abc".charAt(i % 3)))
          .labels(Map.of("version", i % 10 == 0 ? "v2" : "v1"))
          .build());
    }
    return out;
  }

  private static long[] gc() {
    long n = 0;
    long ms = 0;
    for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
      n += Math.max(0, b.getCollectionCount());
      ms += Math.max(0, b.getCollectionTime());
    }
    return new long[] {n, ms};
  }

  /** A histogram of nanoseconds or bytes, up to an hour's worth (or 3.6 TB) at 3 significant digits. */
  private static Histogram histogram() {
    return new Histogram(HIGHEST, 3);
  }

  /** Records {@code value}, clamped to the histogram's range; allocation-free. */
  private static void record(Histogram h, long value) {
    h.recordValue(Math.min(Math.max(0, value), HIGHEST));
  }

  /** How many values were above {@code value} (to the histogram's precision). */
  private static long countAbove(Histogram h, long value) {
    return h.getTotalCount() - h.getCountBetweenValues(0, value);
  }

  private static void msRow(String what, Histogram h) {
    System.out.printf(Locale.ROOT, "%-58s %8.2f %8.2f %8.2f %8.2f%n", what, h.getValueAtPercentile(50) / 1e6,
        h.getValueAtPercentile(99) / 1e6, h.getMaxValue() / 1e6, h.getMean() / 1e6);
  }

  private static void callRow(String what, Histogram h, long windowNanos, long[] gc, long callerCpu) {
    System.out.printf(Locale.ROOT, "%-18s %,12d %,9.0f %,7d %,7d %,8d %,8d %,9d %,10d %6d %8d %6.0f%%%n", what,
        h.getTotalCount(), h.getTotalCount() / (windowNanos / 1e9), h.getValueAtPercentile(50),
        h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getValueAtPercentile(99.99), h.getMaxValue(),
        countAbove(h, 100_000), gc[0], gc[1], 100.0 * callerCpu / windowNanos);
  }

  private static void sleepMillis(long ms) throws InterruptedException {
    Thread.sleep(ms);
  }

  private static int arg(String[] args, int i, int otherwise) {
    return args.length > i ? Integer.parseInt(args[i]) : otherwise;
  }

  /** Makes mesh calls without pause and records each one's latency in the histogram of the current window. */
  static final class Caller implements Runnable {
    static final int DISCARD = 0;
    static final int QUIET = 1;
    static final int SWAPPING = 2;
    static final int IN_SET = 3;

    final Histogram quiet = histogram();
    final Histogram swapping = histogram();
    final Histogram inSet = histogram();
    private final Histogram discarded = histogram();
    private final Mesh mesh;
    private final NoIoCall call = new NoIoCall();
    volatile int phase;
    volatile boolean stop;
    volatile long threadId = -1;
    // the caller thread's CPU time per window (main thread only)
    long quietCpu;
    long swapWindowCpu;
    long inSetCpu;

    Caller(Mesh mesh) {
      this.mesh = mesh;
    }

    long cpuNanos() {
      return THREADS.getThreadCpuTime(threadId);
    }

    @Override
    public void run() {
      while (!stop) {
        int ph = phase;
        Histogram h = ph == QUIET ? quiet : ph == SWAPPING ? swapping : ph == IN_SET ? inSet : discarded;
        long t0 = System.nanoTime();
        try {
          mesh.execute(call);
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
        record(h, System.nanoTime() - t0);
      }
    }
  }

  /** A GET to {@code http://catalog/items/42} whose every attempt gets a 204 at once (no body, no I/O). */
  static final class NoIoCall implements TransportCall<Integer> {
    private static final HttpUrl URL = HttpUrl.get("http://" + SERVICE + "/items/42");
    private static final Integer NO_CONTENT = 204;

    @Override
    public String method() {
      return "GET";
    }

    @Override
    public HttpUrl url() {
      return URL;
    }

    @Override
    public @Nullable String header(String name) {
      return null;
    }

    @Override
    public boolean hasBody() {
      return false;
    }

    @Override
    public boolean prepareReplay(long maxBytes) {
      return true;
    }

    @Override
    public boolean isCanceled() {
      return false;
    }

    @Override
    public void cancel() {}

    @Override
    public Integer passThrough() {
      return NO_CONTENT;
    }

    @Override
    public Integer send(AttemptRequest attempt) {
      return NO_CONTENT;
    }

    @Override
    public int status(Integer response) {
      return response;
    }

    @Override
    public @Nullable String responseHeader(Integer response, String name) {
      return null;
    }

    @Override
    public void discard(Integer response) {}

    @Override
    public Integer track(Integer response, BodyCompletion completion) {
      completion.bodyComplete();
      return response;
    }
  }

  /**
   * Policy {@value #NAME}: the policy named by {@code -Dprobe.policy} (default least-request), with each
   * {@code newPicker} timed and each picker's first use stamped. Registered in {@code META-INF/services}.
   */
  public static final class ProbeProvider implements LoadBalancerProvider {
    static final String NAME = "swap-probe";
    static volatile int generation;
    static volatile @Nullable ProbePicker latest;

    static String delegatePolicy() {
      return System.getProperty("probe.policy", LoadBalancerConfig.LEAST_REQUEST);
    }

    @Override
    public String name() {
      return NAME;
    }

    @Override
    public LoadBalancer newLoadBalancer(LoadBalancerConfig config, Ticker ticker) {
      LoadBalancer delegate = LoadBalancers.create(LoadBalancerConfig.builder()
          .policy(delegatePolicy())
          .slowStartWindow(config.slowStartWindow())
          .build(), ticker);
      return new LoadBalancer() {
        @Override
        @SuppressWarnings("NonAtomicVolatileUpdate") // one service: its control context builds one at a time
        public Picker newPicker(EndpointSet all, List<EndpointState> eligible) {
          long t0 = System.nanoTime();
          Picker built = delegate.newPicker(all, eligible);
          ProbePicker p = new ProbePicker(built, System.nanoTime() - t0, eligible.size());
          latest = p;
          generation = generation + 1;
          return p;
        }

        @Override
        public String name() {
          return NAME;
        }
      };
    }
  }

  /** The built picker, plus when it was first used. */
  static final class ProbePicker implements Picker {
    final Picker delegate;
    final long buildNanos;
    final int size;
    volatile long firstUseNanos;

    ProbePicker(Picker delegate, long buildNanos, int size) {
      this.delegate = delegate;
      this.buildNanos = buildNanos;
      this.size = size;
    }

    @Override
    public @Nullable EndpointState pick(PickContext ctx) {
      if (firstUseNanos == 0) {
        firstUseNanos = System.nanoTime();
      }
      return delegate.pick(ctx);
    }
  }
}
