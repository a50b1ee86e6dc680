package io.meshsdk.core.observe;

/**
 * Watches one logical call. Callbacks run on the calling thread, in order; they must be fast and must never
 * throw (the engine logs and ignores a throwing observer, but it costs a stack trace).
 */
public interface CallObserver {

  /** Observes nothing; the engine skips building event objects for it. */
  CallObserver NOOP = new CallObserver() {};

  /** An attempt is about to be sent; {@code headers} may be written (trace context). */
  default void onAttemptStart(AttemptInfo attempt, OutboundHeaders headers) {}

  /** An attempt ended. */
  default void onAttemptEnd(AttemptInfo attempt, AttemptResult result) {}

  /** Something notable happened to the call (a retry, a rejection, a fallback). */
  default void onEvent(MeshEvent event, String detail) {}

  /** The call ended; no callback follows. */
  default void onCallEnd(CallResult result) {}
}
