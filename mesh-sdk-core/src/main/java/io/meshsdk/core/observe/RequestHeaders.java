package io.meshsdk.core.observe;

import org.jspecify.annotations.Nullable;

/** Read access to the headers of the request as the application made it. */
@FunctionalInterface
public interface RequestHeaders {

  /** No headers. */
  RequestHeaders NONE = name -> null;

  /** The value of {@code name} (case-insensitive), or {@code null}. */
  @Nullable String get(String name);
}
