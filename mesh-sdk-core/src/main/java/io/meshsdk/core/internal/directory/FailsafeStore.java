package io.meshsdk.core.internal.directory;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.ServiceNames;
import io.meshsdk.core.endpoint.Endpoint;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.CRC32;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each service's last-known-good endpoints on local disk, one file per service, so that a mesh that starts while its
 * registry is down can still route (DESIGN §3, the failsafe file).
 *
 * <p>Writes happen off the discovery thread, on one writer thread, coalesced per service (only the newest set is
 * written), each to a temporary file in the same directory that is then renamed over the old one, so a reader sees
 * the old file or the new one, never a mix. A file carries its length and a CRC-32 in its last line: a truncated,
 * edited or otherwise damaged file is refused on read with one WARN naming the file and the problem, and the mesh
 * goes on without it.
 *
 * <p>Format (UTF-8 text; values are URL-encoded, so any label survives):
 *
 * <pre>
 * mesh-failsafe 1
 * service inventory
 * written-at 2026-12-02T10:00:00Z
 * endpoint id=10.0.0.1%3A8080 host=10.0.0.1 port=8080 secure=false weight=1 zone=eu-1a label.version=v2
 * end 1 3735928559
 * </pre>
 *
 * The last line gives the number of endpoints and the CRC-32 of every byte before it.
 */
