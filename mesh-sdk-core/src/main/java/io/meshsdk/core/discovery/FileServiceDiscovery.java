package io.meshsdk.core.discovery;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.endpoint.Endpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * starting with {@code #} are ignored. Reserved keys: {@code id}, {@code weight}, {@code zone},
 * {@code secure} (true/false); any other key becomes a label. IPv6 hosts are written in brackets.
 *
 * <pre>
 * # service   address          attributes
 * inventory   10.0.0.1:8080    zone=eu-1a weight=3
 * inventory   10.0.0.2:8080    zone=eu-1b version=v2
 * pricing     [::1]:9090       secure=true id=pricing-a
 * </pre>
 *
 * <p>Safety: a file that fails to parse keeps the previous endpoints and logs one error naming the file and
 * the line (once per bad version of the file); a missing or unreadable file is reported to the watchers as
 * an error, so the directory keeps its last-known-good sets. A service that disappears from a well-formed
 * file is reported deleted.
 */
public final class FileServiceDiscovery extends FullListDiscovery {

  private static final Logger log = LoggerFactory.getLogger(FileServiceDiscovery.class);

  /** How often the file is checked for changes by default. */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(2);

  private final Path file;
  private final Object readLock = new Object(); // serializes refresh(): the poller and callers of refresh()
  private final @Nullable ScheduledExecutorService poller;
  private @Nullable String lastContent;
  private @Nullable String lastBadContent;

  private FileServiceDiscovery(Path file, @Nullable Duration pollInterval) {
    this.file = requireNonNull(file, "file");
    refresh();
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

  /** Reads {@code file} now and re-reads it every {@link #DEFAULT_POLL_INTERVAL}. */
  public static FileServiceDiscovery watching(Path file) {
    return watching(file, DEFAULT_POLL_INTERVAL);
  }

  /** Reads {@code file} now and re-reads it every {@code pollInterval}. */
  public static FileServiceDiscovery watching(Path file, Duration pollInterval) {
    requireNonNull(pollInterval, "pollInterval");
    if (pollInterval.isNegative() || pollInterval.isZero()) {
      throw new IllegalArgumentException("pollInterval: " + pollInterval + " (expected: > 0)");
    }
    return new FileServiceDiscovery(file, pollInterval);
  }

  /** Reads {@code file} now and only again when {@link #refresh()} is called. */
  public static FileServiceDiscovery manual(Path file) {
    return new FileServiceDiscovery(file, null);
  }

  /** The file read. */
  public Path file() {
    return file;
  }

  /**
   * Re-reads the file now and pushes changed services to their watchers. Called by the poller; tests and
   * operators may call it to apply a change at once.
   */
  public void refresh() {
    synchronized (readLock) {
      String content;
      try {
        content = Files.readString(file, StandardCharsets.UTF_8);
      } catch (NoSuchFileException e) {
        reportError(new IOException("discovery file " + file + " does not exist", e));
        return;
      } catch (IOException | RuntimeException e) {
        reportError(new IOException("cannot read discovery file " + file + ": " + e, e));
        return;
      }
      boolean recovering = failing();
      if ((content.equals(lastContent) && !recovering) || content.equals(lastBadContent)) {
        return; // unchanged, or a bad version already reported: keep the previous endpoints
      }
      Map<String, List<Endpoint>> parsed;
      try {
        parsed = parse(file, content);
      } catch (MalformedLineException e) {
        lastBadContent = content;
        log.error("{}; keeping the previous endpoints until the file is fixed", e.getMessage());
        return;
      }
      lastContent = content;
      lastBadContent = null;
      if (recovering) {
        log.info("discovery file {} readable again: {} service(s)", file, parsed.size());
      }
      replaceAll(parsed);
    }
  }

  private void reportError(IOException error) {
    lastContent = null;
    if (fail(error)) {
      log.error("{}; keeping the previous endpoints", error.getMessage());
    }
  }

  @Override
  public String name() {
    return "file";
  }

  @Override
  public void close() {
    if (poller != null) {
      poller.shutdownNow();
    }
    super.close();
  }

  /**
   * Parses the file format described in the class Javadoc.
   *
   * @throws MalformedLineException naming the file, the line number and what is wrong
   */
  static Map<String, List<Endpoint>> parse(Path file, String content) throws MalformedLineException {
    Map<String, List<Endpoint>> out = new LinkedHashMap<>();
    String[] lines = content.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int lineNo = i + 1;
      String[] parts = line.split("\\s+");
      if (parts.length < 2) {
        throw new MalformedLineException(file, lineNo, line, "expected: <service> <host>:<port> [key=value ...]");
      }
      String service = parts[0];
      String address = parts[1];
      String host;
      String portText;
      if (address.startsWith("[")) {
        int close = address.indexOf(']');
        if (close < 0 || close + 1 >= address.length() || address.charAt(close + 1) != ':') {
          throw new MalformedLineException(file, lineNo, line, "expected: [ipv6]:port, got '" + address + "'");
        }
        host = address.substring(1, close);
        portText = address.substring(close + 2);
      } else {
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
          throw new MalformedLineException(file, lineNo, line, "expected: host:port, got '" + address + "'");
        }
        host = address.substring(0, colon);
        portText = address.substring(colon + 1);
      }
      int port;
      try {
        port = Integer.parseInt(portText);
      } catch (NumberFormatException e) {
        throw new MalformedLineException(file, lineNo, line, "port '" + portText + "' is not a number");
      }
      Endpoint.Builder b = Endpoint.builder(service, host, port);
      Map<String, String> labels = new LinkedHashMap<>();
      for (int p = 2; p < parts.length; p++) {
        String kv = parts[p];
        int eq = kv.indexOf('=');
        if (eq <= 0 || eq == kv.length() - 1) {
          throw new MalformedLineException(file, lineNo, line, "expected key=value, got '" + kv + "'");
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
              throw new MalformedLineException(file, lineNo, line, "weight '" + v + "' is not a number");
            }
          }
          case "secure" -> {
            if (!v.equals("true") && !v.equals("false")) {
              throw new MalformedLineException(file, lineNo, line, "secure '" + v + "' is not true or false");
            }
            b.secure(Boolean.parseBoolean(v));
          }
          default -> labels.put(k, v);
        }
      }
      Endpoint e;
      try {
        e = b.labels(labels).build();
      } catch (IllegalArgumentException ex) {
        throw new MalformedLineException(file, lineNo, line, ex.getMessage());
      }
      List<Endpoint> list = out.computeIfAbsent(service, s -> new ArrayList<>());
      for (Endpoint other : list) {
        if (other.id().equals(e.id())) {
          throw new MalformedLineException(file, lineNo, line, "duplicate endpoint id '" + e.id() + "' for " + service);
        }
      }
      list.add(e);
    }
    out.replaceAll((k, v) -> List.copyOf(v));
    return out;
  }

  /** A line of the discovery file that cannot be read. */
  static final class MalformedLineException extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedLineException(Path file, int line, String text, String problem) {
      super("discovery file " + file + " line " + line + " is malformed (" + problem + "): " + text);
    }
  }
}
