package io.meshsdk.discovery.etcd;

import io.etcd.jetcd.Client;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real etcd (Debian's {@code etcd-server}) as a process on ephemeral loopback ports: one shared per test JVM
 * ({@link #shared()}), stopped at exit. Tests that kill it restart it at the same ports and data dir (or, to cut
 * clients off while it keeps serving, at another client port: {@link #restartOnOtherPort()}).
 */
final class EtcdServer {

  /** The message when etcd is not installed: the tests must fail, not be skipped. */
  static final String MISSING = "etcd is not installed (looked for the etcd.binary property, /usr/bin/etcd, PATH):"
      + " run scripts/test-all.sh, which installs Debian's etcd-server, or apt-get install etcd-server";

  private static EtcdServer shared;

  private final Path binary;
  private final Path dataDir;
  private final Path log;
  private final int peerPort;
  private final int clientPort;
  private int servingPort;
  private Process process;

  private EtcdServer(Path binary) throws IOException {
    this.binary = binary;
    this.dataDir = Files.createTempDirectory("mesh-etcd-test");
    this.log = dataDir.resolveSibling(dataDir.getFileName() + ".log");
    this.clientPort = freePort();
    this.peerPort = freePort();
    this.servingPort = clientPort;
  }

  /** The etcd shared by the tests of this JVM, started on first use. */
  static synchronized EtcdServer shared() {
    if (shared == null) {
      try {
        EtcdServer s = new EtcdServer(binary(System.getProperty("etcd.binary")));
        s.start(s.clientPort);
        Runtime.getRuntime().addShutdownHook(new Thread(s::stopQuietly, "etcd-test-stop"));
        shared = s;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return shared;
  }

  /** The etcd binary: {@code override}, else /usr/bin/etcd, else {@code etcd} on the PATH. */
  static Path binary(String override) {
    if (override != null) {
      Path p = Path.of(override);
      if (Files.isExecutable(p)) {
        return p;
      }
      throw new IllegalStateException(MISSING + " [etcd.binary=" + override + " is not executable]");
    }
    Path usr = Path.of("/usr/bin/etcd");
    if (Files.isExecutable(usr)) {
      return usr;
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        Path p = Path.of(dir, "etcd");
        if (Files.isExecutable(p)) {
          return p;
        }
      }
    }
    throw new IllegalStateException(MISSING);
  }

  /** The client URL of the configured port, e.g. {@code http://127.0.0.1:43219}. */
  String url() {
    return "http://127.0.0.1:" + clientPort;
  }

  /** {@code etcd://127.0.0.1:<port><prefix>}. */
  String uri(String prefix) {
    return "etcd://127.0.0.1:" + clientPort + prefix;
  }

  /** A config for {@code prefix} on the configured port (short timeouts for tests). */
  EtcdConfig config(String prefix, Duration leaseTtl) {
    return new EtcdConfig(List.of(URI.create(url())), prefix, Duration.ofSeconds(2), Duration.ofSeconds(2), null,
        null, leaseTtl, Duration.ofMillis(Math.max(100, leaseTtl.toMillis() / 3)));
  }

  /** A new client to whichever port etcd serves on now; the caller closes it. */
  Client adminClient() {
    return Client.builder().endpoints("http://127.0.0.1:" + servingPort).build();
  }

  /** Kills etcd (SIGKILL) and waits until it is gone. */
  synchronized void kill() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
      process = null;
    }
  }

  /** Starts etcd again at its port with its data (after {@link #kill}). */
  synchronized void restart() throws IOException, InterruptedException {
    kill();
    start(clientPort);
  }

  /**
   * Restarts etcd with its data on another client port, so that clients of {@link #url()} are cut off while
   * {@link #adminClient()} can still change things; {@link #restart()} puts it back.
   */
  synchronized void restartOnOtherPort() throws IOException, InterruptedException {
    kill();
    start(freePort());
  }

  private void start(int port) throws IOException {
    String peer = "http://127.0.0.1:" + peerPort;
    String client = "http://127.0.0.1:" + port;
    ProcessBuilder pb = new ProcessBuilder(binary.toString(), "--name", "t", "--data-dir", dataDir.toString(),
        "--listen-client-urls", client, "--advertise-client-urls", client, "--listen-peer-urls", peer,
        "--initial-advertise-peer-urls", peer, "--initial-cluster", "t=" + peer, "--initial-cluster-state", "new",
        "--log-level", "warn")
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    process = pb.start();
    servingPort = port;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("etcd exited with " + process.exitValue() + "; see " + log);
      }
      if (healthy(port)) {
        return;
      }
      try {
        process.waitFor(50, TimeUnit.MILLISECONDS); // poll the health endpoint every 50 ms
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while starting etcd", e);
      }
    }
    throw new IllegalStateException("etcd did not become healthy in 30 s; see " + log);
  }

  private static boolean healthy(int port) {
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/health").toURL()
          .openConnection();
      c.setConnectTimeout(500);
      c.setReadTimeout(1000);
      try {
        if (c.getResponseCode() != 200) {
          return false;
        }
        String body = new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return body.replace(" ", "").contains("\"health\":\"true\"");
      } finally {
        c.disconnect();
      }
    } catch (IOException e) {
      return false;
    }
  }

  private void stopQuietly() {
    try {
      kill();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> files = Files.walk(dataDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
