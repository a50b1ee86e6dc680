package io.meshsdk.core.security.policy;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.ConfigValues;
import io.meshsdk.core.common.SettlingReads;
import io.meshsdk.core.common.Ticker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A policy file, watched: its policy is put in force in a {@link PolicyHolder} when it starts and again whenever
 * the file changes and the new content parses. The file is polled by one daemon thread at a fixed interval;
 * {@link #checkNow()} re-reads at once.
 *
 * <p>As for {@code FileConfigSource}, a poll applies a change only once two consecutive polls read the same bytes:
 * a file caught while it is rewritten in place (empty, or cut in the middle of a rule, which may still parse) is
 * never applied. {@link #checkNow()} applies what it reads at once (the caller says the file is complete).
 *
 * <p>A malformed file (or one that can no longer be read, e.g. deleted) leaves the policy in force untouched: the
 * error is logged once (one ERROR line {@code file:line: reason} per distinct error, not one per poll) and kept in
 * {@link #lastError()} until a good version is applied or the file reads the same as the policy in force again.
 * The poller survives every failure. At start the file must exist and parse (fail fast).
 */
public final class PolicyFile implements AutoCloseable {

  /** Largest policy file read: 32 MiB (the rule caps come well before). */
  public static final long MAX_FILE_BYTES = 32L << 20;

  private final Path file;
  private final String name;
  private final PolicyHolder holder;
  private final @Nullable ScheduledExecutorService poller;
  private byte[] applied;
  /** The content last parsed (applied or refused); null after a failed read. */
  private byte @Nullable [] seen;
  /** A changed content waits for the next poll to confirm it. */
  private final SettlingReads settling = new SettlingReads();
  private boolean readFailedOnce;
  private @Nullable String lastLogged;
  private volatile @Nullable PolicyException lastError;
  private volatile Instant lastApplied;

  @SuppressWarnings("FutureReturnValueIgnored") // the task catches everything; close() stops the executor
  private PolicyFile(Path file, PolicyHolder holder, @Nullable Duration interval) throws PolicyException {
    this.file = requireNonNull(file, "file");
    this.holder = requireNonNull(holder, "holder");
    this.name = file.toString();
    byte[] bytes = read();
    holder.replace(AccessPolicy.parse(PolicyParser.decode(bytes, name), name));
    this.applied = bytes;
    this.seen = bytes;
    this.lastApplied = Instant.now();
    if (interval == null) {
      this.poller = null;
    } else {
      ConfigValues.requirePositive("refresh-interval", interval);
      this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mesh-policy-file");
        t.setDaemon(true);
        return t;
      });
      long every = interval.toNanos();
      poller.scheduleWithFixedDelay(this::pollQuietly, every, every, TimeUnit.NANOSECONDS);
    }
  }

  /**
   * Reads {@code file} into {@code holder} now and re-reads it every {@code interval}.
   *
   * @throws PolicyException if the file cannot be read or is malformed (naming file, line and reason)
   */
  public static PolicyFile watch(Path file, Duration interval, PolicyHolder holder) throws PolicyException {
    return new PolicyFile(file, holder, requireNonNull(interval, "interval"));
  }

  /**
   * The configured file ({@code mesh.policy.file}) watched every {@code mesh.policy.refresh-interval}, in a new
   * holder logging denials every {@code mesh.policy.log-interval} at most per rule.
   *
   * @throws IllegalArgumentException if no file is configured
   * @throws PolicyException if the file cannot be read or is malformed
   */
  public static PolicyFile watch(PolicyConfig config) throws PolicyException {
    Path f = config.file();
    if (f == null) {
      throw new IllegalArgumentException("no policy file configured (mesh.policy.file)");
    }
    return watch(f, config.refreshInterval(),
        PolicyHolder.create(AccessPolicy.allowAll(), config.logInterval(), Ticker.SYSTEM));
  }

  /** Reads {@code file} into {@code holder} now; it is re-read only by {@link #checkNow()}. */
  public static PolicyFile of(Path file, PolicyHolder holder) throws PolicyException {
    return new PolicyFile(file, holder, null);
  }

  /** The file. */
  public Path file() {
    return file;
  }

  /** The holder the file's policy is put in force in. */
  public PolicyHolder holder() {
    return holder;
  }

  /** Why the file's current content is not in force, or null when it is. */
  public @Nullable PolicyException lastError() {
    return lastError;
  }

  /** When the policy in force was last applied from this file. */
  public Instant lastApplied() {
    return lastApplied;
  }

  /**
   * Re-reads the file and, if its content changed and parses, puts it in force.
   *
   * @return whether a new policy was applied
   */
  public synchronized boolean checkNow() {
    settling.forget();
    byte[] bytes;
    try {
      bytes = read();
    } catch (PolicyException e) {
      readFailed(e);
      return false;
    }
    readFailedOnce = false;
    return process(bytes);
  }

  /** One poll: applies a change once two consecutive polls read the same bytes. */
  synchronized boolean poll() {
    byte[] bytes;
    try {
      bytes = read();
    } catch (PolicyException e) {
      settling.forget();
      if (readFailedOnce) {
        readFailed(e);
      }
      readFailedOnce = true;
      return false;
    }
    readFailedOnce = false;
    if (Arrays.equals(bytes, seen)) {
      settling.forget();
      return false;
    }
    if (!settling.settled(bytes)) {
      return false; // changed since the last poll: maybe still being written; look again next time
    }
    return process(bytes);
  }

  private void readFailed(PolicyException e) {
    seen = null;
    fail(e);
  }

  private boolean process(byte[] bytes) {
    if (Arrays.equals(bytes, applied)) {
      seen = bytes;
      if (lastError != null) {
        lastError = null;
        lastLogged = null;
        holder.log().applied(name, "readable and unchanged again; the policy in force stays");
      }
      return false;
    }
    if (Arrays.equals(bytes, seen)) {
      return false;
    }
    seen = bytes;
    AccessPolicy next;
    try {
      next = AccessPolicy.parse(PolicyParser.decode(bytes, name), name);
    } catch (PolicyException e) {
      fail(e);
      return false;
    }
    holder.replace(next);
    applied = bytes;
    lastError = null;
    lastLogged = null;
    lastApplied = Instant.now();
    holder.log().applied(name, "applied (" + next.ruleCount() + " rules)");
    return true;
  }

  private void fail(PolicyException e) {
    lastError = e;
    String message = e.getMessage();
    if (!java.util.Objects.equals(message, lastLogged)) {
      lastLogged = message;
      holder.log().invalid(name, e);
    }
  }

  private byte[] read() throws PolicyException {
    try {
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw new PolicyException(name, "", 0, "larger than " + (MAX_FILE_BYTES >> 20) + " MiB");
      }
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new PolicyException(name, "", 0, "cannot read: no such file");
    } catch (IOException | SecurityException e) {
      throw new PolicyException(name, "", 0, "cannot read: " + e);
    }
  }

  private void pollQuietly() {
    try {
      poll();
    } catch (RuntimeException | Error e) { // the poller must survive anything
      try {
        holder.log().invalid(name, new PolicyException(name, "", 0, "check failed (" + e + "); will check again"));
      } catch (RuntimeException | Error ignored) {
        // nothing more to do
      }
    }
  }

  /** Stops polling; the policy in force stays in its holder. */
  @Override
  public void close() {
    if (poller != null) {
      poller.shutdownNow();
    }
  }

  @Override
  public String toString() {
    return "PolicyFile{" + file + "}";
  }
}
