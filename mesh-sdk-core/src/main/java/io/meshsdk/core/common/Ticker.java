package io.meshsdk.core.common;

/**
 * A source of monotonic nanoseconds, injectable so that tests control time. A primitive interface: no
 * boxing on the call path.
 */
@FunctionalInterface
public interface Ticker {

  /** The system ticker, {@link System#nanoTime()}. */
  Ticker SYSTEM = System::nanoTime;

  /** Monotonic nanoseconds; only differences are meaningful. */
  long read();
}
