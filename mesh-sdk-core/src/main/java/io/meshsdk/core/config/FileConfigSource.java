package io.meshsdk.core.config;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.common.ConfigValues;
import io.meshsdk.core.common.SettlingReads;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ConfigSource} over a {@code .properties} file ({@code mesh.*} keys, see
 * {@link MeshConfig#fromProperties}), re-read when its content changes. The file is polled by one daemon thread
 * at a fixed interval (polling works on every file system and with editors that replace the file);
 * {@link #checkNow()} re-reads at once.
 *
 * <p>The poller applies a change only once two consecutive polls read the same content: a file caught while an
 * editor or a script rewrites it in place (emptied, or cut in the middle of a line, which can still parse, e.g.
 * {@code split:5} for {@code split:50}) is never applied; the change lands one interval later than it was read.
 * {@link #checkNow()} applies what it reads at once (the caller says the file is complete).
 *
 * <p>An invalid file (bad value, unreadable) is logged once and ignored: the last valid config stays in force
 * until the file is fixed. A listener that fails to apply a new config (an exception or an error) is logged once,
 * {@link #current()} keeps the config that was in force, and the change is offered again at the next check. The
 * poller survives every failure. The first read must succeed.
 */
public final class FileConfigSource implements ConfigSource {

  private static final Logger log = LoggerFactory.getLogger(FileConfigSource.class);

  private final Path file;
  private final CopyOnWriteArrayList<Consumer<MeshConfig>> listeners = new CopyOnWriteArrayList<>();
  private final @Nullable ScheduledExecutorService poller;
  private byte[] lastBytes;
  private byte @Nullable [] failedBytes;
  /** What the last poll read when it differed from {@link #lastBytes}: applied if the next poll reads it again. */
  private final SettlingReads settling = new SettlingReads();
  private volatile MeshConfig current;
  private volatile Map<String, String> properties;

  @SuppressWarnings("FutureReturnValueIgnored") // the task catches everything; close() stops the executor
  private FileConfigSource(Path file, @Nullable Duration interval) {
    this.file = requireNonNull(file, "file");
    byte[] bytes = read(file);
    this.properties = parse(bytes);
    this.current = MeshConfig.fromProperties(properties);
    this.lastBytes = bytes;
    if (interval == null) {
      this.poller = null;
    } else {
      ConfigValues.requirePositive("interval", interval);
      this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mesh-config-file");
        t.setDaemon(true);
        return t;
      });
      long every = interval.toNanos();
      poller.scheduleWithFixedDelay(this::pollQuietly, every, every, TimeUnit.NANOSECONDS);
    }
  }

  /**
   * Reads {@code file} now and re-reads it every {@code interval}.
   *
   * @throws ConfigException if the file's config is invalid
   * @throws UncheckedIOException if it cannot be read
   */
  public static FileConfigSource watch(Path file, Duration interval) {
    return new FileConfigSource(file, requireNonNull(interval, "interval"));
  }

  /** Reads {@code file} now; it is re-read only by {@link #checkNow()}. */
  public static FileConfigSource of(Path file) {
    return new FileConfigSource(file, null);
  }

  /** The file. */
  public Path file() {
    return file;
  }

  @Override
  public MeshConfig current() {
    return current;
  }

  /** The file's properties as last read successfully (e.g. for {@code SidecarConfig.fromProperties}). */
  public Map<String, String> properties() {
    return properties;
  }

  @Override
  public Subscription subscribe(Consumer<MeshConfig> listener) {
    requireNonNull(listener, "listener");
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /**
   * Re-reads the file; if its content changed and is valid, hands the new config to every listener and, when they
   * all applied it, makes it current.
   *
   * @return whether a new config was applied
   */
  public synchronized boolean checkNow() {
    byte[] bytes = readOrWarn();
    if (bytes == null) {
      return false;
    }
    settling.forget();
    return apply(bytes);
  }

  /**
   * One poll: applies the file's content once two consecutive polls read the same bytes (a rewrite in progress
   * changes between the two).
   *
   * @return whether a new config was applied
   */
  synchronized boolean poll() {
    byte[] bytes = readOrWarn();
    if (bytes == null) {
      return false;
    }
    if (Arrays.equals(bytes, lastBytes)) {
      settling.forget();
      return false;
    }
    if (!settling.settled(bytes)) {
      return false; // changed since the last poll: maybe still being written; look again next time
    }
    return apply(bytes);
  }

  private byte @Nullable [] readOrWarn() {
    try {
      return read(file);
    } catch (UncheckedIOException e) {
      log.warn("mesh config {}: cannot read ({}); keeping the config in force", file, String.valueOf(e.getCause()));
      return null;
    }
  }

  private boolean apply(byte[] bytes) {
    if (Arrays.equals(bytes, lastBytes)) {
      return false;
    }
    MeshConfig next;
    Map<String, String> props;
    try {
      props = parse(bytes);
      next = MeshConfig.fromProperties(props);
    } catch (IllegalArgumentException e) { // ConfigException included
      lastBytes = bytes;
      log.warn("mesh config {}: invalid, keeping the config in force: {}", file, e.getMessage());
      return false;
    }
    if (next.equals(current)) {
      lastBytes = bytes;
      properties = props;
      return false;
    }
    boolean firstTry = !Arrays.equals(bytes, failedBytes);
    for (Consumer<MeshConfig> l : listeners) {
      try {
        l.accept(next);
      } catch (RuntimeException | Error e) {
        failedBytes = bytes;
        if (firstTry) {
          log.error("mesh config {}: a listener failed to apply the new config; keeping the config in force and"
              + " trying again at the next check", file, e);
        }
        return false;
      }
    }
    failedBytes = null;
    lastBytes = bytes;
    properties = props;
    current = next;
    log.info("mesh config {}: changed, applied", file);
    return true;
  }

  private void pollQuietly() {
    try {
      poll();
    } catch (RuntimeException | Error e) { // the poller must survive anything
      log.warn("mesh config {}: check failed; will check again", file, e);
    }
  }

  @Override
  public void close() {
    if (poller != null) {
      poller.shutdownNow();
    }
    listeners.clear();
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read mesh config " + file, e);
    }
  }

  private static Map<String, String> parse(byte[] bytes) {
    Properties p = new Properties();
    try {
      String text = new String(bytes, StandardCharsets.UTF_8);
      // a byte order mark (editors on Windows write one) would otherwise be part of the first key, which then
      // does not start with "mesh." and would be skipped without a word
      p.load(new StringReader(text.startsWith("\uFEFF") ? text.substring(1) : text));
    } catch (IOException | IllegalArgumentException e) {
      throw new ConfigException("file", "(unparseable)", "a .properties file: " + e.getMessage());
    }
    Map<String, String> m = new TreeMap<>();
    p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k).trim()));
    return Map.copyOf(m);
  }

  @Override
  public String toString() {
    return "FileConfigSource{" + file + "}";
  }
}
