package io.meshsdk.core.common;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The rule every watched file of the mesh follows (config, access policy, workload certificates): a new content is
 * used only once two consecutive reads returned it. A writer that rewrites a file in place, or replaces several
 * files one at a time, is caught mid-way by one read; the next read differs, so a half-written content is never
 * applied. Contents are compared deeply ({@code byte[]}, or {@code byte[][]} for several files).
 *
 * <p>Not thread-safe: the watcher calls it under its own lock.
 */
public final class SettlingReads {

  private @Nullable Object pending;

  /**
   * Whether {@code content}, just read, is settled: the previous read returned the same. When not, it is kept for
   * the next read to confirm.
   */
  public boolean settled(Object content) {
    if (Objects.deepEquals(content, pending)) {
      pending = null;
      return true;
    }
    pending = content;
    return false;
  }

  /** Forgets the read waiting for confirmation (the content is known, was applied at once, or could not be read). */
  public void forget() {
    pending = null;
  }
}
