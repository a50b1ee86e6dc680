package io.meshsdk.core.loadbalancer;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.endpoint.EndpointState;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Wraps another policy to keep calls in the caller's zone ({@code lb.local-zone}) while that zone is healthy
 * enough.
 *
 * <p>At picker-build time (never per call) it counts the endpoints of the local zone in the whole set and
 * among the eligible ones. Calls stay local when the local healthy share, {@code eligible-in-zone /
 * all-in-zone}, is at least {@code lb.zone-min-healthy-percent}; otherwise, or when the zone has no eligible
 * endpoint (or no endpoint at all), they spill over to every eligible endpoint. Either way the result is a
 * picker of the wrapped policy, over the local endpoints or over all.
 *
 * <p>When calls stay local, a retry whose local pick was already tried goes to the picker over all eligible
 * endpoints, so a zone with a single endpoint does not retry into the endpoint that just failed.
 */
public final class ZoneAwareLoadBalancer implements LoadBalancer {

  private final LoadBalancer delegate;
  private final String localZone;
  private final int minHealthyPercent;

  /**
   * A zone-aware wrapper.
   *
   * @param delegate the policy that picks within the chosen endpoints
   * @param localZone the caller's zone; endpoints whose {@code zone()} equals it are local
   * @param minHealthyPercent spill over when under this share (0-100) of the local endpoints is eligible
   */
  public ZoneAwareLoadBalancer(LoadBalancer delegate, String localZone, int minHealthyPercent) {
    this.delegate = requireNonNull(delegate, "delegate");
    this.localZone = requireNonNull(localZone, "localZone");
    if (minHealthyPercent < 0 || minHealthyPercent > 100) {
      throw new IllegalArgumentException("minHealthyPercent: " + minHealthyPercent + " (expected: 0-100)");
    }
    this.minHealthyPercent = minHealthyPercent;
  }

  @Override
  public Picker newPicker(EndpointSet all, List<EndpointState> eligible) {
    if (eligible.isEmpty()) {
      return Picker.EMPTY;
    }
    int allInZone = 0;
    for (int i = 0, n = all.size(); i < n; i++) {
      if (isLocal(all.get(i))) {
        allInZone++;
      }
    }
    List<EndpointState> local = new ArrayList<>();
    for (EndpointState s : eligible) {
      if (isLocal(s)) {
        local.add(s);
      }
    }
    Picker global = delegate.newPicker(all, eligible);
    if (!staysLocal(local.size(), allInZone) || local.size() == eligible.size()) {
      return global;
    }
    return new ZonePicker(delegate.newPicker(all, local), global);
  }

  /** Whether calls stay in the zone with {@code eligibleInZone} of {@code allInZone} endpoints eligible. */
  boolean staysLocal(int eligibleInZone, int allInZone) {
    return eligibleInZone > 0 && (long) eligibleInZone * 100 >= (long) minHealthyPercent * allInZone;
  }

  private boolean isLocal(EndpointState s) {
    return s.endpoint().zone().equals(localZone);
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public String toString() {
    return "zone-aware(" + delegate + ", zone=" + localZone + ", min-healthy=" + minHealthyPercent + "%)";
  }

  /** Local first; the global picker on a retry that the local one would send back to a tried endpoint. */
  static final class ZonePicker implements Picker {
    private final Picker local;
    private final Picker global;

    ZonePicker(Picker local, Picker global) {
      this.local = local;
      this.global = global;
    }

    @Override
    public @Nullable EndpointState pick(PickContext ctx) {
      EndpointState e = local.pick(ctx);
      if (e != null && (ctx.attempt() == 0 || !ctx.alreadyTried(e))) {
        return e;
      }
      EndpointState g = global.pick(ctx);
      return g != null ? g : e;
    }

    @Override
    public String toString() {
      return "zone-local " + local + " else " + global;
    }
  }
}
