package io.meshsdk.discovery.dns;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * A real dnsmasq on 127.0.0.1 and an ephemeral port, started once per test run (kept in JUnit's root store, stopped
 * at the end), answering for the zone {@code test} only: names it does not hold are NXDOMAIN.
 *
 * <p>How tests change records: A/AAAA records of the hosts file ({@link #hosts}) are re-read on SIGHUP, without a
 * gap; SRV, TXT, CNAME and host records with their own TTL live in a config file ({@link #config}) that dnsmasq reads
 * only at start, so changing them restarts dnsmasq on the same port (queries in the ~10 ms gap fail, which watchers
 * see as a short resolver outage). Every query is logged ({@code --log-queries}) so tests can count them. The names
 * under {@code broken.test} are forwarded to a port nothing answers on: queries for them time out.
 */
final class Dnsmasq implements AutoCloseable {

  /** Registers the shared server with a test class: {@code @RegisterExtension static Dnsmasq.Extension dns}. */
  static final class Extension implements BeforeAllCallback {
    private volatile Dnsmasq server;

    @Override
    public void beforeAll(ExtensionContext context) {
      server = context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
          .computeIfAbsent(Dnsmasq.class.getName(), k -> Dnsmasq.start(), Dnsmasq.class);
    }

    Dnsmasq server() {
      return server;
    }
  }

  private static final Path BINARY = findBinary();

  private final Path dir;
  private final int port;
  private final Map<String, List<String>> config = new TreeMap<>();
  private final Map<String, List<String>> hosts = new TreeMap<>();
  private Process process;

  private Dnsmasq(Path dir, int port) {
    this.dir = dir;
    this.port = port;
  }

  static Dnsmasq start() {
    if (BINARY == null) {
      throw new IllegalStateException("dnsmasq is not installed: the DNS discovery tests need a real DNS server. Run"
          + " scripts/test-all.sh (it installs the Debian package dnsmasq-base), or apt-get install dnsmasq-base");
    }
    try {
      Path dir = Files.createTempDirectory("mesh-dnsmasq");
      Dnsmasq d = new Dnsmasq(dir, freePort());
      d.writeFiles();
      d.launch();
      return d;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path findBinary() {
    for (String candidate : new String[] {"/usr/sbin/dnsmasq", "/usr/bin/dnsmasq", "/sbin/dnsmasq"}) {
      Path p = Path.of(candidate);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String d : path.split(":")) {
        Path p = Path.of(d, "dnsmasq");
        if (Files.isExecutable(p)) {
          return p;
        }
      }
    }
    return null;
  }

  /** A port free for both UDP and TCP on 127.0.0.1 right now. */
  private static int freePort() throws IOException {
    for (int i = 0; i < 50; i++) {
      try (ServerSocket tcp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        int p = tcp.getLocalPort();
        try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), p))) {
          return p;
        } catch (IOException busy) {
          // try another
        }
      }
    }
    throw new IOException("no free loopback port for dnsmasq");
  }

  /** A loopback port nothing listens on (bound, then released). */
  static int deadPort() {
    try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      return udp.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  int port() {
    return port;
  }

  /** {@code dns://127.0.0.1:<port>}. */
  String uri() {
    return "dns://127.0.0.1:" + port;
  }

  InetSocketAddress address() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
  }

  /** Replaces the config lines of {@code group} (srv-host=, txt-record=, host-record=, cname=) and restarts. */
  synchronized void config(String group, List<String> lines) {
    if (lines.isEmpty()) {
      config.remove(group);
    } else {
      config.put(group, List.copyOf(lines));
    }
    restart();
  }

  /** Replaces the hosts-file lines of {@code group} ({@code <ip> <name>}) and makes dnsmasq re-read them. */
  synchronized void hosts(String group, List<String> lines) {
    if (lines.isEmpty()) {
      hosts.remove(group);
    } else {
      hosts.put(group, List.copyOf(lines));
    }
    writeFiles();
    Pattern reread = Pattern.compile(Pattern.quote("read " + dir.resolve("hosts") + " - "));
    long before = count(reread);
    try {
      new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).start().waitFor(5, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(() -> count(reread) > before);
  }

  /** Stops dnsmasq (queries then fail: port unreachable). */
  synchronized void stop() {
    if (process != null) {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process = null;
    }
  }

  /** Starts dnsmasq again on the same port with the current records. */
  synchronized void restart() {
    stop();
    writeFiles();
    launch();
  }

  boolean running() {
    return process != null && process.isAlive();
  }

  /** How many queries of {@code type} (A, AAAA, SRV, TXT) for {@code name} dnsmasq received so far. */
  long queries(String name, String type) {
    return count(Pattern.compile("query\\[" + Pattern.quote(type) + "\\] " + Pattern.quote(name) + " from "));
  }

  private long count(Pattern p) {
    try {
      Path log = dir.resolve("queries.log");
      if (!Files.exists(log)) {
        return 0;
      }
      try (var lines = Files.lines(log, StandardCharsets.UTF_8)) {
        return lines.filter(l -> p.matcher(l).find()).count();
      }
    } catch (IOException | UncheckedIOException e) {
      return 0;
    }
  }

  private void writeFiles() {
    try {
      StringBuilder conf = new StringBuilder();
      config.values().forEach(lines -> lines.forEach(l -> conf.append(l).append('\n')));
      write("records.conf", conf.toString());
      StringBuilder h = new StringBuilder();
      hosts.values().forEach(lines -> lines.forEach(l -> h.append(l).append('\n')));
      write("hosts", h.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void write(String name, String content) throws IOException {
    Path tmp = Files.createTempFile(dir, name, ".tmp");
    Files.writeString(tmp, content, StandardCharsets.UTF_8);
    Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private void launch() {
    List<String> cmd = new ArrayList<>(List.of(BINARY.toString(),
        "--keep-in-foreground", "--port=" + port, "--listen-address=127.0.0.1", "--bind-interfaces",
        "--no-resolv", "--no-hosts", "--local=/test/",
        "--server=/broken.test/127.0.0.1#" + deadPort(),
        "--addn-hosts=" + dir.resolve("hosts"), "--conf-file=" + dir.resolve("records.conf"),
        "--local-ttl=1", "--cache-size=0", "--pid-file=" + dir.resolve("dnsmasq.pid"),
        "--log-queries", "--log-facility=" + dir.resolve("queries.log")));
    if ("root".equals(System.getProperty("user.name"))) {
      cmd.add("--user=root"); // else dnsmasq drops to 'nobody', who cannot write the log in this directory
      cmd.add("--group=root");
    }
    try {
      process = new ProcessBuilder(cmd)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("dnsmasq.out").toFile()))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + BINARY, e);
    }
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(this::answers);
  }

  private boolean answers() throws IOException {
    if (!process.isAlive()) {
      throw new IllegalStateException("dnsmasq exited with " + process.exitValue() + ": "
          + Files.readString(dir.resolve("dnsmasq.out")));
    }
    try {
      SimpleResolver r = new SimpleResolver(address());
      r.setTimeout(Duration.ofMillis(500));
      Message m = r.send(Message.newQuery(Record.newRecord(Name.fromString("ready.test."), Type.A, DClass.IN)));
      return m.getRcode() == Rcode.NXDOMAIN || m.getRcode() == Rcode.NOERROR;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() {
    stop();
  }
}
