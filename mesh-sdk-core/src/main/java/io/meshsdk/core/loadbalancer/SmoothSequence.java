package io.meshsdk.core.loadbalancer;

import static java.util.Objects.requireNonNull;

import java.util.HashMap;
import java.util.Map;

/**
 * Builds a <em>smooth</em> weighted schedule: a sequence of indices in which index {@code i} appears in
 * proportion to {@code weights[i]} and its appearances are spread evenly over the sequence, so that walking it
 * with one counter gives smooth weighted round-robin in O(1) per step.
 *
 * <p>Algorithm (earliest-deadline-first, laid out once): item {@code i} with weight {@code w} gets {@code w}
 * slots with virtual times {@code (k + phase) / w}, {@code k = 0..w-1}; all slots are ordered by virtual time.
 * The {@code m} items that share one weight get phases {@code (j + 0.5) / m}, so equal items interleave instead
 * of clumping. The ordering is a counting sort on {@code floor(time × length)}: O(length + n) time and memory,
 * no comparison sort. For weights 7:2:1 the result is {@code C B C C A C C B C C} (never more than 3 C in a
 * row, cyclically).
 *
 * <p>Weights are first divided by their greatest common divisor, so the sequence length is the reduced sum
 * and every proportion is exact. When that sum exceeds {@code maxLength}, weights are scaled down to fit (each
 * keeps at least one slot); proportions are then exact to within one slot per item.
 */
final class SmoothSequence {

  private SmoothSequence() {}

  /**
   * The schedule for {@code weights} (each ≥ 1).
   *
   * @param maxLength the longest sequence to build; at least {@code weights.length}
   */
  static int[] build(long[] weights, int maxLength) {
    int n = weights.length;
    if (n == 0) {
      return new int[0];
    }
    if (maxLength < n) {
      throw new IllegalArgumentException("maxLength " + maxLength + " < " + n + " items");
    }
    long g = 0;
    for (long w : weights) {
      if (w < 1) {
        throw new IllegalArgumentException("weight " + w + " < 1");
      }
      g = gcd(g, w);
    }
    long[] w = new long[n];
    long total = 0;
    for (int i = 0; i < n; i++) {
      w[i] = weights[i] / g;
      total += w[i];
    }
    if (total > maxLength) {
      // Scale down: floor(w × budget / total) ≥ 1 each; budget leaves room for the ones raised to 1.
      long budget = (long) maxLength - n;
      long scaled = 0;
      for (int i = 0; i < n; i++) {
        w[i] = Math.max(1, (long) ((double) w[i] * budget / total));
        scaled += w[i];
      }
      total = scaled;
    }
    int length = (int) total;

    // Phases: the m items sharing one weight get (j + 0.5) / m.
    Map<Long, int[]> groups = new HashMap<>(); // weight -> {count, next}
    for (int i = 0; i < n; i++) {
      groups.computeIfAbsent(w[i], k -> new int[2])[0]++;
    }
    double[] phase = new double[n];
    for (int i = 0; i < n; i++) {
      int[] grp = requireNonNull(groups.get(w[i]), "group");
      phase[i] = (grp[1]++ + 0.5) / grp[0];
    }

    // Counting sort of all slots by bucket = floor((k + phase) / w × length).
    int[] start = new int[length + 1];
    for (int i = 0; i < n; i++) {
      double step = (double) length / w[i];
      for (long k = 0; k < w[i]; k++) {
        start[bucket(k, phase[i], step, length) + 1]++;
      }
    }
    for (int b = 0; b < length; b++) {
      start[b + 1] += start[b];
    }
    int[] out = new int[length];
    for (int i = 0; i < n; i++) {
      double step = (double) length / w[i];
      for (long k = 0; k < w[i]; k++) {
        out[start[bucket(k, phase[i], step, length)]++] = i;
      }
    }
    return out;
  }

  private static int bucket(long k, double phase, double step, int length) {
    return Math.min(length - 1, (int) ((k + phase) * step));
  }

  static long gcd(long a, long b) {
    while (b != 0) {
      long t = a % b;
      a = b;
      b = t;
    }
    return a;
  }
}
