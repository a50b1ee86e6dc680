package io.meshsdk.core.observe;

import org.jspecify.annotations.Nullable;

/** Headers of an outbound attempt that an observer may read and set (trace propagation). */
public interface OutboundHeaders {

  /** The current value of {@code name}, or {@code null}. */
  @Nullable String get(String name);

  /** Sets {@code name} to {@code value}, replacing any value. */
  void set(String name, String value);
}
