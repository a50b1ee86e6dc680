package io.meshsdk.core.loadbalancer;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.endpoint.EndpointSet;
import io.meshsdk.core.endpoint.EndpointState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Wraps another policy to route calls to <em>subsets</em> of the endpoints: the endpoints whose label
 * {@code lb.subset-label} (e.g. {@code version}) has one value form one subset (e.g. {@code v1}, {@code v2}).
 *
 * <p>Per call:
 *
 * <ol>
 *   <li>If {@code lb.subset-header} is set and the call carries it, the call is pinned to the subset whose
 *       label value equals the header value.
 *   <li>Otherwise (no header, or a value that names no subset with an eligible endpoint) it goes by the split
 *       {@code lb.subset-weights} (e.g. {@code v1=90,v2=10}) over the subsets that have eligible endpoints; a
 *       weighted subset with none has its share spread over the others. The split walks a precomputed smooth
 *       schedule (see {@link SmoothSequence}) with one atomic counter, so 90/10 is exact over every 10 calls and
 *       deterministic. Subsets not named in the weights get only pinned calls.
 *   <li>With no weights (or none of the weighted subsets present) the call goes to every eligible endpoint,
 *       labelled or not.
 * </ol>
 *
 * <p>Every subset gets its own picker of the wrapped policy, built with the others at picker-build time, over
 * the subset's endpoints (and a subset-only {@link EndpointSet}, so that a zone-aware policy inside computes
 * its zone health per subset). A pick is a hash-map lookup or one counter step, then the subset's pick.
 */
public final class SubsetLoadBalancer implements LoadBalancer {

  private static final int SPLIT_PERIOD_CAP = 1 << 16;

  private final LoadBalancer delegate;
  private final String label;
  private final String header;
  private final Map<String, Integer> weights;
  private final RandomSource random;

  /**
   * A subset wrapper.
   *
   * @param delegate the policy that picks within a subset
   * @param label the endpoint label whose values define the subsets
   * @param header the request header that pins a call to a subset ("" = none)
   * @param weights the split between subsets (label value → weight ≥ 0) for calls the header does not pin
   */
  public SubsetLoadBalancer(LoadBalancer delegate, String label, String header, Map<String, Integer> weights) {
    this(delegate, label, header, weights, RandomSource.THREAD_LOCAL);
  }

  SubsetLoadBalancer(
      LoadBalancer delegate, String label, String header, Map<String, Integer> weights, RandomSource random) {
    this.delegate = requireNonNull(delegate, "delegate");
    this.label = requireNonNull(label, "label");
    this.header = requireNonNull(header, "header");
    this.weights = new TreeMap<>(requireNonNull(weights, "weights")); // sorted: the same schedule every run
    this.weights.forEach((k, v) -> {
      if (v < 0) {
        throw new IllegalArgumentException("weight of subset " + k + ": " + v + " (expected: >= 0)");
      }
    });
    this.random = requireNonNull(random, "random");
  }

  @Override
  public Picker newPicker(EndpointSet all, List<EndpointState> eligible) {
    if (eligible.isEmpty()) {
      return Picker.EMPTY;
    }
    Map<String, List<EndpointState>> eligibleByValue = groupByLabel(eligible);
    Map<String, List<EndpointState>> allByValue = groupByLabel(all.states());
    Map<String, Picker> subsets = new HashMap<>();
    eligibleByValue.forEach((value, members) -> {
      EndpointSet subsetAll = new EndpointSet(all.service(), all.version(),
          allByValue.getOrDefault(value, members));
      subsets.put(value, delegate.newPicker(subsetAll, members));
    });

    List<Picker> splitPickers = new ArrayList<>();
    List<Long> splitWeights = new ArrayList<>();
    weights.forEach((value, weight) -> {
      Picker p = subsets.get(value);
      if (p != null && weight > 0) {
        splitPickers.add(p);
        splitWeights.add((long) weight);
      }
    });
    Picker[] split = null;
    int start = 0;
    if (!splitPickers.isEmpty()) {
      long[] w = splitWeights.stream().mapToLong(Long::longValue).toArray();
      int[] order = SmoothSequence.build(w, SPLIT_PERIOD_CAP);
      split = new Picker[order.length];
      for (int i = 0; i < order.length; i++) {
        split[i] = splitPickers.get(order[i]);
      }
      start = random.nextInt(split.length);
    }
    Picker everyone = split == null ? delegate.newPicker(all, eligible) : Picker.EMPTY;
    return new SubsetPicker(header, Map.copyOf(subsets), split, start, everyone);
  }

  private Map<String, List<EndpointState>> groupByLabel(List<EndpointState> states) {
    Map<String, List<EndpointState>> out = new LinkedHashMap<>();
    for (EndpointState s : states) {
      String value = s.endpoint().label(label);
      if (value != null) {
        out.computeIfAbsent(value, v -> new ArrayList<>()).add(s);
      }
    }
    return out;
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public String toString() {
    return "subset(" + delegate + ", label=" + label
        + (header.isEmpty() ? "" : ", header=" + header)
        + (weights.isEmpty() ? "" : ", weights=" + weights) + ")";
  }

  /** Routes by header, then by the weighted split, then over all. */
  static final class SubsetPicker implements Picker {
    private final String header;
    private final Map<String, Picker> subsets;
    private final Picker @Nullable [] split;
    private final AtomicInteger next;
    private final Picker everyone;

    /**
     * @param split the smooth weighted schedule of subset pickers, or null for no split
     * @param start where the split starts
     * @param everyone the picker over all eligible endpoints, used when there is no split
     */
    SubsetPicker(
        String header, Map<String, Picker> subsets, Picker @Nullable [] split, int start, Picker everyone) {
      this.header = header;
      this.subsets = subsets;
      this.split = split;
      this.next = new AtomicInteger(start);
      this.everyone = everyone;
    }

    @Override
    public @Nullable EndpointState pick(PickContext ctx) {
      if (!header.isEmpty()) {
        String value = ctx.header(header);
        if (value != null) {
          Picker pinned = subsets.get(value);
          if (pinned != null) {
            return pinned.pick(ctx);
          }
        }
      }
      Picker[] s = split;
      if (s != null) {
        return s[Math.floorMod(next.getAndIncrement(), s.length)].pick(ctx);
      }
      return everyone.pick(ctx);
    }

    @Override
    public String toString() {
      return "subsets " + subsets.keySet() + (split == null ? "" : " split period " + split.length);
    }
  }
}
