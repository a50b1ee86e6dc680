package io.meshsdk.core.resilience;

import io.meshsdk.core.common.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A ticker for tests: either frozen (moves only when advanced) or real time plus an offset that tests jump. */
final class TestTicker implements Ticker {

  private final boolean frozen;
  private final AtomicLong offset = new AtomicLong(1_000_000_000_000L);

  private TestTicker(boolean frozen) {
    this.frozen = frozen;
  }

  /** Time stands still until {@link #advance}. */
  static TestTicker frozen() {
    return new TestTicker(true);
  }

  /** Real time, plus jumps. */
  static TestTicker flowing() {
    return new TestTicker(false);
  }

  void advance(Duration d) {
    offset.addAndGet(d.toNanos());
  }

  @Override
  public long read() {
    return frozen ? offset.get() : System.nanoTime() + offset.get();
  }
}
