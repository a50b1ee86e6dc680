package io.meshsdk.core.discovery;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.common.ServiceNames;
import io.meshsdk.core.endpoint.Endpoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Discovery from a plain text file, re-read when it changes. No parser dependency.
 *
 * <p>Format: one endpoint per line, {@code <service> <host>:<port> [key=value ...]}; blank lines and lines
 * starting with {@code #} are ignored. Reserved keys: {@code id}, {@code weight}, {@code zone}, {@code secure}
 * ({@code true}/{@code false}); any other key becomes a label. IPv6 hosts are written in brackets. A file should
 * end with the line {@value #END_LINE}: it says the file is complete.
 *
 * <pre>
 * # service   address          attributes
 * inventory   10.0.0.1:8080    zone=eu-1a weight=3
 * inventory   10.0.0.2:8080    zone=eu-1b version=v2
 * pricing     [::1]:9090       secure=true id=pricing-a
 * end
 * </pre>
 *
 * <h2>Nothing is lost to a half-written file</h2>
 *
 * <p>An editor or a deployment tool that saves in place (truncate, then write) shows readers an empty file, then a
 * partial one. So removals are applied only from a <em>complete</em> file, one whose last line is
 * {@value #END_LINE}:
 *
 * <ul>
 *   <li>A complete file is applied as written: services and endpoints it no longer lists are removed, and a file
 *       holding nothing but {@value #END_LINE} means "no services".
 *   <li>A file without the {@value #END_LINE} line (empty, cut short, or written by an older tool) never removes
 *       anything: its new and changed endpoints are applied once the same content is read twice in a row (one poll
 *       interval apart, or two {@link #refresh()} calls), and what it leaves out is kept, with one warning per
 *       version of the file naming what was kept.
 *   <li>A malformed line keeps the previous endpoints too and logs one error naming the file, the line number and
 *       the problem (once per bad version of the file); when the file is first read the same error is thrown.
 *       Hosts are checked as OkHttp checks a URL host ({@code a@b}, {@code evil%host}, {@code [fe80::1%lo]} or a
 *       URL are refused); service names by {@link ServiceNames} (upper case is folded, a UTF-8 byte order mark is
 *       ignored, non-ASCII is refused).
 *   <li>A missing or unreadable file is reported to the watchers as an error, so the mesh keeps its
 *       last-known-good endpoints; a file that appears later is read then, and its services become mesh hosts.
 * </ul>
 *
 * <p>The poller survives every failure (it logs and polls again). Parsing is linear in the file's size.
 */
public final class FileServiceDiscovery extends AbstractServiceDiscovery {

  private static final Logger log = LoggerFactory.getLogger(FileServiceDiscovery.class);

  /** How often the file is checked for changes by default. */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(2);

  /** The last line of a complete file. */
  public static final String END_LINE = "end";

  private final Path file;
  private final Object readLock = new Object(); // serializes reads: the poller and callers of refresh()
  private final @Nullable ScheduledExecutorService poller;
  private @Nullable String applied; // the content last applied
  private @Nullable String badContent; // a malformed version already reported
  private @Nullable String pending; // an incomplete version read once, applied when read again unchanged
  private @Nullable String warnedHeld; // an incomplete version whose kept endpoints were already reported

  @SuppressWarnings("FutureReturnValueIgnored") // the task catches everything; close() stops the executor
  private FileServiceDiscovery(Path file, @Nullable Duration pollInterval) {
    super(true);
    this.file = requireNonNull(file, "file");
    firstRead();
    if (pollInterval == null) {
      this.poller = null;
    } else {
      this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mesh-file-discovery");
        t.setDaemon(true);
        return t;
      });
      long ms = pollInterval.toMillis();
      poller.scheduleWithFixedDelay(this::refresh, ms, ms, TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Reads {@code file} now and re-reads it every {@link #DEFAULT_POLL_INTERVAL}.
   *
   * @throws ConfigException if the file exists and has a malformed line (naming the file and the line)
   */
  public static FileServiceDiscovery watching(Path file) {
    return watching(file, DEFAULT_POLL_INTERVAL);
  }

  /**
   * Reads {@code file} now and re-reads it every {@code pollInterval}.
   *
   * @throws ConfigException if the file exists and has a malformed line (naming the file and the line)
   */
  public static FileServiceDiscovery watching(Path file, Duration pollInterval) {
    requireNonNull(pollInterval, "pollInterval");
    if (pollInterval.isNegative() || pollInterval.toMillis() < 1) {
      throw new ConfigException("discovery.file.poll-interval", pollInterval, "a duration of at least 1ms");
    }
    return new FileServiceDiscovery(file, pollInterval);
  }

  /**
   * Reads {@code file} now and only again when {@link #refresh()} is called.
   *
   * @throws ConfigException if the file exists and has a malformed line (naming the file and the line)
   */
  public static FileServiceDiscovery manual(Path file) {
    return new FileServiceDiscovery(file, null);
  }

  /** The file read. */
  public Path file() {
    return file;
  }

  @Override
  public String name() {
    return "file";
  }

  private void firstRead() {
    String content;
    try {
      content = read();
    } catch (IOException e) {
      fail(e);
      return;
    }
    Parsed parsed = parse(file, content); // a malformed file at start fails fast
    applied = content;
    replaceAll(parsed.services());
    if (!parsed.complete()) {
      log.info("discovery file {} has no '{}' line: endpoints it drops later will be kept until it has one", file,
          END_LINE);
    }
  }

  /**
   * Re-reads the file now and pushes changed services to their watchers. Called by the poller; operators and
   * tests may call it to apply a change at once (a file without the {@value #END_LINE} line needs two reads).
   * Never throws.
   */
  public void refresh() {
    synchronized (readLock) {
      try {
        refreshNow();
      } catch (RuntimeException | Error e) { // the poller must survive anything
        log.error("discovery file {}: unexpected failure while reading; will retry", file, e);
      }
    }
  }

  private void refreshNow() {
    String content;
    try {
      content = read();
    } catch (IOException e) {
      fail(e);
      return;
    }
    boolean recovering = failing();
    if (content.equals(applied)) {
      pending = null;
      if (recovering) { // back after an outage, as it was: serve it again, clearing the error
        Parsed same = parse(file, content);
        apply(content, same.complete() ? same.services() : keepDropped(content, same.services()), true);
      }
      return;
    }
    if (content.equals(badContent)) {
      return; // a bad version already reported: keep the previous endpoints
    }
    Parsed parsed;
    try {
      parsed = parse(file, content);
    } catch (ConfigException e) {
      badContent = content;
      pending = null;
      log.error("{}; keeping the previous endpoints until the file is fixed", e.getMessage());
      return;
    }
    badContent = null;
    if (parsed.complete() || applied == null) {
      apply(content, parsed.services(), recovering);
      return;
    }
    if (!content.equals(pending)) {
      pending = content; // incomplete: apply it only once it reads the same again
      return;
    }
    apply(content, keepDropped(content, parsed.services()), recovering);
  }

  private void apply(String content, Map<String, List<Endpoint>> services, boolean recovering) {
    applied = content;
    pending = null;
    if (recovering) {
      log.info("discovery file {} readable again: {} service(s)", file, services.size());
    }
    replaceAll(services);
  }

  /** {@code parsed} plus every endpoint currently served that it leaves out (an incomplete file removes nothing). */
  private Map<String, List<Endpoint>> keepDropped(String content, Map<String, List<Endpoint>> parsed) {
    Map<String, List<Endpoint>> merged = new LinkedHashMap<>(parsed);
    Set<String> kept = new TreeSet<>();
    for (String service : services()) {
      List<Endpoint> now = parsed.get(service);
      Set<String> ids = new HashSet<>();
      if (now != null) {
        now.forEach(e -> ids.add(e.id()));
      }
      List<Endpoint> out = now == null ? new ArrayList<>() : new ArrayList<>(now);
      for (Endpoint e : endpoints(service)) {
        if (!ids.contains(e.id())) {
          out.add(e);
          kept.add(service + "/" + e.id());
        }
      }
      merged.put(service, List.copyOf(out));
    }
    if (!kept.isEmpty() && !content.equals(warnedHeld)) {
      warnedHeld = content;
      log.warn("discovery file {} does not end with a '{}' line and leaves out {} endpoint(s) {}: keeping them"
          + " (an incomplete file removes nothing; end the file with '{}' to remove them)", file, END_LINE,
          kept.size(), kept.size() > 20 ? "(" + kept.size() + ")" : kept, END_LINE);
    }
    return merged;
  }

  private String read() throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new IOException("discovery file " + file + " does not exist", e);
    } catch (IOException | RuntimeException e) {
      throw new IOException("cannot read discovery file " + file + ": " + e, e);
    }
    try {
      String s = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
      return s.startsWith("\uFEFF") ? s.substring(1) : s; // a byte order mark is not part of the first name
    } catch (CharacterCodingException e) {
      throw new IOException("discovery file " + file + " is not UTF-8 text: " + e.getMessage(), e);
    }
  }

  private void fail(IOException error) {
    pending = null; // "applied" stays: an incomplete file after an outage must not remove what it left out
    if (reportError(error)) {
      log.error("{}; keeping the previous endpoints", error.getMessage());
    }
  }

  @Override
  public void close() {
    if (poller != null) {
      poller.shutdownNow();
    }
    super.close();
  }

  /** What a file holds: its services, and whether it ends with the {@value #END_LINE} line. */
  record Parsed(Map<String, List<Endpoint>> services, boolean complete) {}

  /**
   * Parses the file format described in the class Javadoc, in one pass (linear in the file's size).
   *
   * @throws ConfigException naming the file, the line number, the line and what is wrong
   */
  static Parsed parse(Path file, String content) {
    Map<String, List<Endpoint>> out = new LinkedHashMap<>();
    Map<String, Set<String>> ids = new HashMap<>();
    boolean complete = false;
    int lineNo = 0;
    int pos = 0;
    int n = content.length();
    while (pos <= n) {
      int nl = content.indexOf('\n', pos);
      int end = nl < 0 ? n : nl;
      String line = content.substring(pos, end).strip();
      pos = end + 1;
      lineNo++;
      if (line.isEmpty() || line.startsWith("#")) {
        if (nl < 0) {
          break;
        }
        continue;
      }
      if (complete) {
        throw malformed(file, lineNo, line, "nothing but comments after the '" + END_LINE + "' line");
      }
      if (line.equals(END_LINE)) {
        complete = true;
      } else {
        Endpoint e = parseLine(file, lineNo, line);
        Set<String> seen = ids.computeIfAbsent(e.service(), s -> new HashSet<>());
        if (!seen.add(e.id())) {
          throw malformed(file, lineNo, line, "one line per endpoint id; '" + e.id() + "' of " + e.service()
              + " is listed again");
        }
        out.computeIfAbsent(e.service(), s -> new ArrayList<>()).add(e);
      }
      if (nl < 0) {
        break;
      }
    }
    out.replaceAll((k, v) -> List.copyOf(v));
    return new Parsed(out, complete);
  }

  private static Endpoint parseLine(Path file, int lineNo, String line) {
    String[] parts = line.split("\\s+");
    if (parts.length < 2) {
      throw malformed(file, lineNo, line, "<service> <host>:<port> [key=value ...]");
    }
    String service;
    try {
      service = ServiceNames.canonical("service", parts[0]);
    } catch (ConfigException e) {
      throw malformed(file, lineNo, line, ServiceNames.EXPECTED + ", not '" + parts[0] + "'");
    }
    String address = parts[1];
    String host;
    String portText;
    if (address.startsWith("[")) {
      int close = address.indexOf(']');
      if (close < 0 || close + 1 >= address.length() || address.charAt(close + 1) != ':') {
        throw malformed(file, lineNo, line, "[ipv6]:port, not '" + address + "'");
      }
      host = address.substring(1, close);
      portText = address.substring(close + 2);
    } else {
      int colon = address.lastIndexOf(':');
      if (colon <= 0 || colon == address.length() - 1) {
        throw malformed(file, lineNo, line, "host:port, not '" + address + "'");
      }
      host = address.substring(0, colon);
      portText = address.substring(colon + 1);
    }
    int port;
    try {
      port = Integer.parseInt(portText);
    } catch (NumberFormatException e) {
      throw malformed(file, lineNo, line, "a port number, not '" + portText + "'");
    }
    Endpoint.Builder b = Endpoint.builder(service, host, port);
    Map<String, String> labels = new LinkedHashMap<>();
    for (int p = 2; p < parts.length; p++) {
      String kv = parts[p];
      int eq = kv.indexOf('=');
      if (eq <= 0 || eq == kv.length() - 1) {
        throw malformed(file, lineNo, line, "key=value, not '" + kv + "'");
      }
      String k = kv.substring(0, eq);
      String v = kv.substring(eq + 1);
      switch (k) {
        case "id" -> b.id(v);
        case "zone" -> b.zone(v);
        case "weight" -> {
          try {
            b.weight(Integer.parseInt(v));
          } catch (NumberFormatException e) {
            throw malformed(file, lineNo, line, "a number as weight, not '" + v + "'");
          }
        }
        case "secure" -> {
          if (!v.equals("true") && !v.equals("false")) {
            throw malformed(file, lineNo, line, "true or false as secure, not '" + v + "'");
          }
          b.secure(Boolean.parseBoolean(v));
        }
        default -> labels.put(k, v);
      }
    }
    try {
      return b.labels(labels).build();
    } catch (IllegalArgumentException ex) {
      String problem = ex instanceof ConfigException c ? c.expected() + " as " + c.key() + ", not '" + c.value() + "'"
          : String.valueOf(ex.getMessage());
      throw malformed(file, lineNo, line, problem);
    }
  }

  private static ConfigException malformed(Path file, int line, String text, String expected) {
    return new ConfigException("discovery file " + file + " line " + line, text, expected);
  }
}
