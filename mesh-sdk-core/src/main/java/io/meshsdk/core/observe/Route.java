package io.meshsdk.core.observe;

/** The path a call takes. */
public enum Route {
  /** In-process: the mesh picks an endpoint and calls it directly. */
  DIRECT,
  /** Handed to the local sidecar proxy, which balances and retries. */
  SIDECAR;

  private final String tag = name().toLowerCase(java.util.Locale.ROOT);

  /** Lower-case name for tags and attributes: {@code direct} or {@code sidecar}. */
  public String tag() {
    return tag;
  }
}
