package io.meshsdk.core.discovery;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The health of a discovery backend, for health endpoints and the mesh snapshot.
 *
 * @param connected whether the backend reaches its source now (a file that can be read, a registry session)
 * @param lastUpdate when the backend last delivered data, or {@code null} when it never did
 * @param lastError the last error since the last good read, or {@code null}
 * @param lastErrorAt when that error happened, or {@code null}
 */
public record DiscoveryHealth(
    boolean connected, @Nullable Instant lastUpdate, @Nullable String lastError, @Nullable Instant lastErrorAt) {

  /** What a backend that reports nothing about itself reports. */
  public static final DiscoveryHealth UNKNOWN = new DiscoveryHealth(true, null, null, null);
}
