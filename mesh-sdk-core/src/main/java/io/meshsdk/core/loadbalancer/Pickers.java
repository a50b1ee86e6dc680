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

  /**
   * The picker for zero or one endpoint ({@link Picker#EMPTY} or a {@link Single}), or {@code null} when there
   * are two or more and the balancer must build its own.
   */
  static @Nullable Picker forFew(EndpointState[] endpoints) {
    return switch (endpoints.length) {
      case 0 -> Picker.EMPTY;
      case 1 -> new Single(endpoints[0]);
      default -> null;
    };
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
