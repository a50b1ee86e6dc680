package io.meshsdk.core.loadbalancer;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The randomness a picker uses: lock-free and allocation-free. Production balancers use
 * {@link #THREAD_LOCAL} ({@link ThreadLocalRandom}, no shared state); tests pass {@link #seeded(long)} so that
 * a single-threaded run is reproducible.
 */
@FunctionalInterface
interface RandomSource {

  /** {@link ThreadLocalRandom}: no contention, no allocation, not reproducible. */
  RandomSource THREAD_LOCAL = bound -> ThreadLocalRandom.current().nextInt(bound);

  /** A uniformly distributed int in {@code [0, bound)}; {@code bound} must be positive. */
  int nextInt(int bound);

  /**
   * A reproducible source: SplitMix64 over one {@link AtomicLong} (lock-free, one CAS-free
   * {@code getAndAdd} per draw). The sequence is deterministic for a single thread; concurrent callers
   * share it safely but interleave in an unspecified order.
   */
  static RandomSource seeded(long seed) {
    return new SplitMix(seed);
  }

  /** SplitMix64 (Steele, Lea, Flood 2014) with Lemire's multiply-shift range reduction. */
  final class SplitMix implements RandomSource {
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
    private final AtomicLong state;

    SplitMix(long seed) {
      this.state = new AtomicLong(seed);
    }

    @Override
    public int nextInt(int bound) {
      long z = Hashing.mix64(state.addAndGet(GOLDEN_GAMMA));
      return (int) (((z >>> 32) * bound) >>> 32);
    }
  }
}
