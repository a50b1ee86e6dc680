package io.meshsdk.core.common;

import org.jspecify.annotations.Nullable;

/**
 * The mesh refused a call (or cut it short) on purpose: a breaker, limiter, bulkhead or deadline said no. These
 * are control flow on a hot path, so, like resilience4j's {@code CallNotPermittedException}, they are built
 * without a stack trace: {@link #fillInStackTrace()} does nothing, so a rejection costs an allocation, not a walk
 * of the stack. The message names the service, the policy and its state; subclasses built with
 * {@link #MeshRejectedException(String)} compose it only when someone reads it, so that a rejection allocates
 * nothing beyond the exception object itself.
 */
public abstract class MeshRejectedException extends MeshException {

  private static final long serialVersionUID = 1L;

  private @Nullable String lazyMessage;

  /**
   * A rejection of a call to {@code service} whose message {@link #describe()} composes on first read (a rejection
   * nobody logs costs no string).
   */
  protected MeshRejectedException(String service) {
    super(service, null);
  }

  /** A rejection of a call to {@code service}. */
  protected MeshRejectedException(String service, String message) {
    super(service, message);
  }

  /** A rejection of a call to {@code service} caused by {@code cause}. */
  protected MeshRejectedException(String service, String message, @Nullable Throwable cause) {
    super(service, message, cause);
  }

  /**
   * The message given at construction, or else the one {@link #describe()} composes (once, on first read).
   */
  @Override
  public String getMessage() {
    String m = lazyMessage;
    if (m == null) {
      String given = super.getMessage();
      m = given != null ? given : describe();
      lazyMessage = m; // a benign race: every thread composes the same string
    }
    return m;
  }

  /**
   * Composes the message of a rejection built with {@link #MeshRejectedException(String)}; subclasses that use
   * that constructor override it. Called at most a few times, never on the call path.
   */
  protected String describe() {
    return "call to service '" + service() + "' rejected";
  }

  /** Does nothing: rejections carry no stack trace (their message says what refused the call). */
  @Override
  @SuppressWarnings("UnsynchronizedOverridesSynchronized") // nothing to guard: no state is written
  public final Throwable fillInStackTrace() {
    return this;
  }
}