public final class FailsafeStore implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(FailsafeStore.class);
  private static final String MAGIC = "mesh-failsafe 1";
  private static final String SUFFIX = ".endpoints";
  /** The longest file name most file systems take (NAME_MAX); a service name can be 253 characters. */
  private static final int MAX_FILE_NAME = 255;
  /** Characters of a too-long service name kept in its file name, before '~' and a hash of the whole name. */
  private static final int LONG_NAME_PREFIX = 200;
  /** A file larger than this is refused unread (a 100,000-endpoint service is far below it). */
  static final long MAX_FILE_BYTES = 64L * 1024 * 1024;

  private final Path dir;
  private final ConcurrentHashMap<String, List<Endpoint>> pending = new ConcurrentHashMap<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  /** Names this store's temporary files apart from those of another store (or process) on the same directory. */
  private final String tmpToken = Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong());
  private long tmpCounter;
  private final ExecutorService writer;
  private volatile boolean failing;

  /** What a file held: the endpoints and when they were written. */
  public record Loaded(List<Endpoint> endpoints, Instant writtenAt) {}

  /**
   * A store in {@code dir}, created if missing.
   *
   * @throws IllegalArgumentException naming the directory and the reason when it cannot be created or written
   */
  public FailsafeStore(Path dir) {
    this.dir = requireNonNull(dir, "dir").toAbsolutePath();
    try {
      Files.createDirectories(this.dir);
    } catch (IOException e) {
      throw new IllegalArgumentException("failsafe directory " + this.dir + " cannot be created: " + e, e);
    }
    if (!Files.isDirectory(this.dir) || !Files.isWritable(this.dir)) {
      throw new IllegalArgumentException("failsafe directory " + this.dir + " is not a writable directory");
    }
    removeStaleTemporaryFiles();
    this.writer = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "mesh-failsafe-writer");
      t.setDaemon(true);
      return t;
    });
  }

  /** Temporary files a crashed writer left (older than ten minutes: a live writer's take milliseconds). */
  private void removeStaleTemporaryFiles() {
    long before = System.currentTimeMillis() - 600_000;
    try (java.util.stream.Stream<Path> files = Files.list(dir)) {
      files.filter(p -> {
        String n = p.getFileName().toString();
        return n.startsWith(".failsafe-") && n.endsWith(".tmp");
      }).forEach(p -> {
        try {
          if (Files.getLastModifiedTime(p).toMillis() < before) {
            Files.deleteIfExists(p);
          }
        } catch (IOException ignored) {
          // another process removed or holds it: left as is
        }
      });
    } catch (IOException | RuntimeException e) {
      log.warn("failsafe directory {} cannot be listed: {}", dir, e.toString());
    }
  }

  /** The directory. */
  public Path directory() {
    return dir;
  }

  /**
   * The file of {@code service}: its canonical name plus a suffix. A service name (ASCII letters, digits, '-', '_',
   * '.', starting and ending with a letter or digit) cannot leave the directory or name a hidden file. A name too
   * long for a file name is cut, and '~' (which no service name has) and a hash of the whole name are added.
   */
  public Path fileOf(String service) {
    String name = ServiceNames.canonical("service", service);
    if (name.length() + SUFFIX.length() <= MAX_FILE_NAME) {
      return dir.resolve(name + SUFFIX);
    }
    byte[] hash;
    try {
      hash = java.security.MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.US_ASCII));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e); // every JDK has it
    }
    return dir.resolve(name.substring(0, LONG_NAME_PREFIX) + "~"
        + java.util.HexFormat.of().formatHex(hash, 0, 8) + SUFFIX);
  }

  /**
   * The services that have a file here (names that are not valid service names are skipped), so that a mesh that
   * starts with its registry down routes them before the registry can list them. Never throws.
   */
  public java.util.Set<String> services() {
    java.util.Set<String> out = new java.util.TreeSet<>();
    try (java.util.stream.Stream<Path> files = Files.list(dir)) {
      files.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(SUFFIX) && !n.startsWith("."))
          .map(n -> n.substring(0, n.length() - SUFFIX.length()))
          .forEach(n -> {
            String name = n.indexOf('~') > 0 ? serviceLine(dir.resolve(n + SUFFIX)) : n;
            if (name != null && name.equals(ServiceNames.canonicalOrNull(name))
                && fileOf(name).getFileName().toString().equals(n + SUFFIX)) {
              out.add(name);
            }
          });
    } catch (IOException | RuntimeException e) {
      log.warn("failsafe directory {} cannot be listed: {}", dir, e.toString());
    }
    return out;
  }

  /** The service a (long-named) file says it is for, from its second line; {@code null} if unreadable. */
  private static @Nullable String serviceLine(Path file) {
    try (java.io.BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String magic = r.readLine();
      String service = r.readLine();
      return MAGIC.equals(magic) && service != null && service.startsWith("service ")
          ? service.substring("service ".length()) : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** Records {@code endpoints} (non-empty) as the service's last-known-good set; written soon, off this thread. */
  public void save(String service, List<Endpoint> endpoints) {
    String name = ServiceNames.canonicalOrNull(service);
    if (endpoints.isEmpty() || name == null) {
      return;
    }
    List<Endpoint> kept = storable(name, endpoints);
    if (kept.isEmpty()) {
      return;
    }
    pending.put(name, kept);
    if (scheduled.compareAndSet(false, true)) {
      try {
        writer.execute(this::drain);
      } catch (java.util.concurrent.RejectedExecutionException closed) {
        scheduled.set(false);
      }
    }
  }

  /** Waits until every save so far is on disk (for tests and for close). */
  public void flush() {
    try {
      writer.submit(() -> { }).get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closed: nothing more is written
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      log.warn("failsafe directory {}: flush did not complete: {}", dir, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void drain() {
    scheduled.set(false);
    for (String service : List.copyOf(pending.keySet())) {
      List<Endpoint> endpoints = pending.remove(service);
      if (endpoints != null) {
        write(service, endpoints);
      }
    }
  }

  private void write(String service, List<Endpoint> endpoints) {
    Path target = fileOf(service);
    // a name of its own: two meshes (or processes) sharing the directory must not write into each other's file;
    // short, so that it fits wherever the target's name does
    tmpCounter++;
    Path tmp = dir.resolve(".failsafe-" + tmpToken + "-" + tmpCounter + ".tmp");
    byte[] bytes = format(service, endpoints, Instant.now()).getBytes(StandardCharsets.UTF_8);
    try {
      if (!Files.isDirectory(dir)) { // deleted while the mesh runs (a tmp cleaner, an operator): made again
        Files.createDirectories(dir);
      }
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      if (failing) {
        failing = false;
        log.info("failsafe directory {}: writing works again", dir);
      }
    } catch (IOException | RuntimeException e) {
      if (!failing) {
        failing = true;
        log.warn("failsafe directory {}: cannot write {} ({}); the mesh goes on without it", dir, target,
            e.toString());
      }
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // best effort
      }
    }
  }

  /**
   * Reads the file of {@code service}: {@code null} when there is none, or when it is damaged (one WARN naming the
   * file and the problem). Never throws.
   */
  public @Nullable Loaded load(String service) {
    Path file;
    try {
      file = fileOf(service);
    } catch (IllegalArgumentException e) {
      return null;
    }
    try {
      long size = Files.size(file);
      if (size > MAX_FILE_BYTES) {
        log.warn("failsafe file {} ignored: {} bytes is more than the {} a failsafe file can have", file, size,
            MAX_FILE_BYTES);
        return null;
      }
      return parse(service, Files.readString(file, StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      log.warn("failsafe file {} ignored: cannot be read ({})", file, e.toString());
      return null;
    } catch (Corrupt e) {
      log.warn("failsafe file {} ignored: {}", file, e.getMessage());
      return null;
    }
  }

  @Override
  public void close() {
    flush();
    writer.shutdown();
  }

  /**
   * The endpoints that can be written and read back as they are: text with a lone surrogate (not well-formed
   * UTF-16) would come back as '?', a different endpoint, so such an endpoint is left out, with a warning.
   */
  private static List<Endpoint> storable(String service, List<Endpoint> endpoints) {
    List<Endpoint> kept = new ArrayList<>(endpoints.size());
    for (Endpoint e : endpoints) {
      if (storable(e)) {
        kept.add(e);
      }
    }
    if (kept.size() < endpoints.size()) {
      log.warn("failsafe: {} endpoint(s) of service '{}' not written: their id, host, zone or labels hold a lone"
          + " surrogate, which would not read back as written", endpoints.size() - kept.size(), service);
    }
    return List.copyOf(kept);
  }

  private static boolean storable(Endpoint e) {
    if (!wellFormed(e.id()) || !wellFormed(e.host()) || !wellFormed(e.zone())) {
      return false;
    }
    for (Map.Entry<String, String> l : e.labels().entrySet()) {
      if (!wellFormed(l.getKey()) || !wellFormed(l.getValue())) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code s} is well-formed UTF-16: every surrogate in a high-low pair. */
  static boolean wellFormed(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  // ---- format -------------------------------------------------------------------------------------------------

  static String format(String service, List<Endpoint> endpoints, Instant writtenAt) {
    StringBuilder sb = new StringBuilder(64 + endpoints.size() * 96);
    sb.append(MAGIC).append('\n');
    sb.append("service ").append(service).append('\n');
    sb.append("written-at ").append(writtenAt).append('\n');
    for (Endpoint e : endpoints) {
      sb.append("endpoint id=").append(enc(e.id()))
          .append(" host=").append(enc(e.host()))
          .append(" port=").append(e.port())
          .append(" secure=").append(e.secure())
          .append(" weight=").append(e.weight())
          .append(" zone=").append(enc(e.zone()));
      for (Map.Entry<String, String> l : e.labels().entrySet()) {
        sb.append(" label.").append(enc(l.getKey())).append('=').append(enc(l.getValue()));
      }
      sb.append('\n');
    }
    CRC32 crc = new CRC32();
    crc.update(sb.toString().getBytes(StandardCharsets.UTF_8));
    sb.append("end ").append(endpoints.size()).append(' ').append(crc.getValue()).append('\n');
    return sb.toString();
  }

  static Loaded parse(String service, String content) throws Corrupt {
    int endAt = content.lastIndexOf("\nend ");
    if (!content.startsWith(MAGIC + "\n") || endAt < 0) {
      throw new Corrupt("not a complete failsafe file (no '" + MAGIC + "' header or no 'end' line: truncated?)");
    }
    String body = content.substring(0, endAt + 1);
    String[] trailer = content.substring(endAt + 1).strip().split(" ");
    if (trailer.length != 3) {
      throw new Corrupt("malformed 'end' line");
    }
    CRC32 crc = new CRC32();
    crc.update(body.getBytes(StandardCharsets.UTF_8));
    if (!Long.toString(crc.getValue()).equals(trailer[2])) {
      throw new Corrupt("checksum mismatch (the file was cut short or changed after it was written)");
    }
    String[] lines = body.split("\n");
    String name = ServiceNames.canonicalOrNull(service);
    if (lines.length < 3 || name == null || !lines[1].equals("service " + name)
        || !lines[2].startsWith("written-at ")) {
      throw new Corrupt("it is not the file of service '" + service + "'");
    }
    Instant writtenAt;
    try {
      writtenAt = Instant.parse(lines[2].substring("written-at ".length()));
    } catch (DateTimeParseException e) {
      throw new Corrupt("bad written-at time '" + lines[2] + "'");
    }
    List<Endpoint> endpoints = new ArrayList<>(lines.length - 3);
    for (int i = 3; i < lines.length; i++) {
      endpoints.add(parseEndpoint(service, lines[i], i + 1));
    }
    if (!Integer.toString(endpoints.size()).equals(trailer[1])) {
      throw new Corrupt("the 'end' line counts " + trailer[1] + " endpoints, the file has " + endpoints.size());
    }
    return new Loaded(List.copyOf(endpoints), writtenAt);
  }

  private static Endpoint parseEndpoint(String service, String line, int lineNo) throws Corrupt {
    if (!line.startsWith("endpoint ")) {
      throw new Corrupt("line " + lineNo + ": expected 'endpoint ...'");
    }
    Map<String, String> fields = new LinkedHashMap<>();
    Map<String, String> labels = new LinkedHashMap<>();
    try {
      for (String kv : line.substring("endpoint ".length()).split(" ")) {
        int eq = kv.indexOf('=');
        if (eq <= 0) {
          throw new Corrupt("line " + lineNo + ": expected key=value, not '" + kv + "'");
        }
        String k = kv.substring(0, eq);
        String v = dec(kv.substring(eq + 1));
        if (k.startsWith("label.")) {
          labels.put(dec(k.substring("label.".length())), v);
        } else {
          fields.put(k, v);
        }
      }
      return Endpoint.builder(service, require(fields, "host", lineNo),
              Integer.parseInt(require(fields, "port", lineNo)))
          .id(require(fields, "id", lineNo))
          .secure(Boolean.parseBoolean(require(fields, "secure", lineNo)))
          .weight(Integer.parseInt(require(fields, "weight", lineNo)))
          .zone(require(fields, "zone", lineNo))
          .labels(labels)
          .build();
    } catch (IllegalArgumentException e) { // bad %-escape, number or endpoint component
      throw new Corrupt("line " + lineNo + ": " + e.getMessage());
    }
  }

  private static String require(Map<String, String> fields, String key, int lineNo) throws Corrupt {
    String v = fields.get(key);
    if (v == null) {
      throw new Corrupt("line " + lineNo + ": no " + key);
    }
    return v;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String dec(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  /** A damaged file. */
  static final class Corrupt extends Exception {
    private static final long serialVersionUID = 1L;

    Corrupt(String message) {
      super(message);
    }
  }
}
