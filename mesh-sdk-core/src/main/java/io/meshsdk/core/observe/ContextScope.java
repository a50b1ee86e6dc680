package io.meshsdk.core.observe;

/** A caller's context made current on another thread; closing it restores what was current before. */
@FunctionalInterface
public interface ContextScope extends AutoCloseable {

  /** Restores nothing. */
  ContextScope NONE = () -> {};

  /** Restores the previous context. Never throws. */
  @Override
  void close();
}
