package io.meshsdk.core.common;

import org.jspecify.annotations.Nullable;

/**
 * The mesh refused a call (or cut it short) on purpose: a breaker, limiter, bulkhead or deadline said no. These
 * are control flow on a hot path, so, like resilience4j's {@code CallNotPermittedException}, they are built
 * without a stack trace: {@link #fillInStackTrace()} does nothing, so a rejection costs an allocation, not a walk
 * of the stack. The message names the service, the policy and its state.
 */
public abstract class MeshRejectedException extends MeshException {

  private static final long serialVersionUID = 1L;

  /** A rejection of a call to {@code service}. */
  protected MeshRejectedException(String service, String message) {
    super(service, message);
  }

  /** A rejection of a call to {@code service} caused by {@code cause}. */
  protected MeshRejectedException(String service, String message, @Nullable Throwable cause) {
    super(service, message, cause);
  }

  /** Does nothing: rejections carry no stack trace (their message says what refused the call). */
  @Override
  @SuppressWarnings("UnsynchronizedOverridesSynchronized") // nothing to guard: no state is written
  public final Throwable fillInStackTrace() {
    return this;
  }
}
