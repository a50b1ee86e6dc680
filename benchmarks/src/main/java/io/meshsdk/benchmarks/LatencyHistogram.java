package io.meshsdk.benchmarks;

/**
 * A fixed log-linear histogram of nanosecond values (HdrHistogram's layout, 32 sub-buckets per power of two, so
 * every value is kept within ~3 %), with the exact count and maximum. Recording is allocation-free. One writer
 * thread; read it once the writer stopped.
 */
final class LatencyHistogram {

  private static final int SUB_BITS = 5;
  private static final int SUB = 1 << SUB_BITS;
  private static final int LINEAR = 2 * SUB; // values below 64 get a bucket each

  private final long[] counts = new long[LINEAR + (64 - SUB_BITS - 1) * SUB];
  private long count;
  private long max;
  private long sum;

  void record(long nanos) {
    long v = Math.max(0, nanos);
    counts[index(v)]++;
    count++;
    sum += v;
    if (v > max) {
      max = v;
    }
  }

  long count() {
    return count;
  }

  long max() {
    return max;
  }

  double mean() {
    return count == 0 ? 0 : sum / (double) count;
  }

  /** The value at quantile {@code q} (0-1): the upper bound of its bucket, never above the exact maximum. */
  long percentile(double q) {
    if (count == 0) {
      return 0;
    }
    long rank = Math.max(1, (long) Math.ceil(q * count));
    long seen = 0;
    for (int i = 0; i < counts.length; i++) {
      seen += counts[i];
      if (seen >= rank) {
        return Math.min(upper(i), max);
      }
    }
    return max;
  }

  /** How many values were above {@code nanos} (to bucket precision). */
  long countAbove(long nanos) {
    long n = 0;
    for (int i = index(nanos) + 1; i < counts.length; i++) {
      n += counts[i];
    }
    return n;
  }

  static int index(long v) {
    if (v < LINEAR) {
      return (int) v;
    }
    int exp = 63 - Long.numberOfLeadingZeros(v); // >= 6
    int sub = (int) (v >>> (exp - SUB_BITS)) & (SUB - 1);
    return LINEAR + (exp - SUB_BITS - 1) * SUB + sub;
  }

  static long upper(int i) {
    if (i < LINEAR) {
      return i;
    }
    int exp = (i - LINEAR) / SUB + SUB_BITS + 1;
    int sub = (i - LINEAR) % SUB;
    return ((SUB + sub + 1L) << (exp - SUB_BITS)) - 1;
  }
}
