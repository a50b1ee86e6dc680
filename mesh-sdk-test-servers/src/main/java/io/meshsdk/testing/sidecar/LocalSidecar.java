package io.meshsdk.testing.sidecar;

import static java.util.Objects.requireNonNull;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real sidecar proxy process on 127.0.0.1: an outbound listener on a free loopback port that routes each
 * request by its Host header (port and case ignored) to the backends of that host, round robin, plus a ready
 * path ({@value #READY_PATH}) that answers 200. It also accepts absolute-form requests, so it serves as a
 * forward proxy for the {@code http-proxy} handoff style. It does not retry failed responses, and it adds
 * {@value #VIA_HEADER}{@code : <name>} to every proxied response.
 *
 * <pre>{@code
 * try (LocalSidecar sidecar = LocalSidecar.haproxy()
 *     .route("inventory", "127.0.0.1:" + backend.port())
 *     .start()) {
 *   // send "Host: inventory" to 127.0.0.1:sidecar.port()
 *   sidecar.kill();     // SIGKILL, as a crash
 *   sidecar.restart();  // same port, same config
 *   sidecar.reload();   // hot reload: haproxy -sf <old pid>, nginx -s reload (needs nginxWithMaster())
 * }
 * }</pre>
 *
 * <p>{@link #reservePort()} picks the port before the process exists, so that an application can be configured
 * for a sidecar that starts later (the start race).
 *
 * <p>The binary must be installed ({@code apt-get install haproxy} / {@code nginx}); if it is missing,
 * {@link #start()} fails with a message naming the Debian package. Every file lives in a temp directory that
 * {@link #close()} deletes; the process is stopped by its own PID.
 */
public abstract class LocalSidecar implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LocalSidecar.class);

  /** A response header the sidecar adds ({@code x-via-sidecar: haproxy|nginx}), so tests see the path. */
  public static final String VIA_HEADER = "x-via-sidecar";

  /** The path that answers 200 while the sidecar runs. */
  public static final String READY_PATH = "/ready";

  private final Map<String, List<String>> routes = new LinkedHashMap<>();
  /** Per host: {status, percent} of requests answered by the sidecar itself (fault injection). */
  final Map<String, int[]> faults = new LinkedHashMap<>();
  /** HAProxy: Host to a backend given in {@link #extraConfig}. */
  private final Map<String, String> namedBackends = new LinkedHashMap<>();
  private final StringBuilder extra = new StringBuilder();
  /** Processes a hot reload replaced, still finishing their connections: stopped with the sidecar. */
  private final List<Process> retired = new ArrayList<>();
  private @Nullable Path runDir;
  private int port;
  private boolean portReserved;
  /** The processes serving before the last reload (old HAProxy, old nginx workers). */
  private List<ProcessHandle> beforeReload = List.of();
  private @Nullable Process process;

  LocalSidecar() {}

  /** An HAProxy sidecar (Debian package {@code haproxy}). */
  public static LocalSidecar haproxy() {
    return new HaproxySidecar();
  }

  /** An nginx sidecar (Debian package {@code nginx}), one process. */
  public static LocalSidecar nginx() {
    return new NginxSidecar(false);
  }

  /**
   * An nginx sidecar with a master process and one worker, as deployed: {@link #reload()} sends
   * {@code nginx -s reload}; {@link #kill()} kills the master and its worker.
   */
  public static LocalSidecar nginxWithMaster() {
    return new NginxSidecar(true);
  }

  /** The first installed of HAProxy and nginx, or {@code null} when neither is (e.g. to show the fallback). */
  public static @Nullable LocalSidecar firstInstalled() {
    for (LocalSidecar s : List.of(haproxy(), nginx())) {
      if (s.binary() != null) {
        return s;
      }
    }
    return null;
  }

  /** The proxy's name, e.g. {@code haproxy}. */
  public abstract String name();

  /** The Debian package that provides the binary. */
  public abstract String debianPackage();

  abstract String executable();

  abstract String config(Path runDir, int port, Map<String, List<String>> routes);

  abstract List<String> command(String binary, Path runDir, Path config);

  /**
   * Reloads the running {@code current} process with the rewritten {@code config}: returns the process that serves
   * from now on ({@code current} itself when the proxy reloads in place).
   */
  abstract Process reload(String binary, Path runDir, Path config, Process current) throws IOException;

  /** Routes requests whose Host is {@code host} to {@code backends} ({@code host:port} each). Before start. */
  public LocalSidecar route(String host, String... backends) {
    requireNonNull(host, "host");
    if (backends.length == 0) {
      throw new IllegalArgumentException("backends: [] (expected: at least one host:port)");
    }
    routes.put(host.toLowerCase(java.util.Locale.ROOT), List.of(backends));
    return this;
  }

  /**
   * Adds configuration text of your own, e.g. a generated backend or upstream: at the end of nginx's {@code http} block
   * (after the generated server, which stays the default one; a {@code server} there with a {@code server_name} takes the requests for that
   * name), after HAProxy's generated sections. Before start (or before a {@link #reload()}).
   */
  public LocalSidecar extraConfig(String text) {
    extra.append(requireNonNull(text, "text")).append('\n');
    return this;
  }

  /**
   * HAProxy: requests whose Host is {@code host} go to {@code backend}, a section given with {@link #extraConfig}.
   * nginx routes by the {@code server_name} of a {@code server} block instead, so this is an HAProxy setting only.
   */
  public LocalSidecar backendFor(String host, String backend) {
    namedBackends.put(requireNonNull(host, "host").toLowerCase(java.util.Locale.ROOT),
        requireNonNull(backend, "backend"));
    return this;
  }

  /** The text given with {@link #extraConfig}. */
  String extraConfig() {
    return extra.toString();
  }

  /** The Host-to-backend choices given with {@link #backendFor}. */
  Map<String, String> namedBackends() {
    return namedBackends;
  }

  /** Routes {@code host} to loopback {@code ports}. */
  public LocalSidecar routeToPorts(String host, int... ports) {
    String[] b = new String[ports.length];
    for (int i = 0; i < ports.length; i++) {
      b[i] = "127.0.0.1:" + ports[i];
    }
    return route(host, b);
  }

  /**
   * Picks the loopback port the sidecar will listen on before it starts (the application can be configured for a
   * sidecar that does not exist yet); {@link #start()} then binds exactly that port.
   *
   * @return the port
   */
  public int reservePort() {
    if (process != null) {
      throw new IllegalStateException(name() + " sidecar already started on port " + port);
    }
    if (!portReserved) {
      port = freePort();
      portReserved = true;
    }
    return port;
  }

  /**
   * Hot reload under load, as operators do it: the config is written again (with the routes as they are now) and
   * HAProxy is started anew with {@code -sf <old pid>} (the old process stops listening and finishes its
   * connections), nginx gets {@code nginx -s reload} (needs {@link #nginxWithMaster()}). Returns once the ready
   * path answers.
   */
  public LocalSidecar reload() {
    Path dir = runDir;
    Process p = process;
    if (dir == null || p == null) {
      throw new IllegalStateException(name() + " sidecar is not running");
    }
    String bin = requireNonNull(binary());
    Path cfg = dir.resolve(name() + ".conf");
    List<ProcessHandle> old = new ArrayList<>(p.descendants().toList());
    old.add(p.toHandle());
    try {
      Files.writeString(cfg, config(dir, port, routes), StandardCharsets.UTF_8);
      Process next = reload(bin, dir, cfg, p);
      if (next == p) {
        old.remove(p.toHandle()); // nginx: the master stays, its old worker goes
      }
      beforeReload = old;
      if (next != p) {
        synchronized (retired) {
          retired.add(p);
        }
        process = next;
        reap(next);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (ready()) {
        log.info("{} sidecar reloaded on 127.0.0.1:{} (pid {}), routes {}", name(), port, pid(), routes);
        return this;
      }
      try {
        requireNonNull(process).waitFor(20, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    throw new IllegalStateException(name() + " did not answer on its ready path within 10 s after a reload");
  }

  /**
   * Waits until every process that served before the last {@link #reload()} has exited (they finish their
   * connections first), at most {@code timeout}: from then on every connection meets the new config.
   *
   * @return whether they all exited in time
   */
  public boolean awaitReloadDone(java.time.Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (ProcessHandle h : beforeReload) {
      try {
        h.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        return false;
      } catch (java.util.concurrent.ExecutionException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  /**
   * Fault injection on the sidecar path: the sidecar itself answers {@code status} to about {@code percent} % of the
   * requests for {@code host}, chosen at random per request (HAProxy: {@code http-request return status <status> if
   * { rand(100) lt <percent> }}); {@code percent} 0 removes it. Applied by {@link #reload()} or a start. HAProxy only.
   *
   * @throws UnsupportedOperationException for nginx
   */
  public LocalSidecar injectStatus(String host, int status, int percent) {
    requireNonNull(host, "host");
    if (!(this instanceof HaproxySidecar)) {
      throw new UnsupportedOperationException(name() + ": fault injection is implemented for HAProxy only");
    }
    if (status < 200 || status > 599 || percent < 0 || percent > 100) {
      throw new IllegalArgumentException("status " + status + ", percent " + percent
          + " (expected: a status 200-599 and a percent 0-100)");
    }
    String h = host.toLowerCase(java.util.Locale.ROOT);
    synchronized (faults) {
      if (percent == 0) {
        faults.remove(h);
      } else {
        faults.put(h, new int[] {status, percent});
      }
    }
    return this;
  }

  /** Removes the route of {@code host} (applied by {@link #reload()} or a start). */
  public LocalSidecar removeRoute(String host) {
    routes.remove(requireNonNull(host, "host").toLowerCase(java.util.Locale.ROOT));
    return this;
  }

  /** The absolute path of the installed binary, or {@code null}. */
  public @Nullable String binary() {
    for (String dir : List.of("/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin")) {
      File f = new File(dir, executable());
      if (f.canExecute()) {
        return f.getAbsolutePath();
      }
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        File f = new File(dir, executable());
        if (f.canExecute()) {
          return f.getAbsolutePath();
        }
      }
    }
    return null;
  }

  /** Writes the config, starts the process on a free loopback port and waits until the ready path answers. */
  public LocalSidecar start() {
    if (process != null) {
      throw new IllegalStateException(name() + " sidecar already started on port " + port);
    }
    if (binary() == null) {
      throw new IllegalStateException(name() + " is not installed: the sidecar tests need a real " + name()
          + "; install it with `apt-get install -y " + debianPackage() + "` (CI does)");
    }
    try {
      runDir = Files.createTempDirectory("mesh-" + name() + "-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (portReserved) {
      launch();
      return this;
    }
    IllegalStateException last = null;
    for (int i = 0; i < 3; i++) { // a port picked free may be taken by the time the proxy binds it
      port = freePort();
      try {
        launch();
        return this;
      } catch (IllegalStateException e) {
        last = e;
      }
    }
    throw requireNonNull(last);
  }

  /** Kills the process with SIGKILL, like a crash; {@link #restart()} brings it back on the same port. */
  public LocalSidecar kill() {
    synchronized (retired) {
      for (Process r : retired) {
        killTree(r);
      }
      retired.clear();
    }
    Process p = process;
    if (p != null) {
      killTree(p);
      process = null;
    }
    return this;
  }

  /**
   * SIGKILLs {@code p} and every process under it: the process first, then its children as they were just before.
   * The other order races with a master process (nginx) that forks a replacement for a worker killed under it; the
   * replacement, orphaned when the master dies, would keep the port and serve on.
   */
  private static void killTree(Process p) {
    List<ProcessHandle> children = p.descendants().toList();
    p.destroyForcibly();
    waitForExit(p);
    for (ProcessHandle c : children) {
      c.destroyForcibly();
    }
    for (ProcessHandle c : children) {
      c.onExit().orTimeout(5, TimeUnit.SECONDS).exceptionally(t -> c).join();
    }
  }

  /** Starts the process again on the same port with the same config and waits until it is ready. */
  public LocalSidecar restart() {
    if (runDir == null) {
      throw new IllegalStateException(name() + " sidecar was never started");
    }
    kill();
    launch();
    return this;
  }

  /** Whether the process is running. */
  public boolean isRunning() {
    Process p = process;
    return p != null && p.isAlive();
  }

  /** The outbound listener's port. */
  public int port() {
    return port;
  }

  /** {@code 127.0.0.1}. */
  public String host() {
    return "127.0.0.1";
  }

  /** {@code http://127.0.0.1:<port>/ready}. */
  public String readyUrl() {
    return "http://127.0.0.1:" + port + READY_PATH;
  }

  /** The process's PID, or -1 when it is not running. */
  public long pid() {
    Process p = process;
    return p == null ? -1 : p.pid();
  }

  /** Stops the process (SIGTERM, then SIGKILL) and deletes its files. */
  @Override
  public void close() {
    synchronized (retired) {
      for (Process r : retired) {
        killTree(r);
      }
      retired.clear();
    }
    Process p = process;
    if (p != null) {
      p.destroy();
      try {
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          waitForExit(p);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
      process = null;
    }
    Path dir = runDir;
    if (dir != null) {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      } catch (IOException e) {
        log.debug("cannot delete {}", dir, e);
      }
      runDir = null;
    }
  }

  private void launch() {
    Path dir = requireNonNull(runDir);
    String bin = requireNonNull(binary());
    Path cfg = dir.resolve(name() + ".conf");
    Path out = dir.resolve(name() + ".out");
    try {
      Files.writeString(cfg, config(dir, port, routes), StandardCharsets.UTF_8);
      process = new ProcessBuilder(command(bin, dir, cfg))
          .directory(dir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
          .start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + bin, e);
    }
    Process p = requireNonNull(process);
    reap(p);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    try {
      while (System.nanoTime() < deadline) {
        if (ready()) {
          log.info("{} sidecar ready on 127.0.0.1:{} (pid {}), routes {}", name(), port, p.pid(), routes);
          return;
        }
        if (p.waitFor(20, TimeUnit.MILLISECONDS)) { // waits for an early exit, e.g. port taken
          break;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    p.destroyForcibly();
    waitForExit(p);
    process = null;
    String output;
    try {
      output = Files.exists(out) ? Files.readString(out) : "";
    } catch (IOException e) {
      output = e.toString();
    }
    throw new IllegalStateException(name() + " did not become ready on 127.0.0.1:" + port + " within 10 s"
        + " (exit " + (p.isAlive() ? "none" : p.exitValue()) + "); output:\n" + output);
  }

  /** A JVM that dies without close() (a crashed test run) must not leave the proxy listening behind it. */
  private void reap(Process p) {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }, name() + "-sidecar-reaper-" + p.pid()));
  }

  /** Whether the ready path answers 200 now. */
  public boolean ready() {
    try {
      HttpURLConnection c = (HttpURLConnection) new URL(readyUrl()).openConnection(Proxy.NO_PROXY);
      c.setConnectTimeout(200);
      c.setReadTimeout(500);
      try {
        return c.getResponseCode() == 200;
      } finally {
        c.disconnect();
      }
    } catch (IOException e) {
      return false;
    }
  }

  private static void waitForExit(Process p) {
    try {
      p.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String safeName(String host) {
    return host.replaceAll("[^a-z0-9]", "_");
  }

  static List<String> list(String... parts) {
    return new ArrayList<>(List.of(parts));
  }

  @Override
  public String toString() {
    return name() + "@127.0.0.1:" + port + (isRunning() ? " running" : " stopped") + " " + routes;
  }
}
