package io.meshsdk.core.loadbalancer;

import io.meshsdk.core.endpoint.EndpointState;
import org.jspecify.annotations.Nullable;

/** Small pickers and helpers shared by the balancers. */
final class Pickers {

  private Pickers() {}

  /**
   * The first endpoint at or after index {@code from} (cyclically) that {@code ctx} has not tried yet, or
   * {@code null} when every endpoint was tried. O(n) at worst; only used on retries.
   */
  static @Nullable EndpointState untriedFrom(EndpointState[] a, int from, PickContext ctx) {
    int n = a.length;
    int j = Math.floorMod(from, n);
    for (int k = 0; k < n; k++) {
      EndpointState e = a[j];
      if (!ctx.alreadyTried(e)) {
        return e;
      }
      if (++j == n) {
        j = 0;
      }
    }
    return null;
  }

  /** The picker of a single endpoint. */
  static final class Single implements Picker {
    private final EndpointState endpoint;

    Single(EndpointState endpoint) {
      this.endpoint = endpoint;
    }

    @Override
    public EndpointState pick(PickContext ctx) {
      return endpoint;
    }

    @Override
    public String toString() {
      return "single " + endpoint.endpoint().id();
    }
  }
}
