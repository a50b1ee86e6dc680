package io.meshsdk.core.loadbalancer;

import io.meshsdk.core.endpoint.EndpointState;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link Picker} may know about the call it picks for. Implemented by the call engine with no
 * allocation per pick.
 */
public interface PickContext {

  /** The value of request header {@code name}, or {@code null}. */
  @Nullable String header(String name);

  /** 0 for the first attempt of a call, 1 for the first retry, and so on. */
  int attempt();

  /**
   * Whether an earlier attempt of this call already went to {@code endpoint}; pickers should prefer an
   * endpoint not tried yet when one exists, so that a retry goes elsewhere.
   */
  boolean alreadyTried(EndpointState endpoint);

  /**
   * The time of this pick in ticker nanos, as the engine read it at the start of the attempt: pickers use it
   * (slow start, idle decay) instead of reading a clock themselves. The default reads {@link System#nanoTime()}
   * (the empty context, tests); the engine's context returns the time its attempt loop already read, on the
   * mesh's {@link io.meshsdk.core.common.Ticker}.
   */
  default long nowNanos() {
    return System.nanoTime();
  }

  /** A context with no headers and no attempts, for tests and benchmarks. */
  static PickContext empty() {
    return EmptyPickContext.INSTANCE;
  }
}

final class EmptyPickContext implements PickContext {
  static final EmptyPickContext INSTANCE = new EmptyPickContext();

  @Override
  public @Nullable String header(String name) {
    return null;
  }

  @Override
  public int attempt() {
    return 0;
  }

  @Override
  public boolean alreadyTried(EndpointState endpoint) {
    return false;
  }
}
