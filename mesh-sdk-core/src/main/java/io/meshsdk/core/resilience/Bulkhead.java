package io.meshsdk.core.resilience;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * At most {@code max} calls at once, no waiting (docs/adr/0024): one counter, raised by compare-and-set when below
 * the limit and lowered by one atomic add. No lock, no allocation, no event per call; the same decisions as the
 * resilience4j semaphore bulkhead with a zero wait it replaces (nothing ever queued on that semaphore, so its
 * fairness never applied). The mesh's outbound bulkhead ({@code bulkhead.*}, one per service) and the inbound
 * guard's concurrency limits are instances of it.
 */
public final class Bulkhead {

  private static final VarHandle IN_FLIGHT;

  static {
    try {
      IN_FLIGHT = MethodHandles.lookup().findVarHandle(Bulkhead.class, "inFlight", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final int max;
  @SuppressWarnings("UnusedVariable") // read and written through IN_FLIGHT
  private volatile int inFlight;

  /** A bulkhead of {@code max} (&gt; 0) concurrent calls. */
  public Bulkhead(int max) {
    if (max <= 0) {
      throw new IllegalArgumentException("max must be > 0: " + max);
    }
    this.max = max;
  }

  /** Takes a slot if one is free; a {@code true} must be matched by exactly one {@link #release()}. */
  public boolean tryAcquire() {
    for (;;) {
      int n = (int) IN_FLIGHT.getVolatile(this);
      if (n >= max) {
        return false;
      }
      if (IN_FLIGHT.weakCompareAndSet(this, n, n + 1)) {
        return true;
      }
    }
  }

  /** Gives back a slot {@link #tryAcquire()} took. */
  public void release() {
    IN_FLIGHT.getAndAdd(this, -1);
  }

  /** Calls holding a slot now. */
  public int inFlight() {
    return (int) IN_FLIGHT.getVolatile(this);
  }

  /** The limit. */
  public int max() {
    return max;
  }
}
